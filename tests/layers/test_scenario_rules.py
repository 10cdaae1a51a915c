"""What-if scenarios on a four-node road and a few straight-line points drawn by hand (no data
files, no conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/scenario.py``;
``test_scenario.py`` runs scenarios on the real OSM extract and the real Värmland build).

The road (EPSG:3006 metres), two-way, each edge 1000 m and 1.5 min; origins and service points
lie on nodes, so no snapping leg counts::

    n0 (0, 0) ---- n1 (1000, 0) ---- n2 (2000, 0) ---- n3 (3000, 0)
    o1 (100 inv)   apotek a1          o3 (10 inv)       o2 (50 inv), apotek a2
    post p1

Every expected value below is worked out by hand from this drawing.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from data_sources.errors import RequestError
from layers import scenario
from layers.accessibility import NETWORK, STRAIGHT, build_network

INF = math.inf
# o1 and o3 lie exactly 1 km / 1.5 min from a1: at the limits, not beyond them
LIMITS = scenario.Limits(km=1.0, minutes=1.5, snap_speed_kmh=30.0)
ORIGIN_COLUMNS = ["id", "kommunkod", "omrade", "befolkning", "klass", "geometry"]


def _points(columns: dict[str, list], xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    """A frame of points in EPSG:3006."""
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(*zip(*xy, strict=True)),
                            crs=3006)


def _road() -> object:
    """The drawn road as a :class:`layers.accessibility.Network`."""
    nodes = _points({"node": [0, 1, 2, 3]}, [(0.0, 0.0), (1000.0, 0.0), (2000.0, 0.0),
                                             (3000.0, 0.0)])
    pairs = [(0, 1), (1, 2), (2, 3)]
    edges = pd.DataFrame([(u, v, 1000.0, 1.5) for a, b in pairs for u, v in ((a, b), (b, a))],
                         columns=["u", "v", "length_m", "minutes"])
    return build_network(nodes, edges)


ORIGINS = _points({"id": ["o1", "o2", "o3"], "kommunkod": ["1780", "1781", "1781"],
                   "omrade": ["tatort", "landsbygd", "tatort"], "befolkning": [100, 50, 10],
                   "klass": ["A", None, "B"]},
                  [(0.0, 0.0), (3000.0, 0.0), (2000.0, 0.0)])
SERVICES = _points({"id": ["a1", "a2", "p1"], "kategori": ["apotek", "apotek", "post"],
                    "namn": ["Apoteket 1", "Apoteket 2", "Posten"]},
                   [(1000.0, 0.0), (3000.0, 0.0), (0.0, 0.0)])


def _error(changes: list[scenario.Change]) -> RequestError:
    """The error :func:`layers.scenario.apply_changes` raises for ``changes``."""
    with pytest.raises(RequestError) as caught:
        scenario.apply_changes(SERVICES, changes)
    return caught.value


def test_changes_apply_in_order_and_keep_only_id_category_and_point():
    out = scenario.apply_changes(SERVICES, [
        scenario.Change("add", kategori="bibliotek", x=5.0, y=6.0),
        scenario.Change("remove", id="a1"),
        scenario.Change("add", id="b2", kategori="bibliotek", x=7.0, y=8.0),
        scenario.Change("move", id="ny:1", x=1.0, y=2.0)])
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == SERVICES.crs
    assert list(out.columns) == ["id", "kategori", "geometry"]
    assert out.index.tolist() == [0, 1, 2, 3]
    assert out["id"].tolist() == ["a2", "p1", "ny:1", "b2"]  # an added point's id: ny:<change>
    assert out["kategori"].tolist() == ["apotek", "post", "bibliotek", "bibliotek"]
    assert [(p.x, p.y) for p in out.geometry] == [(3000.0, 0.0), (0.0, 0.0), (1.0, 2.0),
                                                  (7.0, 8.0)]
    assert scenario.apply_changes(SERVICES, [scenario.Change("remove", id="p1")]
                                  )["id"].tolist() == ["a1", "a2"]
    assert SERVICES["id"].tolist() == ["a1", "a2", "p1"]  # the input is left as it was


def test_a_bad_change_is_refused_naming_it():
    assert str(_error([scenario.Change("remove", id="a1"), scenario.Change("close", id="a2")])
               ) == "change 2 (close): action must be one of ('remove', 'add', 'move')"
    assert str(_error([scenario.Change("move", id="a1", x=1.0)])
               ) == "change 1 (move): needs coordinates"
    assert str(_error([scenario.Change("add", kategori="apotek", y=1.0)])
               ) == "change 1 (add): needs coordinates"
    assert str(_error([scenario.Change("add", kategori="bio", x=1.0, y=2.0)])).startswith(
        "change 1 (add): kategori must be one of ['apotek', 'bankomat', 'bibliotek',")
    missing = _error([scenario.Change("remove", id="a1"), scenario.Change("remove", id="a1")])
    assert str(missing) == "ta_bort: no service point with id 'a1' (change 2 (remove))"
    assert missing.parameter == "ta_bort"
    moved = _error([scenario.Change("move", id="x9", x=1.0, y=2.0)])
    assert str(moved) == "flytta: no service point with id 'x9' (change 1 (move))"


def test_touched_categories_are_those_of_added_points_and_of_the_ids_changed():
    changes = [scenario.Change("move", id="p1", x=1.0, y=2.0),
               scenario.Change("add", kategori="bibliotek", x=1.0, y=2.0),
               scenario.Change("remove", id="a2"), scenario.Change("remove", id="okänd")]
    assert scenario.touched_categories(SERVICES, changes) == ["apotek", "bibliotek", "post"]
    assert scenario.touched_categories(SERVICES, []) == []


def _per_origin(result: scenario.ScenarioResult, kategori: str) -> dict[str, tuple]:
    """``{origin id: (km_fore, km_efter, minuter_fore, minuter_efter, nabar_fore,
    nabar_efter)}`` of one category."""
    part = result.per_origin[result.per_origin["kategori"] == kategori]
    return {r.id: (r.km_fore, r.km_efter, r.minuter_fore, r.minuter_efter, r.nabar_fore,
                   r.nabar_efter) for r in part.itertuples()}


def _summary(result: scenario.ScenarioResult) -> list[tuple]:
    """The summary's rows as tuples."""
    return [tuple(r) for r in result.summary.itertuples(index=False)]


