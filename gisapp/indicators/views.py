"""Indicator outputs: the API, the comparison page and the kommun profile.

``/api/indikatorer``, ``/jamfor``, ``/kommun/<kommunkod>`` and ``/lan/<lanskod>``. Views
parse and validate, call a core function (:mod:`gisapp.indicator_pages`,
:mod:`gisapp.indicator_query`), render.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, render_template, request

from data_sources.errors import NotFoundError, RequestError
from data_sources.klassning import CLASSIFICATIONS
from gisapp.indicators.excel import workbook
from gisapp.indicators.pages import AREA_LABELS, comparison, lan_profile, profile
from gisapp.indicators.query import (
    ALL_YEARS,
    Selection,
    classification_choices,
    classifications,
    indicator_ids,
    indicator_sources,
    lan_codes_of,
    long_csv,
    missing_classification,
    query,
    years,
)
from gisapp.indicators.stomlinje import kommun_stomlinje, tatort_table
from gisapp.maps.choropleth import mappable_indicators
from gisapp.maps.compose import MapOptions, render_parts
from gisapp.store import Build
from gisapp.web import params
from gisapp.web.context import current_build, kommun_bounds, lan_bounds
from gisapp.web.jsonsafe import dumps
from gisapp.web.numbers import formatter
from gisapp.web.pagecache import cached_page
from layers.indikatorer import describe
from messages import LANGUAGES, section, text

indicators = Blueprint("indicators", __name__)

DEFAULT_INDICATOR = "andel_i_tatort"
TEXTS = {lang: section("indicators", lang) for lang in LANGUAGES}


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
def _klassning(build: Build, *, page: bool = False) -> str:
    """Parse ``klassning`` (default: the first stored, SKR).

    Pages accept every classification the app knows and say "saknar data" for one the build
    lacks; the API accepts only stored ones and says how to add the others.
    """
    available = classifications(build)
    value = request.args.get("klassning")
    known = CLASSIFICATIONS if page or value in CLASSIFICATIONS else available
    chosen = params.choice("klassning", value, known, next(iter(available), None))
    if not page and chosen is not None and chosen not in available:
        raise RequestError("klassning", missing_classification(chosen, "en"))
    return chosen


def _records(frame) -> list[dict]:
    """Rows as JSON-ready dicts (NaN → null)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


@indicators.get("/api/indikatorer")
def api_indikatorer():
    """Serve indicator rows per kommun with class and län aggregates, as JSON, CSV or Excel.

    Each answer is made once per build and parsed parameters, then served from the page
    cache (compressed once).
    """
    params.only(request.args, ("kommun", "indikator", "klassning", "format", "ar"))
    build = current_build()
    selection = Selection(
        params.kommunkod(request.args.get("kommun"), build.kommuner),
        params.choice("indikator", request.args.get("indikator"), indicator_ids(build), None),
        _klassning(build),
        params.choice("ar", request.args.get("ar"), [ALL_YEARS, *years(build)], None))
    output = params.choice("format", request.args.get("format"), params.FORMATS, "json")
    name = f"indikatorer_{selection.kommun or 'region'}.{output}"
    headers = {"Content-Disposition": f"attachment; filename={name}"} if output != "json" else {}
    mimetype = {"csv": "text/csv", "xlsx": XLSX_MIMETYPE, "json": "application/json"}[output]
    return cached_page(build.id, ("api_indikatorer", selection, output),
                       lambda: _indicator_answer(build, selection, output), mimetype, headers)


def _indicator_answer(build: Build, selection: Selection, output: str) -> str | bytes:
    """The body of one ``/api/indikatorer`` answer (``output`` json, csv or xlsx)."""
    result = query(build, selection)
    if output == "csv":
        return long_csv(result).to_csv(index=False)
    if output == "xlsx":
        return workbook(build, result, klassning=selection.klassning, lang="sv",
                        note=TEXTS["sv"]["weighted"])
    return dumps({
        "build_id": build.id, "klassning": selection.klassning,
        "klassningar": classifications(build),
        "indikatorer": [{**describe(i), "kallor": indicator_sources(build, i)}
                        for i in ([selection.indikator] if selection.indikator
                                  else indicator_ids(build))],
        "rader": _records(result["rader"]), "klasser": _records(result["klasser"]),
        "lan": _records(result["lan"]), "riket": _records(result["riket"]),
        "saknas": [{"indikator": k, "orsak": v} for k, v in result["saknas"].items()],
    })


