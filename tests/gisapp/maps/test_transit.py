"""Drawing of the stomlinjenät on the map: line widths, station sizes, hourly profiles."""

from __future__ import annotations

import re

from gisapp.maps.transit import line_width, profile_svg, station_radius


def test_map_page_draws_the_network(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Trafikdag (GTFS): 2023-11-07" in page
    assert "sb-profil" in page and "svg" in page
    assert "Buss: saknar data" in page
    english = client.get("/?sprak=en").get_data(as_text=True)
    assert "Service day (GTFS): 2023-11-07" in english and "Bus: no data" in english


def test_drawing_scales() -> None:
    assert line_width(5) < line_width(30) < line_width(200)
    assert station_radius(0) < station_radius(22) <= station_radius(10_000)
    svg = profile_svg(",".join(["0"] * 6 + ["3"] + ["1"] * 17), "en")
    assert svg.count("<rect") == 24 and "(max 3)" in svg
    assert not re.search(r"<script", svg)
