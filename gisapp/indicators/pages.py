"""Page data for ``/jamfor`` and ``/kommun/<kod>``: tables and SVG charts (no Flask).

Every class and län value comes from :func:`gisapp.indicator_query.query`, i.e. from
numerators and denominators.
"""

from __future__ import annotations

import math

import pandas as pd

from gisapp.indicators.charts import OKABE_ITO, Bar, Line, Reference, bar_chart, trend_chart
from gisapp.indicators.query import (
    ALL_YEARS,
    Selection,
    indicator_ids,
    indicator_sources,
    lan_codes_of,
    lan_of,
    missing_text,
    query,
    reference_rows,
)
from gisapp.store import Build
from gisapp.web.provenance import shown
from layers.indikatorer import OMRADEN, describe
from messages import LANGUAGES, section, text

AREA_LABELS = {lang: section("area", lang) for lang in LANGUAGES}
LAN_COLOUR = "#000000"
CLASS_COLOUR = OKABE_ITO[5]


def _value(value: object) -> float | None:
    """Return a table value as float, ``None`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return float(value)


def source_files(build: Build, indikator: str) -> list[dict]:
    """The files behind an indicator (``path, sha256``), each once, for the page's source line."""
    files = {f["path"]: f for source in indicator_sources(build, indikator)
             for f in source["files"] if f["sha256"]}
    return list(files.values())


def comparison(build: Build, selection: Selection, *, omrade: str, sort: str, lang: str) -> dict:
    """All kommuner grouped by class for one indicator and area type, with a bar chart.

    ``selection`` names the indicator and the classification (its ``kommun`` is ignored).

    Returns ``info`` (id, titel, enhet, not), ``groups`` (list of ``{klass, rows, average}``;
    rows have ``kommunkod, kommunnamn, varde, teljare, namnare, ar``), ``lan`` (län value),
    ``chart`` (SVG markup), ``files`` (:func:`source_files`), ``missing`` (reason or
    ``None``).
    """
    indikator = selection.indikator
    result = query(build, Selection(None, indikator, selection.klassning))
    rows = result["rader"][result["rader"]["omrade"] == omrade]
    rows = rows.assign(klass=rows["klass"].astype(object).fillna("–"))  # none stored
    classes = result["klasser"][result["klasser"]["omrade"] == omrade].set_index("grupp")
    lan = reference_rows(result)
    lan = lan[lan["omrade"] == omrade]
    by = ["varde", "kommunnamn"] if sort == "varde" else ["kommunnamn"]
    ascending = [False, True] if sort == "varde" else [True]
    # a count's group and län values are totals: drawn among single kommuner they would
    # stretch the axis and read as averages, so only shares get reference lines
    share = rows["namnare"].notna().any()
    groups, bars, references = [], [], []
    for klass, members in rows.groupby("klass", sort=True):
        members = members.sort_values(by, ascending=ascending)
        average = _value(classes["varde"].get(klass))
        alone = len(members) == 1
        groups.append({"klass": klass, "average": average,
                       "note": text("chart.alone", lang, kommun=members["kommunnamn"].iloc[0],
                                    group=klass) if alone else "",
                       "rows": members[["kommunkod", "kommunnamn", "varde", "teljare", "namnare",
                                        "ar"]].to_dict("records")})
        bars += [Bar(r.kommunnamn, _value(r.varde), OKABE_ITO[0], klass)
                 for r in members.itertuples()]
        if average is not None and share and not alone:  # alone: the line is its own bar
            label = text("chart.group_value", lang, group=klass)
            references.append(Reference(label, average, CLASS_COLOUR, klass))
    if share:
        references += [Reference(str(r.grupp), value, LAN_COLOUR) for r in lan.itertuples()
                       if (value := _value(r.varde)) is not None]
    # the region's one value (riket, or the one län) beside the table; none for several län
    lan_value = _value(lan["varde"].iloc[0]) if lan["grupp"].nunique() == 1 else None
    info = describe(indikator, lang)
    unit = rows["enhet"].iloc[0] if len(rows) else info["enhet"]
    chart = bar_chart(bars, unit=unit, title=info["titel"], lang=lang,
                      references=tuple(references))
    has_values = any(b.value is not None for b in bars)
    return {"trend": trend(build, indikator, klassning=selection.klassning, lang=lang,
                           omrade=omrade),
            "info": {**info, "enhet": unit}, "groups": groups, "lan": lan_value,
            "files": source_files(build, indikator),
            "chart": chart if has_values else None,
            "no_values": "" if has_values else text("indicators.no_values_area", lang,
                                                     area=AREA_LABELS[lang][omrade].lower()),
            "missing": (missing_text(build, indikator, result["saknas"][indikator], lang)
                        if indikator in result["saknas"] else None)}