def test_removing_a_point_and_adding_a_first_one_along_the_road():
    # a2 closes: o2 goes 2 km / 3 min to a1; the first library opens at n3
    result = scenario.run(ORIGINS, SERVICES, [
        scenario.Change("remove", id="a2"),
        scenario.Change("add", id="nytt", kategori="bibliotek", x=3000.0, y=0.0)],
        _road(), limits=LIMITS)
    per = result.per_origin
    assert list(per.columns) == [
        *ORIGIN_COLUMNS, "kategori", "km_fore", "minuter_fore", "anslutning_m", "nabar_fore",
        "metod", "km_efter", "minuter_efter", "nabar_efter", "km_diff", "minuter_diff"]
    assert isinstance(per, gpd.GeoDataFrame) and per.crs == ORIGINS.crs
    assert per["kategori"].tolist() == ["apotek"] * 3 + ["bibliotek"] * 3
    assert per["id"].tolist() == ["o1", "o2", "o3"] * 2
    assert _per_origin(result, "apotek") == {"o1": (1.0, 1.0, 1.5, 1.5, True, True),
                                             "o2": (0.0, 2.0, 0.0, 3.0, True, True),
                                             "o3": (1.0, 1.0, 1.5, 1.5, True, True)}
    # no library today: nobody reaches one, along the road (minutes inf, not missing)
    assert _per_origin(result, "bibliotek") == {"o1": (INF, 3.0, INF, 4.5, False, True),
                                                "o2": (INF, 0.0, INF, 0.0, False, True),
                                                "o3": (INF, 1.0, INF, 1.5, False, True)}
    assert (per["metod"] == NETWORK).all()
    assert per["km_diff"].tolist()[:3] == [0.0, 2.0, 0.0]
    assert per["minuter_diff"].tolist()[:3] == [0.0, 3.0, 0.0]
    assert (per["km_diff"].iloc[3:] == -INF).all() and (per["minuter_diff"].iloc[3:] == -INF).all()
    assert list(result.summary.columns) == [
        "niva", "grupp", "kategori", "befolkning", "bef_over_1km_fore", "bef_over_1km_efter",
        "bef_langre_bort", "bef_over_1.5min_fore", "bef_over_1.5min_efter"]
    assert (result.summary.dtypes.iloc[3:] == "int64").all()
    assert result.summary.index.tolist() == list(range(16))  # one label per row
    # beyond 1 km / 1.5 min: apotek o2 (50) after; bibliotek everyone before, o1 (100) after
    assert _summary(result) == [
        ("kommun", "1780", "apotek", 100, 0, 0, 0, 0, 0),
        ("kommun", "1780", "bibliotek", 100, 100, 100, 0, 100, 100),
        ("kommun", "1781", "apotek", 60, 0, 50, 50, 0, 50),
        ("kommun", "1781", "bibliotek", 60, 60, 0, 0, 60, 0),
        ("kommuntyp", "A", "apotek", 100, 0, 0, 0, 0, 0),
        ("kommuntyp", "A", "bibliotek", 100, 100, 100, 0, 100, 100),
        ("kommuntyp", "B", "apotek", 10, 0, 0, 0, 0, 0),
        ("kommuntyp", "B", "bibliotek", 10, 10, 0, 0, 10, 0),
        ("kommuntyp", "okänd", "apotek", 50, 0, 50, 50, 0, 50),
        ("kommuntyp", "okänd", "bibliotek", 50, 50, 0, 0, 50, 0),
        ("omrade", "landsbygd", "apotek", 50, 0, 50, 50, 0, 50),
        ("omrade", "landsbygd", "bibliotek", 50, 50, 0, 0, 50, 0),
        ("omrade", "tatort", "apotek", 110, 0, 0, 0, 0, 0),
        ("omrade", "tatort", "bibliotek", 110, 110, 100, 0, 110, 100),
        ("region", "alla ursprung i regionen", "apotek", 160, 0, 50, 50, 0, 50),
        ("region", "alla ursprung i regionen", "bibliotek", 160, 160, 100, 0, 160, 100)]


