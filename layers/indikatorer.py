"""The indicator table contract (long format, one row per value).

Columns: ``kommunkod, omrade, indikator, varde, enhet, teljare, namnare, ar, kalla``.
``omrade`` is ``tatort``, ``landsbygd`` or ``hela_kommunen``. Shares are ``teljare /
namnare`` (``varde`` in the stated ``enhet``, e.g. ``procent``); counts have ``namnare``
empty. Aggregates per class and for the län are always computed from ``teljare`` and
``namnare`` (population-weighted), never by averaging ``varde``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_sources.errors import DataError
from layers.indikator_namn import pattern_title
from messages import both, has

COLUMNS = ["kommunkod", "omrade", "indikator", "varde", "enhet", "teljare", "namnare", "ar",
           "kalla"]
OMRADEN = ("tatort", "landsbygd", "hela_kommunen")


def check(frame: pd.DataFrame, producer: str) -> pd.DataFrame:
    """Return ``frame`` with exactly :data:`COLUMNS`, raising if it breaks the contract."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        msg = f"indicator rows from {producer}: missing column(s) {missing}"
        raise DataError(msg)
    bad = sorted(set(frame["omrade"]) - set(OMRADEN))
    if bad:
        msg = f"indicator rows from {producer}: omrade must be one of {OMRADEN}, got {bad}"
        raise DataError(msg)
    percent = frame["enhet"].map(scale) != 1.0
    unweighable = percent & frame["teljare"].notna() & frame["namnare"].isna()
    if unweighable.any():
        ids = sorted(set(frame.loc[unweighable, "indikator"]))
        msg = (f"indicator rows from {producer}: a percentage with a numerator needs its "
               f"denominator, missing for {ids}")
        raise DataError(msg)
    return frame[COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class Indikator:
    """Labels and unit of one indicator id (Swedish first, English second)."""

    title_sv: str
    title_en: str
    enhet: str
    note_sv: str = ""
    note_en: str = ""

    @classmethod
    def of(cls, indikator: str, enhet: str) -> Indikator:
        """The indicator's labels from the catalogue: ``indicator.<id>.title`` (and ``.note``)."""
        note = f"indicator.{indikator}.note"
        notes = both(note) if has(note) else ("", "")
        return cls(*both(f"indicator.{indikator}.title"), enhet, *notes)


# Indicators produced by this module. Other steps (stomlinjer, tillgänglighet) add their own
# ids; :func:`describe` falls back to the id for those.
UNITS = {"befolkning": "invånare", "andel_i_tatort": "procent", "befolkning_ruta": "invånare",
         "andel_eftergymnasial_16_74": "procent", "andel_0_19": "procent",
         "andel_75_plus": "procent",
         **{f"bredband_{speed}_{who}": "procent" for speed in ("100mbit", "1gbit")
            for who in ("hushall", "arbetsstallen")}}
CATALOGUE: dict[str, Indikator] = {i: Indikator.of(i, unit) for i, unit in UNITS.items()}
BREDBAND_IDS = tuple(k for k in CATALOGUE if k.startswith("bredband_"))
AGGREGATE_COLUMNS = ["grupp", "omrade", "indikator", "varde", "enhet", "teljare", "namnare",
                     "ar", "kalla", "antal_kommuner", "kommuner_i_gruppen"]


def describe(indikator: str, lang: str = "sv") -> dict:
    """Return ``id, titel, enhet, not`` of an indicator in ``lang`` (id as title if unknown)."""
    entry = CATALOGUE.get(indikator)
    if entry is None:
        title = pattern_title(indikator, lang) or indikator
        return {"id": indikator, "titel": title, "enhet": "", "not": ""}
    sv = lang == "sv"
    return {"id": indikator, "titel": entry.title_sv if sv else entry.title_en,
            "enhet": entry.enhet, "not": entry.note_sv if sv else entry.note_en}


def _count_rows(frame: pd.DataFrame, indikator: str, enhet: str) -> pd.DataFrame:
    """Count rows: ``varde = teljare``, empty ``namnare``."""
    out = frame.assign(indikator=indikator, enhet=enhet, varde=frame["teljare"].astype("float64"),
                       namnare=np.nan)
    return out[COLUMNS]


def scale(enhet: str) -> float:
    """Factor from a ratio to ``varde``: 100 for percent units (``procent``, ``procent (…)``)."""
    return 100.0 if str(enhet).startswith("procent") else 1.0


def _share_rows(frame: pd.DataFrame, indikator: str, enhet: str = "procent") -> pd.DataFrame:
    """Share rows from ``teljare``/``namnare``: ``varde = scale × teljare / namnare``."""
    namnare = frame["namnare"].astype("float64")
    varde = scale(enhet) * frame["teljare"].astype("float64") / namnare.where(namnare > 0)
    return frame.assign(indikator=indikator, enhet=enhet, varde=varde)[COLUMNS]


def population_rows(split: pd.DataFrame, *, kalla: str) -> pd.DataFrame:
    """Return indicator ``befolkning`` from :func:`layers.befolkning.population_split`.

    Returns :data:`COLUMNS`; ``teljare`` is the population, ``namnare`` empty, ``ar`` the
    year of each part (e.g. ``2020/2025`` for landsbygd).
    """
    frame = split.rename(columns={"befolkning": "teljare"}).assign(kalla=kalla)
    return _count_rows(frame, "befolkning", "invånare")


def tatort_share_rows(split: pd.DataFrame, *, kalla: str) -> pd.DataFrame:
    """Return ``andel_i_tatort`` (hela_kommunen only): tätort population / kommun total.

    Returns :data:`COLUMNS`; ``ar`` is the landsbygd year string (both years side by side).
    """
    wide = split.pivot(index="kommunkod", columns="omrade", values="befolkning")
    years = split[split["omrade"] == "landsbygd"].set_index("kommunkod")["ar"]
    frame = pd.DataFrame({"kommunkod": wide.index, "omrade": "hela_kommunen",
                          "teljare": wide["tatort"].to_numpy(),
                          "namnare": wide["hela_kommunen"].to_numpy(),
                          "ar": years.reindex(wide.index).to_numpy(), "kalla": kalla})
    return _share_rows(frame, "andel_i_tatort")


def grid_population_rows(sums: pd.DataFrame, *, ar: str, kalla: str) -> pd.DataFrame:
    """Indicator ``befolkning_ruta`` from :func:`layers.befolkningsruta.population_by_area`."""
    frame = sums.rename(columns={"befolkning": "teljare"}).assign(ar=ar, kalla=kalla)
    return _count_rows(frame, "befolkning_ruta", "invånare")


PANEL_SHARES = {"andel_eftergymnasial": "andel_eftergymnasial_16_74",
                "andel_0_19": "andel_0_19", "andel_75_plus": "andel_75_plus"}


def panel_rows(panel: pd.DataFrame, *, kommunkoder: list[str], kalla: str) -> pd.DataFrame:
    """Every panel year of education and age structure (hela_kommunen), and the population.

    Shares (:data:`PANEL_SHARES`): ``teljare`` = share × total population and ``namnare`` =
    total population, so that county and group values are population-weighted (the source
    has no head count per age group). ``befolkning`` rows give the panel's population. ``ar``
    is the measurement year (31 December of panel year − 1), so the rows sit beside other
    sources' years in one series.
    """
    rows = panel[panel["kommunkod"].isin(kommunkoder)]
    base = pd.DataFrame({"kommunkod": rows["kommunkod"], "omrade": "hela_kommunen",
                         "namnare": rows["folkmangd"].astype("float64"), "ar": rows["matar"],
                         "kalla": kalla})
    parts = [_share_rows(base.assign(teljare=rows[column] * rows["folkmangd"]), indikator)
             for column, indikator in PANEL_SHARES.items() if column in rows.columns]
    parts.append(_count_rows(base.assign(teljare=rows["folkmangd"].astype("float64")),
                             "befolkning", "invånare"))
    return pd.concat(parts, ignore_index=True)


def latest(table: pd.DataFrame) -> pd.DataFrame:
    """The latest year's row of each kommun, område and indicator (the table keeps all)."""
    if table.empty:
        return table
    order = table.sort_values("ar", kind="stable")
    return order.drop_duplicates(["kommunkod", "omrade", "indikator"], keep="last"
                                 ).sort_index()


BREDBAND_OMRADE = {"tatort": "tatort", "smaort": "landsbygd", "utanfor": "landsbygd",
                   "totalt": "hela_kommunen"}
# How many PTS områden make up each of ours (a sum over fewer would be partial).
_BREDBAND_PARTS = {"tatort": 1, "landsbygd": 2, "hela_kommunen": 3}


def _counted_broadband(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Summed ``teljare``/``namnare`` per område from rows that carry counts.

    Landsbygd needs both småort and utanför; hela_kommunen is PTS' ``totalt`` when given,
    else the sum of all three parts. A part counts only with both its count and its share
    (a blank share over zero households is zero): a blank share is never read as 0 %, so the
    sums it would enter are left out as partial.
    """
    known = frame["andel"].notna() | (frame["antal"] == 0)
    counted = frame[frame["antal"].notna() & known].assign(
        med_tillgang=lambda f: f["med_tillgang"].fillna(0.0))
    parts = counted[counted["omrade"] != "totalt"].assign(
        omrade=lambda f: f["omrade"].map(BREDBAND_OMRADE))
    whole = parts.assign(omrade="hela_kommunen")
    totals = counted[counted["omrade"] == "totalt"].assign(omrade="hela_kommunen")
    summed = (pd.concat([parts, whole], ignore_index=True)
              .groupby([*keys, "omrade"], as_index=False)
              .agg(teljare=("med_tillgang", "sum"), namnare=("antal", "sum"),
                   delar=("antal", "size")))
    summed = summed[summed["delar"] == summed["omrade"].map(_BREDBAND_PARTS)]
    given = totals.rename(columns={"med_tillgang": "teljare", "antal": "namnare"})
    given_keys = given.set_index([*keys, "omrade"]).index
    summed = summed[~summed.set_index([*keys, "omrade"]).index.isin(given_keys)]
    return pd.concat([given[[*keys, "omrade", "teljare", "namnare"]],
                      summed[[*keys, "omrade", "teljare", "namnare"]]], ignore_index=True)


def broadband_rows(bredband: pd.DataFrame, *, kommunkoder: list[str], kalla: str) -> pd.DataFrame:
    """Return ``bredband_<hastighet>_<mottagare>`` per tatort, landsbygd, hela_kommunen.

    PTS' tätort is tätort; småort and "utanför tätort och småort" together are landsbygd.
    Where the table gives counts, ``teljare`` = households/workplaces with access and
    ``namnare`` = all of them (see :func:`_counted_broadband`). Where it gives only shares
    (PTS' workbook without counts), tätort and hela_kommunen carry PTS' share as ``varde`` with
    ``teljare``/``namnare`` empty, so that no class or län value is made from unweighted
    shares, and landsbygd is left out (two shares cannot be combined without their counts).
    Per indicator only the latest year (``ar``) in the table is used, so that years are never
    summed.
    """
    frame = bredband[bredband["kommunkod"].isin(kommunkoder)]
    latest = frame.groupby(["mottagare", "hastighet"])["ar"].transform("max")
    frame = frame[frame["ar"] == latest]
    keys = ["kommunkod", "ar", "mottagare", "hastighet"]
    counted = _counted_broadband(frame, keys)
    shares = frame[frame["antal"].isna() & frame["andel"].notna()
                   & frame["omrade"].isin(["tatort", "totalt"])]
    shares = shares.assign(omrade=shares["omrade"].map(BREDBAND_OMRADE), teljare=np.nan,
                           namnare=np.nan)
    shares = shares[~shares.set_index([*keys, "omrade"]).index.isin(
        counted.set_index([*keys, "omrade"]).index)]
    out = []
    for (who, speed), group in counted.groupby(["mottagare", "hastighet"]):
        out.append(_share_rows(group.assign(kalla=kalla), f"bredband_{speed}_{who}"))
    for (who, speed), group in shares.groupby(["mottagare", "hastighet"]):
        out.append(group.assign(indikator=f"bredband_{speed}_{who}", enhet="procent",
                                varde=group["andel"], kalla=kalla)[COLUMNS])
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=COLUMNS)


def combine(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Check each producer's rows against the contract and concatenate them."""
    checked = [check(frame, producer) for producer, frame in parts.items() if not frame.empty]
    if not checked:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(checked, ignore_index=True)


def aggregate(table: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Aggregate indicator rows over groups of kommuner from numerators and denominators.

    ``groups`` maps kommunkod → group label (a kommungrupp, or the län for one group).
    Counts sum ``teljare``; shares are ``scale × Σ teljare / Σ namnare`` (population- or
    household-weighted), never a mean of ``varde``. Kommuner not in ``groups`` are left out.
    A group value needs every member kommun: when one lacks a row or a number, ``varde``,
    ``teljare`` and ``namnare`` are empty (never a partial sum shown as the group's).

    Returns :data:`AGGREGATE_COLUMNS`: ``grupp, omrade, indikator, varde, enhet, teljare,
    namnare, ar, kalla, antal_kommuner`` (members with a row), ``kommuner_i_gruppen``.
    """
    frame = table[table["kommunkod"].isin(groups.index)].copy()
    if frame.empty:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    frame["grupp"] = frame["kommunkod"].map(groups)
    keys = ["grupp", "omrade", "indikator", "enhet"]
    frame = frame.assign(utan_teljare=frame["teljare"].isna(), med_namnare=frame["namnare"].notna())
    out = frame.groupby(keys, sort=True).agg(
        teljare=("teljare", "sum"), namnare=("namnare", "sum"), rader=("kommunkod", "size"),
        utan_teljare=("utan_teljare", "any"), med_namnare=("med_namnare", "sum"),
        antal_kommuner=("kommunkod", "nunique"))
    out = out.reset_index()
    out["ar"] = _joined(frame, out, keys, "ar", "/")
    out["kalla"] = _joined(frame, out, keys, "kalla", "; ")
    out["kommuner_i_gruppen"] = out["grupp"].map(groups.value_counts()).astype("int64")
    # a ratio (share, mean) has a denominator somewhere in the table, or a percent unit;
    # decided per indicator, so a group whose members all lack one is partial, not a count
    ratios = set(table.loc[table["namnare"].notna(), "indikator"])
    andel = out["indikator"].isin(ratios) | (out["enhet"].map(scale) != 1.0)
    partial = (out["utan_teljare"] | (andel & (out["med_namnare"] < out["rader"]))
               | (out["antal_kommuner"] < out["kommuner_i_gruppen"]))
    out.loc[partial | ~andel, "namnare"] = np.nan
    out.loc[partial, "teljare"] = np.nan
    ratio = out["teljare"] / out["namnare"].where(out["namnare"] > 0)
    factor = out["enhet"].map(scale)
    out["varde"] = np.where(andel, factor * ratio, out["teljare"])
    return out[AGGREGATE_COLUMNS]


def _joined(frame: pd.DataFrame, out: pd.DataFrame, keys: list[str], column: str,
            sep: str) -> list[str]:
    """Return, per row of ``out``, the distinct ``column`` values of its group, joined."""
    values: dict[tuple, set[str]] = {}
    for *key, value in frame[[*keys, column]].drop_duplicates().itertuples(index=False):
        values.setdefault(tuple(key), set()).add(str(value))
    return [sep.join(sorted(values[key])) for key in out[keys].itertuples(index=False,
                                                                             name=None)]
