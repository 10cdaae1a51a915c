"""Run by the export tests with Debian's ``python3`` (python3-qgis): open GeoPackage layers
in QGIS, load each one's default style, and print what QGIS draws, as JSON.

Usage: ``python3 qgis_probe.py FILE.gpkg LAYER [LAYER ...]``.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402


def describe(path: str, name: str) -> dict:
    """Renderer type, colours and whether the default style came from the GeoPackage."""
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    message, loaded = layer.loadDefaultStyle()
    renderer = layer.renderer()
    info = {"valid": layer.isValid(), "loaded": loaded, "message": message,
            "type": renderer.type()}
    if renderer.type() == "categorizedSymbol":
        info["attribute"] = renderer.classAttribute()
        info["categories"] = {c.value(): c.symbol().color().name()
                              for c in renderer.categories()}
    else:
        info["colour"] = renderer.symbol().color().name()
        info["opacity"] = round(renderer.symbol().color().alphaF(), 2)
    return info


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    print(json.dumps({name: describe(sys.argv[1], name) for name in sys.argv[2:]}))
    app.exitQgis()