def test_removing_the_last_point_of_a_category_leaves_everyone_unreachable():
    result = scenario.run(ORIGINS, SERVICES, [scenario.Change("remove", id="p1")], _road(),
                          limits=LIMITS)
    assert _per_origin(result, "post") == {"o1": (0.0, INF, 0.0, INF, True, False),
                                           "o2": (3.0, INF, 4.5, INF, True, False),
                                           "o3": (2.0, INF, 3.0, INF, True, False)}
    region = result.summary[result.summary["niva"] == "region"]
    assert _summary(result)[-1] == ("region", "alla ursprung i regionen", "post", 160,
                                    60, 160, 160, 60, 160)
    assert len(region) == 1


# Straight lines (a 3-4-5 triangle): s1 at (0, 0), s2 at (3000, 4000); apotek at (0, 0) and
# (3000, 0), post at (3000, 4000).
STRAIGHT_ORIGINS = _points({"id": ["s1", "s2"], "kommunkod": ["1780", "1780"],
                            "omrade": ["tatort", "landsbygd"], "befolkning": [20, 30],
                            "klass": ["A", "A"]}, [(0.0, 0.0), (3000.0, 4000.0)])
STRAIGHT_SERVICES = _points({"id": ["a1", "a2", "p1"], "kategori": ["apotek", "apotek", "post"]},
                            [(0.0, 0.0), (3000.0, 0.0), (3000.0, 4000.0)])
STRAIGHT_LIMITS = scenario.Limits(km=2.0, minutes=10.0, snap_speed_kmh=30.0)


def _layer(rows: list[tuple[str, str, float]]) -> gpd.GeoDataFrame:
    """Rows ``(origin id, kategori, km)`` of a straight-line ``tillganglighet`` layer."""
    origins = STRAIGHT_ORIGINS.set_index("id")
    frame = origins.loc[[r[0] for r in rows]].reset_index().assign(
        kategori=[r[1] for r in rows], km=[r[2] for r in rows], minuter=np.nan,
        anslutning_m=0.0, nabar=True, metod=STRAIGHT,
        kategori_sv=[{"apotek": "Apotek", "post": "Post"}[r[1]] for r in rows])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=3006)


# as a build stores it: not in the origins' order, with the category label
TODAY = _layer([("s2", "apotek", 4.0), ("s1", "apotek", 0.0), ("s1", "post", 5.0),
                ("s2", "post", 0.0)])


