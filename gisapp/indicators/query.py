"""Read the indicator table of a build: per kommun, per class and for the län (no Flask).

Class and län values are always computed by :func:`layers.indikatorer.aggregate` from
numerators and denominators. An indicator the catalogue knows but the build lacks (e.g.
broadband without a PTS file) is reported as missing with the build's reason, never as zero.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from data_sources.klassning import CLASSIFICATIONS
from gisapp.store import Build
from layers import indikatorer
from layers.catalog import SPECS, producer_of
from layers.kommunindikatorer import SPEC as KOMMUNINDIKATORER
from layers.region import RIKET
from messages import has, text


@dataclass(frozen=True)
class Selection:
    """What one request asks for; ``None`` means all."""

    kommun: str | None
    indikator: str | None
    klassning: str | None
    ar: str | None = None  # None: the latest year; "alla": every year; else one year


ALL_YEARS = "alla"


_LATEST: weakref.WeakKeyDictionary[Build, pd.DataFrame] = weakref.WeakKeyDictionary()
_HISTORY: weakref.WeakKeyDictionary[Build, pd.DataFrame] = weakref.WeakKeyDictionary()
# the builds :func:`query` answered for, by id: the cache is keyed on ids, not held builds
_BUILDS: weakref.WeakValueDictionary[str, Build] = weakref.WeakValueDictionary()


def table(build: Build) -> pd.DataFrame:
    """The build's latest indicator rows: one year per kommun, område and indicator.

    Contract-checked once per build (not per request); empty with the columns when none.
    Callers must not modify it. :func:`history` has every year.
    """
    latest = _LATEST.get(build)
    if latest is None:
        latest = indikatorer.latest(history(build))
        _LATEST[build] = latest
    return latest


def history(build: Build) -> pd.DataFrame:
    """Every year of the build's indicator rows (the series behind the trend charts).

    Contract-checked once per build; callers must not modify it.
    """
    checked = _HISTORY.get(build)
    if checked is None:
        frame = build.indicators
        checked = (pd.DataFrame(columns=indikatorer.COLUMNS) if frame.empty
                   else indikatorer.check(frame, f"build {build.id}"))
        _HISTORY[build] = checked
    return checked


def classifications(build: Build, lang: str = "sv") -> dict[str, str]:
    """``{id: title}`` of the classifications stored in the build (SKR first)."""
    if KOMMUNINDIKATORER.id not in build.layer_ids():
        return {}
    columns = build.layer(KOMMUNINDIKATORER.id).columns
    return {key: text(f"classification.{key}.title", lang) for key in CLASSIFICATIONS
            if f"klass_{key}" in columns}


def classification_choices(build: Build, lang: str) -> list[dict]:
    """Every classification the app knows, stored or not, for the class selector.

    Each is ``id, title, missing`` (the how-to-add text when the build lacks its table,
    else ``""``).
    """
    stored = classifications(build, lang)
    return [{"id": key, "title": text(f"classification.{key}.title", lang),
             "missing": "" if key in stored else missing_classification(key, lang)}
            for key in CLASSIFICATIONS]


def missing_classification(key: str, lang: str) -> str:
    """How to add the table of a classification the build lacks."""
    how = f"classification.{key}.how_to_add"
    return text(how, lang) if has(how) else text("indicators.no_data_suffix", lang)


def groups(build: Build, klassning: str) -> pd.Series:
    """``kommunkod → class label`` for one stored classification (empty when not stored)."""
    if klassning not in classifications(build):
        return pd.Series(dtype="string")
    frame = build.layer(KOMMUNINDIKATORER.id)
    return frame.set_index("kommunkod")[f"klass_{klassning}"].dropna()


def indicator_ids(build: Build) -> list[str]:
    """Every indicator id the build has or the catalogue knows, catalogue order first."""
    present = table(build)["indikator"].unique().tolist()
    return list(dict.fromkeys([*indikatorer.CATALOGUE, *present]))


def indicator_sources(build: Build, indikator: str) -> list[dict]:
    """The source files behind ``indikator``: those of the layer step that produced it.

    Each entry: ``name, publisher, title, reference_year, licence, files`` (``path, sha256``),
    as recorded in the build manifest (empty when the build has no rows of the indicator).
    """
    for layer in build.manifest["layers"].values():
        if indikator in layer.get("indikatorer", ()):
            return [{"name": s["name"], "publisher": s["publisher"], "title": s["title"],
                     "reference_year": s["reference_year"], "licence": s["licence"],
                     "files": [{"path": f["path"], "sha256": f["sha256"]}
                               for f in s["files"]]}
                    for s in layer["sources"]]
    return []


def missing_reason(build: Build, indikator: str, present: set[str]) -> str | None:
    """Why ``indikator`` has no rows in ``build`` (``None`` when it has rows)."""
    if indikator in present:
        return None
    layer_id = _missing_producer(build, indikator)
    if layer_id is not None:
        return f"saknar data: {build.manifest['missing'][layer_id]}"
    return "saknar data: ingen källa för indikatorn i detta bygge"


def _missing_producer(build: Build, indikator: str) -> str | None:
    """The layer that would produce ``indikator`` and could not be built, if any."""
    spec = producer_of(indikator)
    return spec.id if spec is not None and spec.id in build.manifest["missing"] else None


def missing_text(build: Build, indikator: str, reason: str, lang: str) -> str:
    """``reason`` (from :func:`missing_reason`, Swedish) for a page in ``lang``.

    In English the producing layer's own instructions (``how_to_add_en``) replace the
    Swedish build message.
    """
    if lang == "sv":
        return reason
    layer_id = _missing_producer(build, indikator)
    if layer_id is not None:
        return f"no data: {SPECS[layer_id].how_to_add_en}"
    return "no data: no source for this indicator in this build"


def query(build: Build, selection: Selection) -> dict[str, pd.DataFrame | dict]:
    """Return kommun rows, class and län aggregates, and missing indicators for a selection.

    Results are cached per build id and selection (a build never changes once
    written); callers must not modify the returned frames.

    Keys: ``rader`` (:data:`layers.indikatorer.COLUMNS` + ``kommunnamn, klass``), ``klasser``,
    ``lan`` (one group per län, ``grupp`` its name) and ``riket`` (the whole country, only in
    a national build; else empty), all :data:`layers.indikatorer.AGGREGATE_COLUMNS` computed
    over every kommun of the group, not only the selected one; with a kommun selected,
    ``klasser`` and ``lan`` hold its own class and län. ``saknas``: ``{indikator: reason}``.
    """
    _BUILDS[build.id] = build
    return _query(build.id, selection)


@lru_cache(maxsize=256)
def _query(build_id: str, selection: Selection) -> dict[str, pd.DataFrame | dict]:
    """Compute :func:`query` for the build ``build_id`` (cached)."""
    build = _BUILDS[build_id]
    rows = table(build) if selection.ar is None else history(build)
    if selection.ar not in (None, ALL_YEARS):
        rows = rows[rows["ar"] == selection.ar]
    names = build.kommuner
    rows = rows[rows["kommunkod"].isin(names)]
    present = set(rows["indikator"])
    wanted = [selection.indikator] if selection.indikator else indicator_ids(build)
    rows = rows[rows["indikator"].isin(wanted)]
    classes = groups(build, selection.klassning)
    lan = lan_of(build)
    class_rows, lan_rows = per_year(rows, classes), per_year(rows, lan)
    riket_rows = (per_year(rows, pd.Series(RIKET, index=list(names)))
                  if build.manifest["region"].get("nationell") else
                  pd.DataFrame(columns=indikatorer.AGGREGATE_COLUMNS))
    if selection.kommun:
        rows = rows[rows["kommunkod"] == selection.kommun]
        class_rows = class_rows[class_rows["grupp"] == classes.get(selection.kommun)]
        lan_rows = lan_rows[lan_rows["grupp"] == lan.get(selection.kommun)]
    rows = rows.assign(kommunnamn=rows["kommunkod"].map(names),
                       klass=rows["kommunkod"].map(classes))
    saknas = {i: reason for i in wanted
              if (reason := missing_reason(build, i, present)) is not None}
    return {"rader": rows.reset_index(drop=True), "klasser": class_rows.reset_index(drop=True),
            "lan": lan_rows.reset_index(drop=True), "riket": riket_rows.reset_index(drop=True),
            "saknas": saknas}


def lan_of(build: Build) -> pd.Series:
    """``kommunkod → länsnamn`` of every kommun of the build (its own län in a multi-län build).

    Builds written before the region listed its län give every kommun the region's name.
    """
    region = build.manifest["region"]
    names = {lan["lanskod"]: lan["lansnamn"] for lan in region.get("lan", [])}
    return pd.Series({k["kommunkod"]: names.get(k.get("lanskod"), region["lansnamn"])
                      for k in region["kommuner"]}, dtype=object)


def lan_codes_of(build: Build) -> dict[str, str]:
    """``länskod → länsnamn`` of the build's län (the region's own code for older builds)."""
    region = build.manifest["region"]
    listed = region.get("lan") or [{"lanskod": region["lanskod"],
                                    "lansnamn": region["lansnamn"]}]
    return {lan["lanskod"]: lan["lansnamn"] for lan in listed}


def reference_rows(result: dict, *, kommun: bool = False) -> pd.DataFrame:
    """The aggregate rows a chart draws as reference lines.

    Beside one ``kommun``: its own län. Otherwise riket in a national build, else each län
    of the result (one in a one-län build).
    """
    if kommun or result["riket"].empty:
        return result["lan"]
    return result["riket"]


def per_year(rows: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """:func:`layers.indikatorer.aggregate` for each year of ``rows`` on its own.

    The latest table has one year per kommun and indicator, whose years the aggregate joins
    ("2020/2025"); a table of several years is aggregated year by year, never summed across.
    """
    counts = rows.groupby(["kommunkod", "omrade", "indikator"])["ar"].nunique()
    if rows.empty or counts.max() <= 1:
        return indikatorer.aggregate(rows, groups)
    parts = [indikatorer.aggregate(part, groups) for _, part in rows.groupby("ar", sort=True)]
    return pd.concat(parts, ignore_index=True)


def years(build: Build) -> list[str]:
    """Every year in the build's indicator rows, oldest first."""
    return sorted(set(history(build)["ar"].astype(str)))


def long_csv(result: dict) -> pd.DataFrame:
    """One frame for CSV export: kommun rows, then class, län and riket rows (``niva``)."""
    kommun = result["rader"].assign(niva="kommun", grupp=result["rader"]["klass"])
    klass = result["klasser"].assign(niva="klass", kommunkod="", kommunnamn="")
    lan = result["lan"].assign(niva="lan", kommunkod="", kommunnamn="")
    riket = result["riket"].assign(niva="riket", kommunkod="", kommunnamn="")
    columns = ["niva", "kommunkod", "kommunnamn", "grupp", *indikatorer.COLUMNS[1:]]
    parts = [p.reindex(columns=columns) for p in (kommun, klass, lan, riket) if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
