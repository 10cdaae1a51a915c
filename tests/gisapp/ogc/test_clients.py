"""Real clients read the OGC API: GDAL's OAPIF driver (what QGIS uses) and OWSLib."""

from __future__ import annotations

import json
import shutil
import subprocess

from owslib.ogcapi.features import Features

from tests.system_tools import required_in_ci

pytestmark = required_in_ci(shutil.which("ogrinfo") is not None,
                            "GDAL's ogrinfo (Debian gdal-bin) is not installed")


def _gdal(*args: str) -> str:
    """Run a GDAL command line tool and return its standard output."""
    completed = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True)
    return completed.stdout


def test_gdal_lists_every_collection(live_url, built):
    listing = _gdal("ogrinfo", "-ro", "-q", f"OAPIF:{live_url}/ogc")
    names = [line.split(": ", 1)[1].split(" (")[0] for line in listing.splitlines()
             if ": " in line]
    assert sorted(names) == sorted(built.layer_ids())
    summary = _gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_url}/ogc", "kommuner")
    assert f"Feature Count: {len(built.layer('kommuner'))}" in summary
    assert "kommunnamn: String" in summary and "invanare: Integer" in summary


def test_gdal_reads_every_kommun_with_attributes(live_url, built):
    out = _gdal("ogr2ogr", "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{live_url}/ogc", "kommuner")
    layer = json.loads(out)
    expected = built.layer("kommuner")
    assert len(layer["features"]) == len(expected)
    rows = {f["properties"]["kommunkod"]: f["properties"] for f in layer["features"]}
    assert sorted(rows) == sorted(expected["kommunkod"])
    karlstad = expected.set_index("kommunkod").loc["1780"]
    assert rows["1780"]["kommunnamn"] == karlstad["kommunnamn"] == "Karlstad"
    assert rows["1780"]["invanare"] == int(karlstad["invanare"])
    assert layer["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_owslib_reads_collections_and_items(live_url, built):
    api = Features(f"{live_url}/ogc/")
    ids = [c["id"] for c in api.collections()["collections"]]
    assert ids == built.layer_ids()
    assert api.collection("tatorter")["title"] == "Tätorter"
    page = api.collection_items("tatorter", limit=5, offset=0)
    assert page["numberMatched"] == len(built.layer("tatorter"))
    assert page["numberReturned"] == len(page["features"]) == 5
    karlstad = api.collection_items("kommuner", kommunkod="1780")
    assert [f["properties"]["kommunnamn"] for f in karlstad["features"]] == ["Karlstad"]
