"""Coverage: which of the region's stations and operators the timetables here hold.

The stations and operators expected per län are a setting (:mod:`layers.forvantad_trafik`).
Each station of the region gets a status:

* ``trafikeras`` — departures on the analysed day(s) in a timetable here;
* ``ej_trafikdagen`` — in a timetable counted here, but no departure on the day(s);
* ``annan_period`` — only in a timetable of another period (not counted);
* ``saknar_tidtabell`` — expected (passenger service), in no timetable here.

A kommun is *covered* when every expected station in it is ``trafikeras``; its stomlinje
indicators are otherwise empty, with the stations and their status as the reason — never a
0 % that only says the timetable is missing. :func:`sentence` states the coverage in one
sentence (which operators' timetables are used, which are missing).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from layers.forvantad_trafik import Operator, RegionTraffic
from layers.tidtabeller import FlodeRapport, Natdag

STATUS = {
    "trafikeras": ("Trafikeras", "Served"),
    "ej_trafikdagen": ("Inga avgångar trafikdagen", "No departures on the service day"),
    "annan_period": ("Tidtabell för annan period", "Timetable of another period only"),
    "saknar_tidtabell": ("Saknar tidtabell", "No timetable"),
}
MODE_WORDS = {"tag": ("tåg", "rail"), "buss": ("buss", "bus")}
INDICATOR_PREFIX = "befolkning_stomlinje_"


@dataclass(frozen=True)
class Tackning:
    """Coverage of one build.

    ``stations`` (index: station key; region only): ``namn, kommunkod, status,
    forvantad`` (in the expected list), ``geometry``. ``kommuner``: ``kommunkod, komplett,
    orsak_sv, orsak_en``. ``operators``: ``namn, trafikslag, status`` (``med``,
    ``inga_turer``, ``annan_period``, ``saknas``); ``expected`` the operators of the
    setting. ``notes``: mismatches between the
    setting and the data, for the build log.
    """

    stations: gpd.GeoDataFrame
    kommuner: pd.DataFrame
    operators: pd.DataFrame
    feeds: tuple[FlodeRapport, ...]
    expected: tuple[Operator, ...]
    label_sv: str
    label_en: str
    notes: tuple[str, ...]


def expected_stations(register: gpd.GeoDataFrame, region: RegionTraffic | None
                      ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The expected stations found in the register, and the setting's signatures it lacks.

    Stations are indexed ``tv:<signatur>`` (the common key of :mod:`layers.stationsnyckel`).
    """
    wanted = list(region.stations) if region is not None else []
    found = register[register["signatur"].isin(wanted)]
    missing = [s for s in wanted if s not in set(found["signatur"])]
    out = found.assign(nyckel="tv:" + found["signatur"]).set_index("nyckel")
    return gpd.GeoDataFrame(out[["namn", "geometry"]], crs=register.crs), missing


def _status(natdag: Natdag, keys: pd.Index) -> pd.Series:
    """Status of each station key (see the module docstring)."""
    served = set(natdag.deps.loc[natdag.deps["avgang"].astype(bool), "nyckel"])
    used = set(natdag.used)
    floden = natdag.stations["floden"].reindex(keys).fillna("")
    in_used = floden.map(lambda f: bool(set(f.split(", ")) & used) if f else False)
    out = pd.Series("saknar_tidtabell", index=keys, dtype="object")
    out[floden != ""] = "annan_period"
    out[in_used] = "ej_trafikdagen"
    out[out.index.isin(served)] = "trafikeras"
    return out


