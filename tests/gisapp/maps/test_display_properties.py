"""Property test of display simplification (``simplify_for_display``) of the real kommuner, a
coverage: for any tolerance, the simplified polygons stay valid, tile the same region with
no overlaps (the parts add up to the union) and no gaps (the union has no hole, as the real
län has none), and neighbours keep a shared border line.

Guards among others: the polygons simplified one by one (which opens slivers and overlaps
between neighbours), a kommun dropped or emptied at a coarse tolerance.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from gisapp.maps.display import simplify_for_display
from layers.catalog import SPECS


@pytest.fixture(scope="module")
def kommuner(built):
    """The real kommuner (EPSG:3006) and the pairs of neighbours sharing over 1 km of border."""
    frame = built.layer("kommuner")
    geoms = dict(zip(frame["kommunkod"], frame.geometry, strict=True))
    assert frame.union_all().geom_type == "Polygon" and not frame.union_all().interiors
    neighbours = [(a, b) for a, b in itertools.combinations(geoms, 2)
                  if geoms[a].intersection(geoms[b]).length > 1000]
    return frame, neighbours


@given(tolerance=st.floats(min_value=0.5, max_value=5000.0))
def test_any_tolerance_keeps_a_coverage_without_gaps_or_overlaps(kommuner, tolerance,
                                                                 monkeypatch):
    frame, neighbours = kommuner
    monkeypatch.setitem(SPECS, "kommuner", replace(SPECS["kommuner"],
                                                   display_tolerance_m=tolerance))
    simple = simplify_for_display("kommuner", frame)
    assert list(simple["kommunkod"]) == list(frame["kommunkod"])
    assert simple.geometry.is_valid.all() and not simple.geometry.is_empty.any()
    union = simple.union_all()
    assert abs(simple.geometry.area.sum() - union.area) < 1.0  # m²: no overlaps
    parts = getattr(union, "geoms", [union])
    assert len(parts) == 1 and len(parts[0].interiors) == 0  # one piece without holes: no gaps
    geoms = dict(zip(simple["kommunkod"], simple.geometry, strict=True))
    for a, b in neighbours:
        shared = shapely.intersection(geoms[a], geoms[b])
        assert shared.length > 0 and shared.area < 1.0, (a, b)
