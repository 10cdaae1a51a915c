"""Server-rendered maps and the kommunblad: ``/karta.png``, ``/karta.pdf``, ``/kommun/<kod>.pdf``.

``/karta.png`` and ``/karta.pdf`` take the parameters of ``/embed`` (``sprak``, ``lager``,
``kommun``, ``bbox``, ``indikator``) plus ``format=a4|a3`` (landscape paper) and ``dpi=``
(50–300; the PNG's pixel size is the paper at that resolution). Each answer is cached per
build and parameters in the app's page cache; a bad parameter is a 400 naming it.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from data_sources.errors import RequestError
from gisapp.exports.kommunblad import kommunblad_pdf
from gisapp.exports.staticmap import PAPERS, Page, render
from gisapp.indicators.query import classifications
from gisapp.maps.view import VIEW_PARAMS, MapView, parse_view
from gisapp.web import params
from gisapp.web.context import current_build
from gisapp.web.pagecache import cached_page

map_exports = Blueprint("map_exports", __name__)

DPI_DEFAULT, DPI_MIN, DPI_MAX = 150, 50, 300
MIMETYPES = {"png": "image/png", "pdf": "application/pdf"}
BBOX_DECIMALS = 4  # the cache key's precision of an asked extent (≈ 10 m)


def parse_page(args) -> Page:
    """``format`` (a4 default, a3) and ``dpi`` (an integer, 50–300, default 150)."""
    paper = params.choice("format", args.get("format"), tuple(PAPERS), "a4")
    value = args.get("dpi") or str(DPI_DEFAULT)
    if not value.isdigit() or not DPI_MIN <= int(value) <= DPI_MAX:
        raise RequestError("dpi", f"must be a whole number from {DPI_MIN} to {DPI_MAX}, "
                                  f"got {value[:20]!r}")
    return Page(paper, int(value))


def _key(view: MapView, page: Page, fmt: str) -> tuple:
    """The cache key: parsed parameters only (an asked bbox rounded to about 10 m)."""
    bbox = None if view.bbox is None else tuple(round(v, BBOX_DECIMALS) for v in view.bbox)
    layers = None if view.layer_ids is None else tuple(sorted(view.layer_ids))
    return ("karta", fmt, page.paper, page.dpi, view.lang, layers, view.kommun,
            None if view.kommun else bbox, view.indikator)


@map_exports.get("/karta.<fmt>")
def karta(fmt: str):
    """The map view of the parameters as a PNG image or a PDF page."""
    if fmt not in MIMETYPES:
        raise RequestError("format", f"expected /karta.png or /karta.pdf, got .{fmt[:8]}")
    params.page_only(request.args, (*VIEW_PARAMS, "format", "dpi"))
    build = current_build()
    view = parse_view(request.args, build)
    page = parse_page(request.args)
    response = cached_page(build.id, _key(view, page, fmt),
                           lambda: render(build, view, page, fmt), mimetype=MIMETYPES[fmt])
    name = f"strukturbild_{view.kommun or build.manifest['region']['lanskod']}.{fmt}"
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    return response


@map_exports.get("/kommun/<kommunkod>.pdf")
def kommunblad(kommunkod: str) -> Response:
    """The kommunblad of one kommun: map, key indicators, chart, coverage and sources."""
    params.page_only(request.args, ("sprak", "klassning"))
    build = current_build()
    lang = params.language(request.args.get("sprak"))
    kod = params.kommunkod(kommunkod, build.kommuner)
    available = list(classifications(build))
    klassning = params.choice("klassning", request.args.get("klassning"), available,
                              next(iter(available), None))
    response = cached_page(build.id, ("kommunblad", lang, kod, klassning),
                           lambda: kommunblad_pdf(build, kod, lang=lang, klassning=klassning),
                           mimetype=MIMETYPES["pdf"])
    response.headers["Content-Disposition"] = f"inline; filename=kommunblad_{kod}.pdf"
    return response