def station_status(natdag: Natdag, expected: gpd.GeoDataFrame,
                   kommuner: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every station of the region: the timetables' stations and the expected ones."""
    known = natdag.stations[["namn", "geometry"]]
    extra = expected.loc[~expected.index.isin(known.index), ["namn", "geometry"]]
    stations = gpd.GeoDataFrame(pd.concat([known, extra]), crs=expected.crs or known.crs)
    stations.index.name = "nyckel"
    placed = gpd.sjoin(stations, kommuner[["kommunkod", "geometry"]], predicate="within",
                       how="inner").drop(columns="index_right")
    placed = placed[~placed.index.duplicated()]
    placed["status"] = _status(natdag, placed.index)
    placed["forvantad"] = placed.index.isin(expected.index)
    relevant = placed["forvantad"] | (placed["status"] != "saknar_tidtabell")
    return placed[relevant][["namn", "kommunkod", "status", "forvantad", "geometry"]]


def kommun_coverage(stations: gpd.GeoDataFrame, kommunkoder: list[str],
                    label_sv: str, label_en: str) -> pd.DataFrame:
    """Per kommun: covered when every expected station in it is served; else the reason."""
    gaps = stations[stations["forvantad"] & (stations["status"] != "trafikeras")]
    rows = []
    for kommunkod in kommunkoder:
        mine = gaps[gaps["kommunkod"] == kommunkod]
        sv, en = [], []
        for status, group in mine.groupby("status", sort=False):
            names = ", ".join(sorted(group["namn"]))
            text_sv, text_en = (text.lower() for text in STATUS[status])
            if status == "ej_trafikdagen":  # the day's label keeps its case ("mean Tue–Thu")
                text_sv, text_en = f"inga avgångar {label_sv}", f"no departures {label_en}"
            sv.append(f"{text_sv}: {names}")
            en.append(f"{text_en}: {names}")
        rows.append({"kommunkod": kommunkod, "komplett": mine.empty,
                     "orsak_sv": ("Tågtrafiken i kommunen täcks inte av tidtabellerna här ("
                                  + "; ".join(sv) + ")") if sv else "",
                     "orsak_en": ("The kommun's rail service is not covered by the "
                                  "timetables here (" + "; ".join(en) + ")") if en else ""})
    return pd.DataFrame(rows, columns=["kommunkod", "komplett", "orsak_sv", "orsak_en"])


def _operator_status(operator: Operator, mode: str, natdag: Natdag) -> str:
    """``med``, ``inga_turer``, ``annan_period`` or ``saknas`` for one operator and mode."""
    holding = [f for f in natdag.feeds if mode in f.trafikslag
               and any(operator.matches(name) for name in f.operatorer)]
    deps = natdag.deps
    running = deps.loc[deps["trafikslag"] == mode, "operator"].drop_duplicates()
    if any(operator.matches(name) for name in running):
        return "med"
    if any(f.anvand for f in holding):
        return "inga_turer"
    return "annan_period" if holding else "saknas"


def operator_coverage(natdag: Natdag, region: RegionTraffic | None) -> pd.DataFrame:
    """Status of every expected operator and mode on the analysed day(s)."""
    rows = [{"namn": op.namn, "trafikslag": mode, "status": _operator_status(op, mode, natdag)}
            for op in (region.operators if region is not None else ()) for mode in op.trafikslag]
    return pd.DataFrame(rows, columns=["namn", "trafikslag", "status"])


def coverage(natdag: Natdag, register: gpd.GeoDataFrame, region: RegionTraffic | None,
             kommuner: gpd.GeoDataFrame) -> Tackning:
    """The coverage of ``natdag`` in the region of ``kommuner``."""
    expected, unknown = expected_stations(register, region)
    stations = station_status(natdag, expected, kommuner)
    notes = [f"förväntad station {s} finns inte i Trafikverkets register" for s in unknown]
    unlisted = stations[~stations["forvantad"] & (stations["status"] == "trafikeras")]
    if region is not None and not unlisted.empty:
        notes.append("stationer med avgångar som inte finns bland de förväntade: "
                     + ", ".join(sorted(unlisted["namn"])))
    if region is None:
        notes.append("inga förväntade stationer eller operatörer angivna för länet: "
                     "täckningen är det tidtabellerna visar")
    label_sv, label_en = natdag.dag.label_sv, natdag.dag.label_en
    return Tackning(stations, kommun_coverage(stations, kommuner["kommunkod"].tolist(),
                                              label_sv, label_en),
                    operator_coverage(natdag, region), natdag.feeds,
                    region.operators if region is not None else (), label_sv, label_en,
                    tuple(notes))


def _listed(names: list[str], lang: str) -> str:
    """``"A, B och C"`` / ``"A, B and C"``."""
    joiner = " och " if lang == "sv" else " and "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]


