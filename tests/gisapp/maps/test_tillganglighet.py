"""The tillganglighet renderer colours origins by their distance class and labels the method."""

from __future__ import annotations

import folium
import numpy as np

from gisapp.maps.renderers import RENDERERS
from gisapp.maps.tillganglighet import BREAKS
from layers.catalog import SPECS


def test_origins_are_coloured_by_km_class_and_labelled_straight_line(built):
    spec = SPECS["tillganglighet"]
    group = folium.FeatureGroup()
    RENDERERS["tillganglighet"](group, spec, built, "sv")
    (geojson,) = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    features = geojson.data["features"]
    layer = built.layer("tillganglighet").set_index("id")
    assert len(features) == len(layer)
    colours = [c for c, _, _ in spec.legend]
    for feature in features:
        props = feature["properties"]
        km = layer.loc[props["id"], "km"]
        assert props["farg"] == colours[int(np.digitize(km, BREAKS))]
        assert props["metod"] == "fågelvägen"
    big = max(features, key=lambda f: f["properties"]["befolkning"])
    assert big["properties"]["radie"] == max(f["properties"]["radie"] for f in features)


def test_map_page_shows_the_layer(client):
    page = client.get("/").get_data(as_text=True)
    assert "Tillgång till service" in page
