"""HTML error pages for browsers: the same errors as the problem documents, readable.

A request whose ``Accept`` header prefers HTML over JSON (a browser following a link) gets
a page in the asked language (``sprak``, else ``Accept-Language``) that says what was wrong
and links back to the map; API clients keep problem JSON (:mod:`gisapp.web.errors`).
"""

from __future__ import annotations

from flask import render_template, request

from data_sources.errors import LayerMissingError
from gisapp.web.params import LANGUAGES
from gisapp.web.texts import TEXTS
from messages import has, section, text

# Paths that are APIs even when a browser opens them: always problem JSON.
API_PREFIXES = ("/api/", "/kartlager/", "/healthz", "/static/")


def wants_html() -> bool:
    """Whether the client asked for HTML rather than JSON (and the path is a page)."""
    if request.path.startswith(API_PREFIXES):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["application/json"]


def page_language() -> str:
    """``sprak`` when it is a language we have, else the browser's preference, else Swedish."""
    asked = request.args.get("sprak")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="sv") or "sv"


def explained(error: Exception | None, detail: str, lang: str) -> str:
    """What was wrong, in ``lang`` when the catalogue says it (``error_request.<kind>``)."""
    kind = getattr(error, "kind", "")
    key = f"error_request.{kind}"
    if kind and has(key):
        return text(key, lang, **getattr(error, "values", {}))
    return detail


def html_error(status: int, detail: str, error: Exception | None = None) -> tuple[str, int]:
    """The error page for ``status`` with ``detail`` (from ``error``, naming its parameter)."""
    lang = page_language()
    t = {**TEXTS[lang], **section("error", lang)}
    parameter = getattr(error, "parameter", None)
    detail = explained(error, detail, lang)
    titles = {404: t["title_404"], 400: t["title_400"], 405: t["title_405"]}
    title = titles.get(status, t["title_other"])
    missing = None
    if isinstance(error, LayerMissingError):
        title = t["title_missing"]
        layer = f"layer.{error.layer_id}.title"
        missing = {"layer": text(layer, lang) if has(layer) else error.layer_id,
                   "reason": error.reason}
    return render_template("error.html", lang=lang, t=t, status=status, title=title,
                           detail=detail, parameter=parameter, path=request.path[:80],
                           missing=missing), status
