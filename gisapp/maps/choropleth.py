"""Indicator choropleth on a folium map: one indicator per kommun, classed with mapclassify.

Classes are Fisher–Jenks natural breaks (deterministic) over the region's kommuner, coloured
with a viridis ramp (colour-blind-safe, readable in greyscale). The legend states the
indicator, its unit, area type and year; kommuner without a value are drawn hatched grey as
"saknar data", never as zero. All data-derived text is HTML-escaped.
"""

from __future__ import annotations

import warnings
from html import escape

import folium
import mapclassify
import numpy as np
import pandas as pd
from branca.element import Element

from data_sources.errors import RequestError
from gisapp.indicators.query import table
from gisapp.maps.display import simplify_for_display, to_geojson
from gisapp.store import Build
from gisapp.web.numbers import formatter, number, unit_label
from layers.indikatorer import OMRADEN, describe
from messages import LANGUAGES, section

# viridis, light (low) to dark (high)
PALETTE = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
NO_DATA = "#bdbdbd"
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


def classify(values: pd.Series) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Return the class index per value (-1 for missing) and each class's (low, high)."""
    present = values.dropna().astype("float64")
    classes = np.full(len(values), -1)
    if present.empty:
        return classes, []
    k = min(MAX_CLASSES, present.nunique())
    if k < 2:
        classes[values.notna().to_numpy()] = 0
        return classes, [(float(present.min()), float(present.max()))]
    with warnings.catch_warnings():  # the pure-Python path is instant for a region's kommuner
        warnings.filterwarnings("ignore", message="Numba not installed")
        scheme = mapclassify.FisherJenks(present.to_numpy(), k=k)
    classes[values.notna().to_numpy()] = scheme.yb
    lows = [float(present.min()), *scheme.bins[:-1].tolist()]
    return classes, list(zip(lows, scheme.bins.tolist(), strict=True))


def _colours(n: int) -> list[str]:
    """``n`` colours spread over the palette."""
    return [PALETTE[round(i * (len(PALETTE) - 1) / max(n - 1, 1))] for i in range(n)]


def _number(value: float, lang: str) -> str:
    """A legend bound: one decimal below 1 000, grouped, with the language's decimal sign."""
    return number(value, lang, 1 if abs(value) < 1000 else 0)


def _legend(caption: dict, ranges: list, colours: list[str], lang: str) -> str:
    """Return the legend box as escaped HTML; ``caption`` has titel, enhet, omrade, ar."""
    t = TEXTS[lang]
    title, unit, omrade, year = (caption[k] for k in ("titel", "enhet", "omrade", "ar"))
    items = "".join(
        f'<div><span style="background:{c};display:inline-block;width:14px;height:10px;'
        f'margin-right:4px"></span>{_number(low, lang)} – {_number(high, lang)}</div>'
        for c, (low, high) in zip(colours, ranges, strict=True))
    items += (f'<div><span style="background:{NO_DATA};display:inline-block;width:14px;'
              f'height:10px;margin-right:4px"></span>{escape(t["missing"])}</div>')
    return (f'<div class="sb-choropleth-legend" style="position:fixed;left:10px;bottom:110px;'
            f'z-index:1000;background:#fff;padding:6px 8px;font:12px system-ui,sans-serif;'
            f'border:1px solid #999;max-width:260px"><strong>{escape(title)}</strong><br>'
            f'{escape(unit_label(unit, lang))} · {escape(t[omrade])} · '
            f'{escape(t["year"])} {escape(year)}'
            f"{items}</div>")


def add_indicator_choropleth(fmap: folium.Map, build: Build, indikator: str, lang: str = "sv",
                             omrade: str = "hela_kommunen") -> None:
    """Add a choropleth of ``indikator`` (values for ``omrade``) and its legend to ``fmap``."""
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
    t, fmt = TEXTS[lang], formatter(lang)
    colours = _colours(len(ranges))
    frame["farg"] = [colours[c] if c >= 0 else NO_DATA for c in classes]
    frame["varde_text"] = [fmt(v, unit) if c >= 0 else t["missing"]
                           for v, c in zip(frame["varde"], classes, strict=True)]
    frame["varde"] = frame["varde"].round(2)
    year = "/".join(sorted(set(rows["ar"].astype(str))))
    folium.GeoJson(
        to_geojson(frame, escape=True),
        name=escape(info["titel"]),
        style_function=lambda f: {"fillColor": f["properties"]["farg"], "color": "#333333",
                                  "weight": 1, "fillOpacity": 0.75,
                                  "dashArray": None if f["properties"]["varde"] is not None
                                  else "4 4"},
        tooltip=folium.GeoJsonTooltip(fields=["kommunnamn", "varde_text"],
                                      aliases=[t["kommun"], escape(
                                          f"{info['titel']} ({unit_label(unit, lang)})")]),
    ).add_to(fmap)
    caption = {"titel": info["titel"], "enhet": unit, "omrade": omrade, "ar": year}
    legend = _legend(caption, ranges, colours, lang)
    fmap.get_root().html.add_child(Element(legend), name="sb_choropleth_legend")