def _years(feeds: list[FlodeRapport]) -> str:
    """The span of years the feeds' validity covers (``2023–2024``)."""
    first = min(f.giltig_fran.year for f in feeds)
    last = max(f.giltig_till.year for f in feeds)
    return str(first) if first == last else f"{first}–{last}"


def display_name(agency: str, operators: tuple[Operator, ...]) -> str:
    """The expected operator's name for an agency of ``agency.txt`` (else the agency's)."""
    return next((op.namn for op in operators if op.matches(agency)), agency)


def sentence(t: Tackning, lang: str) -> str:
    """The coverage in one sentence.

    E.g. ``"Tidtabeller: SJ och Tågab 2023–2024 (Tågab: inga turer 2023-11-07). Saknas:
    Värmlandstrafik (tåg och buss), Vy (tåg)."``.
    """
    sv = lang == "sv"
    used = [f for f in t.feeds if f.anvand]
    ops = t.operators
    if used:
        shown = list(dict.fromkeys(display_name(a, t.expected) for f in used
                                   for a in f.operatorer))
        head = f"{'Tidtabeller' if sv else 'Timetables'}: {_listed(shown, lang)} {_years(used)}"
        idle = list(dict.fromkeys(ops.loc[ops["status"] == "inga_turer", "namn"]))
        if idle:
            head += (f" ({_listed(idle, lang)}: {'inga turer' if sv else 'no trips'} "
                     f"{t.label_sv if sv else t.label_en})")
        parts = [head]
    else:
        parts = ["Inga tidtabeller för trafikdagen" if sv else "No timetable for the day"]
    missing = ops[ops["status"] == "saknas"]  # other periods are said below
    if not missing.empty:
        words = [(name, [MODE_WORDS[m][0 if sv else 1] for m in group["trafikslag"]])
                 for name, group in missing.groupby("namn", sort=False)]
        items = ", ".join(f"{name} ({_listed(modes, lang)})" for name, modes in words)
        parts.append(f"{'Saknas' if sv else 'Missing'}: {items}")
    other = [f for f in t.feeds if not f.anvand]
    if other:
        periods = ", ".join(
            f"{_listed([display_name(a, t.expected) for a in f.operatorer], lang)} "
            f"{f.giltig_fran}–{f.giltig_till}" for f in other)
        parts.append(f"{'Ej med (annan period)' if sv else 'Not counted (other period)'}: "
                     f"{periods}")
    return ". ".join(parts) + "."


def blank_uncovered(rows: pd.DataFrame, t: Tackning, lang: str = "sv") -> pd.DataFrame:
    """Empty the stomlinje indicators of kommuner that are not covered, giving the reason.

    ``varde`` and ``teljare`` become empty (the denominator stays: it is known); ``kalla``
    starts with the reason. Other indicators pass unchanged.
    """
    reasons = t.kommuner.set_index("kommunkod")
    gap = reasons.index[~reasons["komplett"]]
    hit = rows["indikator"].str.startswith(INDICATOR_PREFIX) & rows["kommunkod"].isin(gap)
    out = rows.copy()
    out.loc[hit, ["varde", "teljare"]] = np.nan
    column = "orsak_sv" if lang == "sv" else "orsak_en"
    out.loc[hit, "kalla"] = (out.loc[hit, "kommunkod"].map(reasons[column]) + " — "
                             + out.loc[hit, "kalla"].astype(str))
    return out
