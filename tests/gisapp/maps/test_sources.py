"""The source line names each publisher of the shown layers once, with its reference years
as the build manifest records them, and the indicator's own sources when one is shaded."""

from __future__ import annotations

import re

from gisapp.maps.sources import source_line


def test_source_line_of_the_kommun_layer(built):
    line = source_line(built, ["kommuner"], "sv")
    assert line.startswith("Källa: ")
    for source in built.manifest["layers"]["kommuner"]["sources"]:
        year = re.findall(r"\d{4}", source["reference_year"])[0]
        name = re.split(r"\s*[(,;]", source["publisher"])[0]
        assert f"{name} (" in line and year in line
    assert "OpenStreetMap" not in line
    assert "OpenStreetMap" in source_line(built, ["kommuner"], "en", basemap=True)


def test_an_indicator_adds_its_sources(built):
    plain = source_line(built, ["lan"], "sv")
    shaded = source_line(built, ["lan"], "sv", indikator="andel_i_tatort")
    assert plain == "Källa: Lantmäteriet (2018)"
    grid_year = next(s["reference_year"] for s in built.manifest["layers"]["befolkning"]
                     ["sources"] if s["name"] == "befolkningsruta")
    assert shaded != plain and "SCB (" in shaded and grid_year in shaded


def test_publishers_are_named_in_the_page_language(built):
    (source,) = [s for s in built.manifest["layers"]["service"]["sources"]
                 if s["name"] == "paketombud"]
    assert source["publisher"].startswith("unknown compiler")
    swedish = source_line(built, ["service"], "sv")
    english = source_line(built, ["service"], "en")
    assert "okänd sammanställare (" in swedish and "unknown" not in swedish
    assert "unknown compiler (" in english and english.startswith("Source: ")
