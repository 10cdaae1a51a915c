"""Drawing of the stomlinjenät on the map: coverage, legend, status rings, popups, widths."""

from __future__ import annotations

import re

import pytest

from gisapp.maps.transit import line_width, profile_svg, station_radius

PANEL = re.compile(r"strukturbildPanel\(\w+, (\{.*?\})\);", re.S)
SENTENCE_SV = ("Tidtabeller: SJ och Tågab 2023–2024 (Tågab: inga turer 2023-11-07). Saknas: "
               "Värmlandstrafik (tåg och buss), Vy (tåg). Ej med (annan period): SJ "
               "2025-05-25–2025-12-13.")


@pytest.fixture
def panel(app):
    import json

    def config(lang: str) -> dict:
        page = app.test_client().get(f"/?sprak={lang}").get_data(as_text=True)
        return {layer["id"]: layer for layer in json.loads(PANEL.search(page).group(1))["layers"]}

    return config


def test_map_page_draws_the_network(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Trafikdag (GTFS): 2023-11-07" in page
    assert "sb-profil" in page and "svg" in page
    assert "Buss: saknar data" in page
    english = client.get("/?sprak=en").get_data(as_text=True)
    assert "Service day (GTFS): 2023-11-07" in english and "Bus: no data" in english


def test_the_panel_states_the_coverage_in_one_sentence(panel) -> None:
    assert SENTENCE_SV in panel("sv")["stomlinjer"]["notes"]
    english = panel("en")["stomlinjer"]["notes"]
    assert any(n.startswith("Timetables: SJ and Tågab 2023–2024") and "Missing: Värmlandstrafik"
               in n for n in english)


def test_the_legend_shows_only_classes_that_occur(panel, built) -> None:
    lines = panel("sv")["stomlinjer"]["legend"]
    labels = [label for _, label in lines]
    assert set(built.layer("stomlinjer")["klass"]) == {"stomlinje"}
    assert "Stomlinje" in labels and "Stark stomlinje" not in labels
    assert "Övrig linje" not in labels
    # what width and dash mean stays, as a note without a colour swatch
    assert any("schematisk" in note for note in panel("sv")["stomlinjer"]["symbols"])


def test_stations_without_timetable_are_rings_saying_so(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '"status_sv": "Saknar tidtabell"' in page
    assert '"status_sv": "Inga avg\\u00e5ngar trafikdagen"' in page
    assert "3 2" in page  # the dashed ring of a station that is not served


def test_tatort_popup_tells_the_nearest_stomlinje_stop(client, panel) -> None:
    import mapbox_vector_tile

    tatorter = panel("sv")["tatorter"]
    assert ["stomlinje_hallplats", "Närmaste stomlinjehållplats"] in tatorter["popup"]
    assert any(column == "stomlinje_avstand_m" for column, _ in tatorter["popup"])
    # Torsby's polygon (its tile at zoom 9): the nearest served station and that its own
    # station has no timetable
    tile = client.get("/tiles/tatorter/9/274/148.mvt")
    features = mapbox_vector_tile.decode(tile.data)["tatorter"]["features"]
    torsby = next(f["properties"] for f in features if f["properties"]["tatort"] == "Torsby")
    assert torsby["stomlinje_status"] == "Okänt: närmare station utan tidtabell"


def test_drawing_scales() -> None:
    assert line_width(5) < line_width(30) < line_width(200)
    assert station_radius(0) < station_radius(22) <= station_radius(10_000)
    svg = profile_svg(",".join(["0"] * 6 + ["3"] + ["1"] * 17), "en")
    assert svg.count("<rect") == 24 and "(max 3)" in svg
    assert not re.search(r"<script", svg)
    mean = profile_svg(",".join(["0"] * 6 + ["1.5"] + ["0.2"] * 17), "sv")
    assert "(max 1.5)" in mean and "06: 1.5" in mean
    assert profile_svg(None, "sv") == ""
