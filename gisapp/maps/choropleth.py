"""Indicator choropleth on a folium map: one indicator per kommun, classed with mapclassify.

Classes are Fisher–Jenks natural breaks (deterministic) over the region's kommuner, rounded to
readable numbers (a step of a tenth of the data's order of magnitude); classes the rounding
leaves empty or repeated are merged, so every class in the legend holds a kommun. They are
coloured with a viridis ramp (colour-blind-safe, readable in greyscale). The legend states the
indicator, its unit, area type and year; kommuner without a value are drawn hatched grey as
"saknar data", never as zero. All data-derived text is HTML-escaped.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from html import escape

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from branca.element import Element

from data_sources.errors import RequestError
from gisapp.indicators.query import table
from gisapp.maps import panes
from gisapp.maps.display import simplify_for_display, to_geojson
from gisapp.store import Build
from gisapp.web.numbers import formatter, number, unit_label
from layers import palette
from layers.indikatorer import OMRADEN, describe
from messages import LANGUAGES, section

PALETTE = palette.CHOROPLETH  # viridis, light (low) to dark (high)
NO_DATA = palette.CHOROPLETH_NO_DATA
MAX_CLASSES = len(PALETTE)
TEXTS = {lang: section("choropleth", lang) for lang in LANGUAGES}


def mappable_indicators(build: Build) -> list[str]:
    """Indicators the map can shade: those with a whole-kommun value for some kommun.

    The choropleth shows ``hela_kommunen``; an indicator measured only for tätorter (service
    access without a population grid) would colour every kommun "saknar data".
    """
    rows = table(build)
    whole = rows[(rows["omrade"] == "hela_kommunen") & rows["varde"].notna()]
    return list(dict.fromkeys(whole["indikator"]))


def parse_indikator(value: str | None, build: Build) -> str | None:
    """Validate ``?indikator=``: an indicator the map can shade (``None`` when absent)."""
    if value is None or value == "":
        return None
    present = sorted(mappable_indicators(build))
    if value not in present:
        shown = value[:40]
        raise RequestError("indikator", f"unknown or missing indicator {shown!r}; available: "
                                        f"{', '.join(present)}")
    return value


def readable_step(values: np.ndarray) -> float:
    """The rounding step of class bounds: a tenth of the values' order of magnitude."""
    span = float(np.max(values) - np.min(values)) or abs(float(np.max(values))) or 1.0
    return 10.0 ** (math.floor(math.log10(span)) - 1)


def _upper_bounds(present: np.ndarray, k: int, step: float) -> list[float]:
    """Fisher–Jenks upper bounds rounded to ``step``, ascending and distinct; the last ≥ max."""
    with warnings.catch_warnings():  # the pure-Python path is instant for a region's kommuner
        warnings.filterwarnings("ignore", message="Numba not installed")
        bins = mapclassify.FisherJenks(present, k=k).bins
    inner = [round(b / step) * step for b in bins[:-1]]
    top = math.ceil(float(present.max()) / step - 1e-9) * step
    return sorted({*(b for b in inner if b < top), top})


def classify(values: pd.Series) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Return the class index per value (-1 for missing) and each class's (low, high).

    A value ``v`` is in class ``i`` when ``high[i-1] < v ≤ high[i]``; every class holds at
    least one value and bounds are multiples of :func:`readable_step`.
    """
    present = values.dropna().astype("float64").to_numpy()
    classes = np.full(len(values), -1)
    if present.size == 0:
        return classes, []
    step = readable_step(present)
    low = math.floor(float(present.min()) / step + 1e-9) * step
    k = min(MAX_CLASSES, len(np.unique(present)))
    uppers = ([math.ceil(float(present.max()) / step - 1e-9) * step] if k < 2
              else _upper_bounds(present, k, step))
    index = np.searchsorted(uppers, present - step * 1e-9, side="left")
    used = sorted(set(index.tolist()))  # drop classes the rounding left empty
    uppers = [uppers[i] for i in used]
    classes[values.notna().to_numpy()] = np.searchsorted(used, index)
    lows = [low, *uppers[:-1]]
    return classes, [(float(a), float(b)) for a, b in zip(lows, uppers, strict=True)]


def _colours(n: int) -> list[str]:
    """``n`` colours spread over the palette."""
    return [PALETTE[round(i * (len(PALETTE) - 1) / max(n - 1, 1))] for i in range(n)]


def _number(value: float, step: float = 0.1, lang: str = "sv") -> str:
    """Format a legend bound to the precision of ``step``, grouped, in ``lang``'s decimals."""
    return number(value, lang, max(0, -math.floor(math.log10(step) + 1e-9)))


