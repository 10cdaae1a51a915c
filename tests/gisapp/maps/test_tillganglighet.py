"""The tillganglighet display colours origins by their distance class and labels the method;
with the grid it has thousands of origins, so the map fetches it on demand."""

from __future__ import annotations

import numpy as np

from gisapp.maps.renderers import ON_DEMAND, on_demand_features
from gisapp.maps.tillganglighet import BREAKS, display_frame
from layers.catalog import SPECS


def test_origins_are_coloured_by_km_class_and_labelled_straight_line(built):
    spec = SPECS["tillganglighet"]
    shown = display_frame(spec, built).set_index("id")
    layer = built.layer("tillganglighet")
    layer = layer[layer["kategori"] == "apotek"].set_index("id")  # the first category present
    assert len(shown) == len(layer)
    colours = [c for c, _, _ in spec.legend]
    for origin, style in shown["_style"].items():
        assert style["fillColor"] == colours[int(np.digitize(layer.loc[origin, "km"], BREAKS))]
    assert (shown["metod"] == "fågelvägen").all()
    radius = shown["_style"].map(lambda style: style["radius"])
    assert radius[shown["befolkning"].idxmax()] == radius.max()


def test_map_fetches_the_origins_on_demand(client, built):
    assert "tillganglighet" in ON_DEMAND
    page = client.get("/").get_data(as_text=True)
    assert "Tillgång till service" in page and "/kartlager/tillganglighet.geojson" in page
    features = on_demand_features(built, "tillganglighet")["features"]
    assert len(features) == built.layer("tillganglighet")["id"].nunique()
    fields = {f.column for f in SPECS["tillganglighet"].popup}
    assert set(features[0]["properties"]) <= fields | {"_style"}
