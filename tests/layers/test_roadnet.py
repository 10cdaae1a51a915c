"""Edge speeds and directions from OSM tags, on the real extract's roads."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from layers.roadnet import DEFAULT_SPEED_KMH, directed_edges, parse_maxspeed, speeds_kmh


@pytest.mark.parametrize(("text", "kmh"), [
    ("50", 50.0), ("30;50", 30.0), ("20 mph", 32.18688), ("SE:urban", 50.0),
    ("SE:rural", 70.0), ("SE:motorway", 110.0), ("signals", None), (None, None), ("0", None),
])
def test_parse_maxspeed(text, kmh):
    parsed = parse_maxspeed(text)
    assert (math.isnan(parsed) if kmh is None else parsed == pytest.approx(kmh))


def test_speed_defaults_apply_only_where_maxspeed_is_missing(osm_roads):
    edges = osm_roads[1]
    speeds = speeds_kmh(edges["highway"], edges["maxspeed"])
    tagged = edges["maxspeed"].map(parse_maxspeed).notna().to_numpy()
    assert tagged.sum() > 0 and (~tagged).sum() > 0
    untagged = edges.loc[~tagged, "highway"].map(DEFAULT_SPEED_KMH).to_numpy()
    assert (speeds[~tagged] == untagged).all()
    assert (speeds[tagged] == edges.loc[tagged, "maxspeed"].astype(float).to_numpy()).all()


def test_one_way_segments_give_one_direction(osm_roads, osm_directed):
    edges = osm_roads[1]
    pairs = set(zip(osm_directed["u"], osm_directed["v"], strict=True))
    one_way = edges[edges["oneway"] == "yes"]
    two_way = edges[edges["oneway"].isna() | (edges["oneway"] == "no")]
    assert len(one_way) > 100 and len(two_way) > 100
    reverse_only_one_way = [(v, u) not in pairs for u, v in zip(one_way["u"], one_way["v"],
                                                               strict=True)]
    # a reverse edge of a one-way segment exists only when another (two-way) segment gives it
    assert sum(reverse_only_one_way) > 0.9 * len(one_way)
    assert all((u, v) in pairs and (v, u) in pairs
               for u, v in zip(two_way["u"], two_way["v"], strict=True))
    assert len(osm_directed) == len(one_way) + 2 * (len(edges) - len(one_way))


def test_travel_minutes_follow_length_and_speed(osm_roads, osm_directed):
    edges = osm_roads[1]
    first = directed_edges(edges.iloc[:1])
    speed = speeds_kmh(edges["highway"].iloc[:1], edges["maxspeed"].iloc[:1])[0]
    assert first["minutes"].iloc[0] == pytest.approx(edges["length_m"].iloc[0] / 1000 / speed * 60)
    assert isinstance(osm_directed, pd.DataFrame) and (osm_directed["minutes"] >= 0).all()