def _points(frame: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """``(year, value)`` of the rows with a value and a single year, oldest first."""
    frame = frame[frame["varde"].notna() & frame["ar"].astype(str).str.fullmatch(r"\d{4}")]
    return tuple(sorted((str(r.ar), float(r.varde)) for r in frame.itertuples()))


def trend(build: Build, indikator: str, *, klassning: str, lang: str, omrade: str,
          kommunkod: str | None = None) -> object:
    """A small chart of the indicator over the years, ``None`` with fewer than two years.

    Lines: the kommun (when given), its class (shares only) or every class (the comparison
    page, shares only) and the län. A count's group totals are not drawn beside a kommun.
    """
    result = query(build, Selection(kommunkod, indikator, klassning, ALL_YEARS))
    rows = result["rader"][result["rader"]["omrade"] == omrade]
    classes = result["klasser"][result["klasser"]["omrade"] == omrade]
    lan = reference_rows(result, kommun=kommunkod is not None)
    lan = lan[lan["omrade"] == omrade]
    share = rows["namnare"].notna().any()
    lines = []
    if kommunkod is not None:
        lines.append(Line(build.kommuner[kommunkod], _points(rows), OKABE_ITO[0]))
    if share:
        for n, (klass, part) in enumerate(classes.groupby("grupp", sort=True)):
            colour = CLASS_COLOUR if kommunkod else OKABE_ITO[(n + 1) % len(OKABE_ITO)]
            lines.append(Line(str(klass), _points(part), colour, dashed=kommunkod is not None))
    if share or kommunkod is None:
        lines += [Line(str(name), _points(part), LAN_COLOUR, dashed=True)
                  for name, part in lan.groupby("grupp", sort=True)]
    lines = [line for line in lines if len(line.points) > 1]
    if not lines:
        return None
    info = describe(indikator, lang)
    unit = rows["enhet"].iloc[0] if len(rows) else info["enhet"]
    title = f"{info['titel']} – {text('indicators.trend', lang)}"
    return trend_chart(lines, unit=unit, title=title, lang=lang)


def source_note(build: Build, indikator: str, kommunkod: str, kalla: object,
                lang: str) -> str:
    """The source of one value as the page's language says it.

    Swedish pages show the row's own ``kalla``; English pages the publishers of the sources
    behind the indicator, or the English reason when the row is empty because the kommun's
    rail service is not covered by the timetables.
    """
    if lang == "sv":
        return str(kalla)
    stations = build.manifest["layers"].get("hallplatser", {})
    reason = stations.get("kommuner_utan_tackning", {}).get(kommunkod, {})
    if reason.get("sv") and reason["sv"] in str(kalla):
        return reason["en"]
    publishers = dict.fromkeys(shown(s, "publisher", lang)
                               for s in indicator_sources(build, indikator))
    return "; ".join(publishers) or "–"


def _chart_for(block: pd.DataFrame, *, names: tuple[str, str, str], unit: str,
               lang: str) -> object:
    """Bars per area type: the kommun, its class and the län (shares); kommun only (counts).

    ``names`` are the kommun's, its class's and the län's labels.
    """
    labels = AREA_LABELS[lang]
    kommunnamn, klass, lansnamn = names
    count = block["namnare"].isna().all()
    bars = []
    for omrade in OMRADEN:
        row = block[block["omrade"] == omrade]
        if row.empty:
            continue
        row = row.iloc[0]
        bars.append(Bar(kommunnamn, _value(row["varde"]), OKABE_ITO[0], labels[omrade]))
        if not count:
            bars.append(Bar(klass, _value(row["klass_varde"]), CLASS_COLOUR, labels[omrade]))
            bars.append(Bar(lansnamn, _value(row["lan_varde"]), OKABE_ITO[4], labels[omrade]))
    title = describe(block["indikator"].iloc[0], lang)["titel"]
    return bar_chart(bars, unit=unit, title=title, lang=lang)


def population_check(rows: pd.DataFrame) -> dict | None:
    """The grid's kommun total beside SCB's register total, or ``None`` without both.

    ``rows`` are the kommun's indicator rows. Returns ``register, register_ar, grid,
    grid_ar, skillnad`` (grid − register) and ``procent`` (of the register total).
    """
    whole = rows[rows["omrade"] == "hela_kommunen"].set_index("indikator")
    if not {"befolkning", "befolkning_ruta"} <= set(whole.index):
        return None
    register, grid = whole.loc["befolkning"], whole.loc["befolkning_ruta"]
    if pd.isna(register["varde"]) or pd.isna(grid["varde"]) or register["varde"] <= 0:
        return None
    difference = float(grid["varde"] - register["varde"])
    return {"register": float(register["varde"]), "register_ar": register["ar"],
            "grid": float(grid["varde"]), "grid_ar": grid["ar"], "skillnad": difference,
            "procent": 100.0 * difference / float(register["varde"])}


def profile(build: Build, kommunkod: str, *, klassning: str, lang: str) -> dict:
    """Tätort, landsbygd and whole-kommun values of every indicator against class and län.

    Returns ``klass`` (the kommun's class), ``lansnamn`` (its län), ``befolkning``
    (:func:`population_check`),
    ``blocks`` (per indicator: ``info``, ``rows`` with ``omrade, varde, klass_varde,
    lan_varde, ar, kalla``, ``chart``, ``files``) and ``missing``
    (one entry per reason: ``orsak`` and the ``indikatorer`` it holds for, as ``id, titel``).
    """
    result = query(build, Selection(kommunkod, None, klassning))
    rows, names = result["rader"], build.kommuner
    klass = rows["klass"].dropna().iloc[0] if rows["klass"].notna().any() else ""
    keys = ["indikator", "omrade"]
    merged = rows.merge(result["klasser"][[*keys, "varde"]].rename(columns={"varde":
                        "klass_varde"}), on=keys, how="left")
    merged = merged.merge(result["lan"][[*keys, "varde"]].rename(columns={"varde": "lan_varde"}),
                          on=keys, how="left")
    lansnamn = lan_of(build).get(kommunkod, build.manifest["region"]["lansnamn"])
    blocks = []
    order = {k: i for i, k in enumerate(indicator_ids(build))}  # catalogue first
    merged = merged.sort_values("indikator", key=lambda ids: ids.map(order), kind="stable")
    for indikator, block in merged.groupby("indikator", sort=False):
        block = block.set_index("omrade").reindex(
            [o for o in OMRADEN if o in set(block["omrade"])]).reset_index()
        unit = block["enhet"].iloc[0]
        blocks.append({
            "info": {**describe(indikator, lang), "enhet": unit},
            "rows": [{**row, "kalla": source_note(build, indikator, kommunkod, row["kalla"],
                                                  lang)}
                     for row in block[["omrade", "varde", "klass_varde", "lan_varde", "ar",
                                       "kalla"]].to_dict("records")],
            "chart": _chart_for(block, names=(names[kommunkod], klass, lansnamn), unit=unit,
                                lang=lang),
            "files": source_files(build, indikator),
            "trend": trend(build, indikator, klassning=klassning, lang=lang,
                           omrade="hela_kommunen", kommunkod=kommunkod),
        })
    missing: dict[str, list[dict]] = {}
    for indikator, reason in result["saknas"].items():
        text = missing_text(build, indikator, reason, lang)
        missing.setdefault(text, []).append(describe(indikator, lang))
    return {"klass": klass, "lansnamn": lansnamn, "befolkning": population_check(rows),
            "blocks": blocks,
            "missing": [{"orsak": reason, "indikatorer": items}
                        for reason, items in missing.items()]}


def lan_profile(build: Build, lanskod: str, *, lang: str) -> dict:
    """One län of the build: its aggregate of every indicator beside riket's, and its kommuner.

    Returns ``lansnamn``, ``kommuner`` (``{kommunkod: kommunnamn}`` of the län), ``blocks``
    (per indicator: ``info`` and ``rows`` with ``omrade, varde, riket_varde, ar, kalla,
    antal_kommuner, kommuner_i_gruppen``, ``files``) and ``riket`` (whether the build has
    riket values).
    """
    lansnamn = lan_codes_of(build)[lanskod]
    lan = lan_of(build)
    members = lan[lan == lansnamn].index
    result = query(build, Selection(None, None, None))
    keys = ["indikator", "omrade"]
    rows = result["lan"][result["lan"]["grupp"] == lansnamn]
    riket = result["riket"][[*keys, "varde"]].rename(columns={"varde": "riket_varde"})
    rows = rows.merge(riket, on=keys, how="left")
    order = {k: i for i, k in enumerate(indicator_ids(build))}
    rows = rows.sort_values("indikator", key=lambda ids: ids.map(order), kind="stable")
    blocks = []
    for indikator, block in rows.groupby("indikator", sort=False):
        block = block.set_index("omrade").reindex(
            [o for o in OMRADEN if o in set(block["omrade"])]).reset_index()
        blocks.append({
            "info": {**describe(indikator, lang), "enhet": block["enhet"].iloc[0]},
            "rows": block[["omrade", "varde", "riket_varde", "ar", "kalla", "antal_kommuner",
                           "kommuner_i_gruppen"]].to_dict("records"),
            "files": source_files(build, indikator)})
    return {"lansnamn": lansnamn, "blocks": blocks, "riket": not result["riket"].empty,
            "kommuner": {k: build.kommuner[k] for k in members if k in build.kommuner}}
