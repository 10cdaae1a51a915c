"""The project's one CRS policy: compute in SWEREF 99 TM, serve WGS 84.

Every loader returns frames in :data:`COMPUTE_CRS` (metres, so distances and areas are
measured correctly in Sweden); every page, GeoJSON document and API answers in
:data:`SERVE_CRS` unless a client asks the OGC API for EPSG:3006. Nothing measures in degrees.
This module lives in ``data_sources`` because it is the lowest package: ``layers`` and
``gisapp`` import it, it imports nothing of theirs.
"""

from __future__ import annotations

COMPUTE_CRS = "EPSG:3006"
SERVE_CRS = "EPSG:4326"
