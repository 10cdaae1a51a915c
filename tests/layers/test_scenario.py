"""What-if scenarios on the real OSM extract and on the real Värmland pharmacies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources.errors import RequestError
from layers import scenario, tillganglighet
from layers.accessibility import accessibility

SNAP_KMH = 30.0


@pytest.fixture(scope="module")
def node_origins(osm_roads):
    """Every road node of the extract as an origin, with the attributes a summary needs."""
    nodes = osm_roads[0]
    return nodes.assign(id=nodes["node"].astype(str), kommunkod="0000", omrade="tatort",
                        befolkning=1, klass=None)


@pytest.fixture(scope="module")
def pharmacies(osm_pois):
    """The extract's real pharmacies."""
    return osm_pois[osm_pois["amenity"] == "pharmacy"].assign(kategori="apotek")


def test_closing_a_new_pharmacy_again_equals_a_fresh_run(osm_network, node_origins,
                                                         pharmacies):
    site = node_origins.geometry.iloc[0]
    # open a pharmacy at a road node, then close it again
    opened = scenario.apply_changes(pharmacies, [scenario.Change("add", id="ny", kategori="apotek",
                                                                 x=site.x, y=site.y)])
    result = scenario.run(node_origins, opened, [scenario.Change("remove", id="ny")], osm_network,
                          limits=scenario.Limits(km=5.0, minutes=10.0, snap_speed_kmh=SNAP_KMH))
    fresh = accessibility(node_origins, pharmacies, osm_network, snap_speed_kmh=SNAP_KMH)
    per = result.per_origin
    assert np.array_equal(per["km_efter"].to_numpy(), fresh["km"].to_numpy())
    assert np.array_equal(per["minuter_efter"].to_numpy(), fresh["minuter"].to_numpy())
    assert (per["km_diff"].dropna() >= 0).all() and (per["km_diff"] > 0).any()
    region = result.summary[result.summary["niva"] == "region"].iloc[0]
    assert region["bef_langre_bort"] == (per["km_efter"] > per["km_fore"]).sum()
    assert region["bef_over_5km_efter"] >= region["bef_over_5km_fore"]


def test_closing_every_pharmacy_leaves_everyone_unreachable_not_capped(
        osm_network, node_origins, pharmacies):
    result = scenario.run(node_origins, pharmacies,
                          [scenario.Change("remove", id=i) for i in pharmacies["id"]],
                          osm_network,
                          limits=scenario.Limits(km=5.0, minutes=10.0, snap_speed_kmh=SNAP_KMH))
    per = result.per_origin
    assert per["nabar_fore"].all() and not per["nabar_efter"].any()
    assert np.isinf(per["km_efter"]).all() and np.isinf(per["minuter_efter"]).all()


def test_moving_a_service_point_changes_only_its_category(built):
    origins = tillganglighet.origins_of(built.layer("tillganglighet"))
    services = built.layer("service")
    apotek = services[services["kategori"] == "apotek"]
    only_in_kil = apotek[apotek["kommunkod"] == "1715"]
    changes = [scenario.Change("remove", id=i) for i in only_in_kil["id"]]
    result = scenario.run(origins, services, changes, None,
                          limits=scenario.Limits(km=10.0, minutes=10.0, snap_speed_kmh=SNAP_KMH))
    assert set(result.per_origin["kategori"]) == {"apotek"}
    rest = apotek[apotek["kommunkod"] != "1715"].geometry
    kil = result.per_origin[result.per_origin["kommunkod"] == "1715"]
    expected = kil.geometry.map(lambda p: rest.distance(p).min() / 1000)
    assert np.allclose(kil["km_efter"], expected)
    today = kil.geometry.map(lambda p: apotek.geometry.distance(p).min() / 1000)
    summary = result.summary.set_index(["niva", "grupp"])
    assert summary.loc[("kommun", "1715"), "bef_over_10km_efter"] == \
        kil.loc[kil["km_efter"] > 10, "befolkning"].sum()
    assert summary.loc[("kommun", "1715"), "bef_over_10km_fore"] == \
        kil.loc[today.to_numpy() > 10, "befolkning"].sum()
    assert summary.loc[("kommun", "1715"), "bef_over_10km_efter"] > \
        summary.loc[("kommun", "1715"), "bef_over_10km_fore"]
    assert "bef_over_10min_fore" not in result.summary.columns  # no times without a network
    reused = scenario.run(origins, services, changes, None, today=built.layer("tillganglighet"),
                          limits=scenario.Limits(km=10.0, minutes=10.0, snap_speed_kmh=SNAP_KMH))
    pd.testing.assert_frame_equal(pd.DataFrame(reused.per_origin.drop(columns="geometry")),
                                  pd.DataFrame(result.per_origin.drop(columns="geometry")))
    klass = origins.loc[origins["kommunkod"] == "1715", "klass"].iloc[0]
    assert summary.loc[("kommuntyp", klass), "befolkning"] == \
        origins.loc[origins["klass"] == klass, "befolkning"].sum()


def test_bad_changes_are_refused(built):
    services = built.layer("service")
    with pytest.raises(RequestError, match="ta_bort: no service point"):
        scenario.apply_changes(services, [scenario.Change("remove", id="pipos:finns-inte")])
    with pytest.raises(RequestError, match="kategori"):
        scenario.apply_changes(services, [scenario.Change("add", kategori="kiosk", x=1, y=2)])
    with pytest.raises(RequestError, match="coordinates"):
        scenario.apply_changes(services, [scenario.Change("move", id=services["id"].iloc[0])])
    moved = scenario.apply_changes(services, [scenario.Change("move", id=services["id"].iloc[0],
                                                              x=400_000.0, y=6_600_000.0)])
    assert (moved.geometry.iloc[0].x, moved.geometry.iloc[0].y) == (400_000.0, 6_600_000.0)
    assert isinstance(moved, pd.DataFrame) and len(moved) == len(services)
