"""One palette for the map: no legend colour is shared by two layers, and each categorical
layer's classes stay apart for colour-blind viewers (simulated deuteranopia/protanopia)."""

from __future__ import annotations

from itertools import combinations

import pytest

from layers import palette
from layers.catalog import LAYERS, legend_colours

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
}


def _linear(hex_colour: str) -> tuple[float, ...]:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def _lab(linear: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in linear)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _seen(hex_colour: str, matrix) -> tuple[float, float, float]:
    rgb = _linear(hex_colour)
    return _lab(tuple(sum(m * c for m, c in zip(row, rgb, strict=True)) for row in matrix))


def test_no_colour_is_shared_by_two_layers():
    """The per-category access squares (``tillganglighet_<kategori>``) show the measure of the
    ``tillganglighet`` layer on its scale: one family, counted once."""
    from layers import tillganglighet_ruta

    family = {spec.id: "tillganglighet" for spec in tillganglighet_ruta.SPECS}
    owners: dict[str, list[str]] = {}
    for layer_id, colours in legend_colours().items():
        for colour in colours:
            owner = family.get(layer_id, layer_id)
            if owner not in owners.setdefault(colour, []):
                owners[colour].append(owner)
    shared = {c: ids for c, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_choropleth_colours_are_apart_from_every_layer():
    used = set().union(*legend_colours().values())
    assert not {c.lower() for c in (*palette.CHOROPLETH, palette.CHOROPLETH_NO_DATA)} & used


@pytest.mark.parametrize("kind", sorted(CVD))
def test_classes_of_a_layer_stay_apart_for_colour_blind_viewers(kind):
    too_close = []
    for spec in LAYERS:
        colours = sorted({c for c, _, _ in spec.legend_rows()})
        for a, b in combinations(colours, 2):
            la, lb = _seen(a, CVD[kind]), _seen(b, CVD[kind])
            distance = sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5
            if distance < 8:  # ΔE*ab below ~8: hard to tell apart on a map symbol
                too_close.append((spec.id, a, b, round(distance, 1)))
    assert too_close == []
