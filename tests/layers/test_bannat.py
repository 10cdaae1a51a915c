"""Trains along the RINF network: stations attached, paths through the stations passed,
corridor counts per network segment checked against an independent count."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from data_sources import rinf
from layers import bannat, korridorer, stomlinjer, tackning, tidtabeller
from layers.settings import StomlinjeSettings
from tests import gtfs_oracle

SETTINGS = StomlinjeSettings()


@pytest.fixture(scope="module")
def network(data_dir: Path):
    return rinf.load(data_dir)


@pytest.fixture(scope="module")
def built(rail, register, varmland, network):
    natdag = tidtabeller.merge([("sj", rail)], register, SETTINGS)
    cover = tackning.coverage(natdag, register, SETTINGS.expected_traffic[0], varmland)
    points = pd.concat([natdag.stations[["geometry"]], cover.stations[["geometry"]]])
    points = gpd.GeoDataFrame(points[~points.index.duplicated()], crs="EPSG:3006")
    net = bannat.attach(bannat.graph(network), points, match_m=SETTINGS.rinf_match_m,
                        snap_m=SETTINGS.rinf_snap_m)
    return natdag, cover, net, korridorer.corridors(natdag, net, SETTINGS)


def test_rinf_sections_are_read_in_metres(data_dir: Path, network) -> None:
    raw = pd.read_csv(data_dir / rinf.SECTIONS, dtype=str)
    assert len(network.sections) == raw[["Section Of Line", "Start Unique OP ID",
                                         "End Unique OP ID"]].drop_duplicates().shape[0]
    kil = network.sections.set_index("section").loc["Stenåsen-Kil"]
    assert kil["langd_m"] == pytest.approx(1593.0) and kil["fran"] == "SESån"
    points = json.loads((data_dir / rinf.POINTS).read_text("utf-8"))["features"]
    assert len(network.points) == len(points) and network.points.crs.to_epsg() == 3006


def test_karlstad_arvika_passes_kil(built, register) -> None:
    _, _, net, _ = built
    nodes = bannat.path(net, "tv:Ks", "tv:Ar", max_detour=SETTINGS.max_detour)
    parts = bannat.stretches(net, nodes)
    assert [p.fran for p in parts][:2] == ["tv:Ks", "tv:Kil"]
    line = shapely.LineString([c for p in parts for c in p.coords])
    kil = register.set_index("signatur").geometry["Kil"]
    assert line.distance(kil) < 200
    straight = shapely.LineString([net.xy(nodes[0]), net.xy(nodes[-1])])
    assert straight.distance(kil) > 5_000  # the old straight stroke skipped Kil


def test_the_drawn_karlstad_arvika_trains_pass_within_200_m_of_kil(built, register) -> None:
    natdag, cover, _, k = built
    layer = stomlinjer.build(k, natdag, cover, region_stations=pd.Index(["tv:Ks", "tv:Ar"]),
                             settings=SETTINGS).set_index("id")
    assert layer.loc["tv:Ar-tv:En", ["fran_namn", "till_namn"]].tolist() == ["Arvika station",
                                                                            "Edane"]
    course = shapely.line_merge(shapely.union_all(
        [layer.geometry[i] for i in ("tv:Kil-tv:Ks",)] + [
            g for i, g in layer.geometry.items() if "tv:Ar" in i and "No." not in i]))
    kil = register.set_index("signatur").geometry["Kil"]
    assert layer.loc["tv:Kil-tv:Ks", "geometri"] == "bannat"
    assert course.distance(kil) < 200


def test_halts_without_switches_split_their_section(built) -> None:
    _, _, net, _ = built
    for halt in ("tv:Len", "tv:Buk", "tv:Tlt", "tv:Frå"):
        assert net.station_node[halt].startswith(bannat.HALT_PREFIX)
    nodes = bannat.path(net, "tv:Kil", "tv:Toy", max_detour=SETTINGS.max_detour)
    passed = [p.fran for p in bannat.stretches(net, nodes)]
    assert passed[:3] == ["tv:Kil", "tv:Tlt", "tv:Frå"] and "tv:Sun" in passed


# Every train between Karlstad C and these stations runs over Karlstad–Kil, the only line
# west and north-west out of Karlstad (Värmlandsbanan; Vänerbanan and the Oslo line leave
# it at Kil), stopping at Kil or not.
BEYOND_KIL = {"Kil station", "Grums station", "Säffle station", "Arvika station",
              "Charlottenberg station", "Kongsvinger", "Lilleström", "Oslo S"}


def _independent_corridor_counts(rail, day: str) -> pd.Series:
    """Trains per day on Karlstad C–Kil counted from the raw feed with pandas: every trip
    with consecutive calls at Karlstad C and a station of :data:`BEYOND_KIL`."""
    folder = Path(rail.path)
    raw = {t: pd.read_csv(folder / f"{t}.txt", dtype=str, keep_default_na=False)
           for t in ("stops", "stop_times", "trips")}
    running = gtfs_oracle.running_services(folder, date.fromisoformat(day))
    trips = raw["trips"][raw["trips"]["service_id"].isin(running)]["trip_id"]
    stops = raw["stops"]
    parent = dict(zip(stops["stop_id"], stops["parent_station"].where(
        stops["parent_station"] != "", stops["stop_id"]), strict=True))
    names = dict(zip(stops["stop_id"], stops["stop_name"], strict=True))
    st = raw["stop_times"][raw["stop_times"]["trip_id"].isin(trips)].copy()
    st["name"] = st["stop_id"].map(parent).map(names)
    st["seq"] = st["stop_sequence"].astype(int)
    st = st.sort_values(["trip_id", "seq"])
    st["next"] = st.groupby("trip_id")["name"].shift(-1)
    st["previous"] = st.groupby("trip_id")["name"].shift(1)
    karlstad = st[st["name"] == "Karlstad Centralstation"]
    west = karlstad["next"].isin(BEYOND_KIL) | karlstad["previous"].isin(BEYOND_KIL)
    return karlstad[west].groupby("trip_id").size()


def test_a_shared_corridor_adds_up_every_train_on_it(built, rail) -> None:
    natdag, _, _, k = built
    table = korridorer.segment_table(k, SETTINGS).set_index(["fran", "till"])
    karlstad_kil = table.loc[("tv:Kil", "tv:Ks")]
    expected = _independent_corridor_counts(rail, natdag.dag.days[0].isoformat())
    assert karlstad_kil["turer_dag"] == len(expected) == 26
    # Göteborg trains (35x) and Oslo/Arvika trains (6xx) share it
    lines = set(karlstad_kil["linjer"].split(", "))
    assert any(line.startswith("3") for line in lines) and any(
        line.startswith("6") for line in lines)
    # every train Karlstad–Kristinehamn runs over Välsviken and Väse: three segments alike
    for segment in (("tv:Ks", "tv:Kvä"), ("tv:Kvä", "tv:Ve"), ("tv:Khn", "tv:Ve")):
        assert table.loc[segment, "turer_dag"] == table.loc[("tv:Ks", "tv:Kvä"), "turer_dag"]


def test_a_train_passing_without_stopping_lifts_the_corridor_not_the_station(built) -> None:
    natdag, _, _, k = built
    classes = korridorer.station_classes(k, SETTINGS)
    assert "tv:Kvä" not in classes.index  # Välsviken: trains pass, none stops on the day
    table = korridorer.segment_table(k, SETTINGS).set_index(["fran", "till"])
    assert table.loc[("tv:Ks", "tv:Kvä"), "klass"] == "stomlinje"
