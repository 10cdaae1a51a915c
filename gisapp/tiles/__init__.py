"""The map layers as vector tiles: written into the build, served by Range and as XYZ.

``frames`` chooses the tiled layers, their properties and zooms; ``writer`` cuts them into
Mapbox Vector Tiles in one PMTiles archive per build (called by the build); ``archive``
reads an archive; ``serving`` and ``views`` answer ``/tiles/…`` (Flask-free core and its
thin views).
"""
