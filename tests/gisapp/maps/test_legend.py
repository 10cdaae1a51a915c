"""Legends list only what the map draws: categories present, and for layers classed by colour
only the colours drawn."""

from __future__ import annotations

from gisapp.maps.compose import legend_rows
from layers.catalog import SPECS


def test_access_legend_has_only_the_classes_drawn(built):
    rows = legend_rows(SPECS["tillganglighet"], built)
    labels = [sv for _, sv, _ in rows]
    origins = built.layer("tillganglighet")
    assert ("ej nåbar" in labels) == bool((~origins["nabar"].astype(bool)).any())
    assert 1 <= len(rows) <= len(SPECS["tillganglighet"].legend)


def test_service_legend_has_only_the_categories_present(built):
    labels = {sv.rsplit(" (", 1)[0] for _, sv, _ in legend_rows(SPECS["service"], built)}
    assert labels == set(built.layer("service")["kategori_sv"])  # each with its count


def test_tatort_circles_are_sized_by_population(built):
    from gisapp.maps.renderers import style_function

    frame = built.layer("tatort_stomlinje").drop(columns="geometry")
    style = style_function(SPECS["tatort_stomlinje"])
    rows = frame.sort_values("bef_2020").to_dict("records")
    radii = [style({"properties": r})["radius"] for r in rows]
    assert radii == sorted(radii) and radii[-1] > radii[0]
    assert SPECS["tatort_stomlinje"].symbol_notes  # the legend says what size means