def test_todays_rows_come_from_the_built_layer_and_a_first_point_from_nobody_reached():
    # a1 moves onto s2: s1 is now 3 km from a2; the first library opens on s1
    result = scenario.run(STRAIGHT_ORIGINS, STRAIGHT_SERVICES, [
        scenario.Change("move", id="a1", x=3000.0, y=4000.0),
        scenario.Change("add", kategori="bibliotek", x=0.0, y=0.0)],
        None, limits=STRAIGHT_LIMITS, today=TODAY)
    per = result.per_origin
    assert "kategori_sv" not in per.columns
    assert list(zip(per["id"], per["kategori"], strict=True)) == [
        ("s2", "apotek"), ("s1", "apotek"), ("s1", "bibliotek"), ("s2", "bibliotek")]
    assert per.index.tolist() == [0, 1, 2, 3]  # one label per row, not today's labels
    assert per["km_fore"].tolist() == [4.0, 0.0, INF, INF]
    assert per["km_efter"].tolist() == [0.0, 3.0, 0.0, 5.0]
    assert per["km_diff"].tolist() == [-4.0, 3.0, -INF, -INF]
    assert per["minuter_fore"].isna().all() and per["minuter_efter"].isna().all()
    assert per["minuter_diff"].isna().all()
    assert per["nabar_fore"].tolist() == [True, True, False, False]
    assert per["nabar_efter"].all() and (per["metod"] == STRAIGHT).all()
    assert per["anslutning_m"].iloc[:2].tolist() == [0.0, 0.0]
    assert per["anslutning_m"].iloc[2:].isna().all()
    # no travel times: no minute columns; beyond 2 km: s2 (30) before, s1 (20) after
    assert _summary(result) == [
        ("kommun", "1780", "apotek", 50, 30, 20, 20),
        ("kommun", "1780", "bibliotek", 50, 50, 30, 0),
        ("kommuntyp", "A", "apotek", 50, 30, 20, 20),
        ("kommuntyp", "A", "bibliotek", 50, 50, 30, 0),
        ("omrade", "landsbygd", "apotek", 30, 30, 0, 0),
        ("omrade", "landsbygd", "bibliotek", 30, 30, 30, 0),
        ("omrade", "tatort", "apotek", 20, 0, 20, 20),
        ("omrade", "tatort", "bibliotek", 20, 20, 0, 0),
        ("region", "alla ursprung i regionen", "apotek", 50, 30, 20, 20),
        ("region", "alla ursprung i regionen", "bibliotek", 50, 50, 30, 0)]
    assert list(result.summary.columns)[4:] == ["bef_over_2km_fore", "bef_over_2km_efter",
                                                "bef_langre_bort"]


def test_a_category_missing_from_todays_layer_is_computed_and_closing_it_reaches_nobody():
    result = scenario.run(STRAIGHT_ORIGINS, STRAIGHT_SERVICES,
                          [scenario.Change("remove", id="a1"), scenario.Change("remove", id="a2")],
                          None, limits=STRAIGHT_LIMITS, today=TODAY[TODAY["kategori"] == "post"])
    per = result.per_origin
    assert per["id"].tolist() == ["s1", "s2"] and (per["kategori"] == "apotek").all()
    assert per["km_fore"].tolist() == [0.0, 4.0] and per["nabar_fore"].all()
    assert per["km_efter"].tolist() == [INF, INF] and not per["nabar_efter"].any()
    assert per["minuter_efter"].isna().all()  # no road network: no time, not an infinite one
    assert _summary(result)[-1] == ("region", "alla ursprung i regionen", "apotek", 50, 30,
                                    50, 50)


def test_no_change_gives_no_rows():
    for network in (None, _road()):
        result = scenario.run(ORIGINS, SERVICES, [], network, limits=LIMITS)
        assert result.per_origin.empty and result.summary.empty
        assert "km_efter" in result.per_origin.columns


def test_a_first_point_alone_and_a_move_of_todays_point_alone():
    first = scenario.run(STRAIGHT_ORIGINS, STRAIGHT_SERVICES,
                         [scenario.Change("add", kategori="bibliotek", x=0.0, y=0.0)], None,
                         limits=STRAIGHT_LIMITS)
    assert first.per_origin["km_fore"].tolist() == [INF, INF]
    assert first.per_origin["km_efter"].tolist() == [0.0, 5.0]
    assert first.per_origin["nabar_fore"].tolist() == [False, False]
    assert _summary(first)[-1] == ("region", "alla ursprung i regionen", "bibliotek", 50, 50,
                                   30, 0)
    moved = scenario.run(STRAIGHT_ORIGINS, STRAIGHT_SERVICES,
                         [scenario.Change("move", id="a1", x=3000.0, y=4000.0)], None,
                         limits=STRAIGHT_LIMITS, today=TODAY)
    assert moved.per_origin["id"].tolist() == ["s2", "s1"]  # today's rows, in today's order
    assert moved.per_origin["km_fore"].tolist() == [4.0, 0.0]
    assert moved.per_origin["km_efter"].tolist() == [0.0, 3.0]
    assert _summary(moved)[-1] == ("region", "alla ursprung i regionen", "apotek", 50, 30, 20, 20)
