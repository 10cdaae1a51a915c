"""Display simplification keeps the kommun coverage: no gaps, no overlaps, shared borders."""

from __future__ import annotations

import itertools

from gisapp.maps.display import simplify_for_display, to_geojson


def test_coverage_simplification_keeps_shared_borders(built):
    original = built.layer("kommuner")
    simple = simplify_for_display("kommuner", original)
    vertices = lambda frame: int(frame.geometry.count_coordinates().sum())  # noqa: E731
    assert vertices(simple) < 0.5 * vertices(original)
    assert simple.geometry.is_valid.all()
    # No overlaps: the parts add up to the union.
    union = simple.union_all()
    assert abs(simple.geometry.area.sum() - union.area) < 1.0  # m²
    # No gaps: the outline of the whole region barely moves.
    assert abs(union.area - original.union_all().area) / original.union_all().area < 0.001
    # Neighbours still share a border line, and do not overlap.
    geoms = dict(zip(simple["kommunkod"], simple.geometry, strict=True))
    originals = dict(zip(original["kommunkod"], original.geometry, strict=True))
    for a, b in itertools.combinations(geoms, 2):
        if originals[a].intersection(originals[b]).length > 1000:
            shared = geoms[a].intersection(geoms[b])
            assert shared.length > 500, (a, b)
            assert shared.area < 1.0, (a, b)


def test_geojson_is_wgs84_rounded_and_escaped(built):
    frame = built.layer("tatorter").head(3).copy()
    frame.loc[frame.index[0], "tatort"] = '<script>alert("x")</script>'
    data = to_geojson(frame, escape=True)
    first = data["features"][0]
    assert first["properties"]["tatort"] == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    assert 11 < lon < 25 and 55 < lat < 70
    assert round(lon, 5) == lon