@indicators.get("/api/tatorter")
def api_tatorter():
    """Every tätort's nearest stomlinje stop, its distance and departures (JSON or CSV)."""
    params.only(request.args, ("kommun", "format"))
    build = current_build()
    kommun = params.kommunkod(request.args.get("kommun"), build.kommuner)
    output = params.choice("format", request.args.get("format"), ("json", "csv"), "json")
    table = tatort_table(build, kommun)
    if table is None:
        reason = build.manifest["missing"].get("tatort_stomlinje", "not built")
        raise NotFoundError(f"the build has no tätort table: {reason}")
    if output == "csv":
        name = f"tatorter_stomlinje_{kommun or 'region'}.csv"
        return Response(table.to_csv(index=False), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}"})
    record = build.manifest["layers"]["tatort_stomlinje"]
    return jsonify({"build_id": build.id, "kommun": kommun,
                    "trafikdag": record["analysdag"], "tackning": record["tackning"],
                    "metod": record.get("metod"),
                    "grans_m": record["stomlinjeregel"]["tatort_access_m"],
                    "rader": _records(table)})


@indicators.get("/jamfor")
def jamfor():
    """All kommuner grouped by class for one indicator, with bar chart and reference lines."""
    params.page_only(request.args, ("sprak", "indikator", "omrade", "klassning", "sortera"))
    build = current_build()
    lang = params.language(request.args.get("sprak"))
    ids = indicator_ids(build)
    indikator = params.choice("indikator", request.args.get("indikator"), ids,
                              DEFAULT_INDICATOR if DEFAULT_INDICATOR in ids else ids[0])
    omrade = params.omrade(request.args.get("omrade"))
    klassning = _klassning(build, page=True)
    sort = params.choice("sortera", request.args.get("sortera"), params.SORTS, "varde")
    chosen = {"indikator": indikator, "omrade": omrade, "klassning": klassning, "sortera": sort}

    def render() -> str:
        data = comparison(build, Selection(None, indikator, klassning), omrade=omrade,
                          sort=sort, lang=lang)
        return render_template(
            "jamfor.html", lang=lang, t=TEXTS[lang], region=build.manifest["region"],
            meta_description=text("meta.compare", lang,
                                  region=build.manifest["region"]["lansnamn"]),
            data=data, indicators=[describe(i, lang) for i in ids], areas=AREA_LABELS[lang],
            classifications=classification_choices(build, lang), chosen=chosen,
            fmt=formatter(lang),
            on_map=chosen["indikator"] in mappable_indicators(build))

    return cached_page(build.id, ("jamfor", lang, *chosen.values()), render)


@indicators.get("/kommun/<kommunkod>")
def kommun_profile(kommunkod: str):
    """One kommun: map, tätort/landsbygd/kommun/class/län table and charts, downloads."""
    params.page_only(request.args, ("sprak", "klassning"))
    build = current_build()
    lang = params.language(request.args.get("sprak"))
    known = build.kommuner
    if kommunkod not in known:
        return render_template("kommun_404.html", lang=lang, t=TEXTS[lang], known=known,
                               meta_description=TEXTS[lang]["not_found"],
                               region=build.manifest["region"], asked=kommunkod[:40]), 404
    klassning = _klassning(build, page=True)

    def render() -> str:
        data = profile(build, kommunkod, klassning=klassning, lang=lang)
        options = MapOptions(lang=lang, bounds=kommun_bounds(build, kommunkod), collapsed=True,
                             highlight=kommunkod, embed_url="/embed", exports=True)
        return render_template(
            "kommun.html", lang=lang, t=TEXTS[lang], region=build.manifest["region"],
            meta_description=text("meta.kommun", lang, kommun=known[kommunkod],
                                  region=build.manifest["region"]["lansnamn"]),
            kommunkod=kommunkod, kommunnamn=known[kommunkod], data=data,
            stomlinje=kommun_stomlinje(build, kommunkod, lang),
            areas=AREA_LABELS[lang], klassning=klassning,
            classifications={c["id"]: c for c in classification_choices(build, lang)},
            fmt=formatter(lang), **render_parts(build, options))

    return cached_page(build.id, ("kommun", lang, kommunkod, klassning), render)


@indicators.get("/lan/<lanskod>")
def lan_page(lanskod: str):
    """One län of the build: its map, its indicators beside riket's, and its kommuner.

    A code the build does not hold answers 404 with the asked code (shortened) and the
    build's län.
    """
    params.page_only(request.args, ("sprak",))
    build = current_build()
    lang = params.language(request.args.get("sprak"))
    known = lan_codes_of(build)
    if lanskod not in known:
        return render_template("lan_404.html", lang=lang, t=TEXTS[lang], known=known,
                               meta_description=TEXTS[lang]["lan_not_found"],
                               region=build.manifest["region"], asked=lanskod[:40]), 404

    def render() -> str:
        data = lan_profile(build, lanskod, lang=lang)
        options = MapOptions(lang=lang, bounds=lan_bounds(build, lanskod), collapsed=True,
                             embed_url="/embed")
        return render_template(
            "lan.html", lang=lang, t=TEXTS[lang], region=build.manifest["region"],
            meta_description=text("meta.lan", lang, lan=data["lansnamn"]),
            lanskod=lanskod, data=data, areas=AREA_LABELS[lang], fmt=formatter(lang),
            **render_parts(build, options))

    return cached_page(build.id, ("lan", lang, lanskod), render)