def range_labels(ranges: list[tuple[float, float]], lang: str = "sv") -> list[str]:
    """Legend texts of class ranges: ``low – high``, or one number for a one-value class."""
    if not ranges:
        return []
    step = readable_step(np.array([ranges[0][0], ranges[-1][1]]))
    return [_number(low, step, lang) if low == high
            else f"{_number(low, step, lang)} – {_number(high, step, lang)}"
            for low, high in ranges]


def _legend(caption: dict, ranges: list, colours: list[str], lang: str) -> str:
    """Return the legend box as escaped HTML; ``caption`` has titel, enhet, omrade, ar."""
    t = TEXTS[lang]
    title, unit, omrade, year = (caption[k] for k in ("titel", "enhet", "omrade", "ar"))
    items = "".join(
        f'<div><span style="background:{c};display:inline-block;width:14px;height:10px;'
        f'margin-right:4px"></span>{escape(text)}</div>'
        for c, text in zip(colours, range_labels(ranges, lang), strict=True))
    items += (f'<div><span style="background:{NO_DATA};display:inline-block;width:14px;'
              f'height:10px;margin-right:4px"></span>{escape(t["missing"])}</div>')
    return (f'<div class="sb-choropleth-legend" style="position:fixed;left:10px;bottom:110px;'
            f'z-index:1000;background:#fff;padding:6px 8px;font:12px system-ui,sans-serif;'
            f'border:1px solid #999;max-width:260px"><strong>{escape(title)}</strong><br>'
            f'{escape(unit_label(unit, lang))} · {escape(t[omrade])} · '
            f'{escape(t["year"])} {escape(year)}'
            f"{items}</div>")


@dataclass(frozen=True)
class Shading:
    """A classed indicator: kommuner with ``varde`` and ``farg``, class ranges and colours."""

    frame: gpd.GeoDataFrame  # kommunkod, kommunnamn, varde, farg, geometry (EPSG:3006)
    ranges: list[tuple[float, float]]
    colours: list[str]
    caption: dict  # titel, enhet, omrade, ar


def shade(build: Build, indikator: str, lang: str = "sv",
          omrade: str = "hela_kommunen") -> Shading:
    """Class ``indikator`` (values for ``omrade``) over the region's kommuner."""
    if omrade not in OMRADEN:
        raise RequestError("omrade", f"expected one of {', '.join(OMRADEN)}")
    rows = table(build)
    rows = rows[(rows["indikator"] == indikator) & (rows["omrade"] == omrade)]
    kommuner = simplify_for_display("kommuner", build.layer("kommuner"))
    values = rows.drop_duplicates("kommunkod").set_index("kommunkod")["varde"]
    frame = kommuner[["kommunkod", "kommunnamn", "geometry"]].copy()
    frame["varde"] = frame["kommunkod"].map(values).astype("float64")
    classes, ranges = classify(frame["varde"])
    info = describe(indikator, lang)
    unit = rows["enhet"].iloc[0] if len(rows) else info["enhet"]
    colours = _colours(len(ranges))
    frame["farg"] = [colours[c] if c >= 0 else NO_DATA for c in classes]
    fmt = formatter(lang)  # the tooltip's text: the language's decimal sign and grouping
    frame["varde_text"] = [fmt(v, unit) if c >= 0 else TEXTS[lang]["missing"]
                           for v, c in zip(frame["varde"], classes, strict=True)]
    frame["varde"] = frame["varde"].round(2)
    year = "/".join(sorted(set(rows["ar"].astype(str))))
    return Shading(frame, ranges, colours,
                   {"titel": info["titel"], "enhet": unit, "omrade": omrade, "ar": year})


def add_indicator_choropleth(fmap: folium.Map, build: Build, indikator: str, lang: str = "sv",
                             omrade: str = "hela_kommunen") -> None:
    """Add a choropleth of ``indikator`` (values for ``omrade``) and its legend to ``fmap``."""
    shading = shade(build, indikator, lang, omrade)
    caption = shading.caption
    folium.GeoJson(
        to_geojson(shading.frame, escape=True),
        name=escape(caption["titel"]), pane=panes.CHOROPLETH,
        style_function=lambda f: {"fillColor": f["properties"]["farg"], "color": "#333333",
                                  "weight": 1, "fillOpacity": 0.75,
                                  "dashArray": None if f["properties"]["varde"] is not None
                                  else "4 4"},
        tooltip=folium.GeoJsonTooltip(fields=["kommunnamn", "varde_text"],
                                      aliases=[TEXTS[lang]["kommun"],
                                               escape(f"{caption['titel']} "
                                                      f"({unit_label(caption['enhet'], lang)})")]),
    ).add_to(fmap)
    legend = _legend(caption, shading.ranges, shading.colours, lang)
    fmap.get_root().html.add_child(Element(legend), name="sb_choropleth_legend")
