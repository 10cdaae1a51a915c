"""The ``strukturbild`` command: fetch, build, serve, export.

Errors the user can act on (a broken file, a failed download) are printed as one line
without a traceback, and the command exits with status 1.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from data_sources import SOURCES
from data_sources import fetch as fetch_source
from data_sources.errors import StrukturbildError
from gisapp.build import run_build
from gisapp.config import (
    NO_DATA_HELP_SV,
    STORE_HELP,
    resolve_data_dir,
    resolve_store,
    user_cache_data_dir,
)
from gisapp.scenario import cli as scenario_cli
from gisapp.store import open_store
from gisapp.web.server import ServerSettings
from layers import region
from layers.settings import PipelineSettings
from messages import text


def _say(line: str) -> None:
    """Print one progress line immediately."""
    print(line, flush=True)


def cmd_fetch(args: argparse.Namespace) -> int:
    """Download the official sources into the data directory.

    With ``--if-missing`` (``make run``) the target is the data directory the build reads
    (README's resolution order, the user cache when none is found), a source whose files are
    there is skipped, and a failed download is one line, not an error: the build goes on
    without that source (for the road network: labelled straight-line distances).
    """
    names = [args.source] if args.source else list(SOURCES)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        msg = f"--source: unknown source {unknown[0]!r}; expected one of {sorted(SOURCES)}"
        raise StrukturbildError(msg)
    if args.if_missing:
        target = resolve_data_dir(args.data_dir).path or user_cache_data_dir()
    else:
        target = resolve_data_dir(args.data_dir).path if args.data_dir else user_cache_data_dir()
    lanskod = args.lan or PipelineSettings().lanskod
    _say(text("cli.fetching", target=target, lan=lanskod))
    for name in names:
        if args.if_missing and SOURCES[name].available(target):
            _say(text("cli.fetch_present", source=name))
            continue
        try:
            lines = fetch_source(SOURCES[name], target, lanskod=lanskod)
        except StrukturbildError as exc:
            if not args.if_missing:
                raise
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            _say(text("cli.fetch_failed_continue", source=name, error=first[:200]))
            continue
        for line in lines:
            _say(f"  {line}")
    return 0


def build_settings(args: argparse.Namespace) -> PipelineSettings:
    """Pipeline settings from the command line; every option left out keeps its default."""
    defaults = PipelineSettings()
    stomlinje = defaults.stomlinje
    if args.trafikdag:
        try:
            date.fromisoformat(args.trafikdag)
        except ValueError:
            msg = f"--trafikdag: expected a date as YYYY-MM-DD, got {args.trafikdag[:20]!r}"
            raise StrukturbildError(msg) from None
        stomlinje = replace(stomlinje, service_date=args.trafikdag)
    if args.medeldag:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.medeldag):
            msg = f"--medeldag: expected a month as YYYY-MM, got {args.medeldag[:20]!r}"
            raise StrukturbildError(msg)
        stomlinje = replace(stomlinje, average_month=args.medeldag)
    if args.lan and not region.is_valid(args.lan):
        msg = (f"--lan: expected a 2-digit länskod, a comma-separated list of them or 'all' "
               f"(every län), got {args.lan[:40]!r}")
        raise StrukturbildError(msg)
    return replace(defaults, lanskod=args.lan or defaults.lanskod, stomlinje=stomlinje)


def cmd_build(args: argparse.Namespace) -> int:
    """Build every layer whose inputs exist and switch ``current``."""
    store = open_store(resolve_store(args.store, args.build_dir))
    build = run_build(resolve_data_dir(args.data_dir), store, build_settings(args),
                      progress=_say)
    for layer_id, reason in build.manifest["missing"].items():
        _say(text("cli.missing", layer=layer_id, reason=reason))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the current build (building first when there is none)."""
    from gisapp import create_app
    from gisapp.web.server import serve

    location = resolve_store(args.store, args.build_dir)
    store = open_store(location)
    if store.current() is None:
        _say(text("cli.no_build"))
        run_build(resolve_data_dir(args.data_dir), store, progress=_say)
    if not store.require_current().manifest["has_data_dir"]:
        _say(NO_DATA_HELP_SV)
    store.close()  # each server worker opens its own connections
    settings = ServerSettings(host=args.host, port=args.port, workers=args.workers,
                              threads=args.threads)
    _say(text("cli.serving", url=f"http://{args.host}:{args.port}/"))
    serve(lambda: create_app({"STORE": location}), settings)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the current build as a GeoPackage, the indicator CSV or GeoParquet files."""
    from gisapp.exports.writers import export

    build = open_store(resolve_store(args.store, args.build_dir)).require_current()
    path = export(build, args.format, args.out)
    _say(text("cli.exported", build=build.id, format=args.format, path=path))
    return 0


def make_parser() -> argparse.ArgumentParser:
    """Build the argument parser with its sub-commands."""
    parser = argparse.ArgumentParser(prog="strukturbild", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log pipeline details")
    sub = parser.add_subparsers(dest="command", required=True)

    fetch = sub.add_parser("fetch", help="download official sources")
    fetch.add_argument("--data-dir", help="target directory (default: the user cache)")
    fetch.add_argument("--source", help=f"one source only: {', '.join(sorted(SOURCES))}")
    fetch.add_argument("--lan", help="region as 2-digit länskod (default 17, Värmland)")
    fetch.add_argument("--if-missing", action="store_true",
                       help="into the data directory the build reads, only sources not there; "
                       "a failed download is reported, not an error (make run)")
    fetch.set_defaults(func=cmd_fetch)

    build = sub.add_parser("build", help="build layers and indicators")
    build.add_argument("--data-dir")
    build.add_argument("--build-dir")
    build.add_argument("--store", help=STORE_HELP)
    build.add_argument("--lan", help="region: a 2-digit länskod (default 17, Värmland), a "
                       "comma-separated list (17,18,20), or all / SE for the whole country")
    build.add_argument("--trafikdag", help="GTFS service day YYYY-MM-DD (default: the Tuesday "
                       "with the most active services in the feed)")
    build.add_argument("--medeldag", help="instead of one service day, the mean of the "
                       "Tuesdays–Thursdays of this month YYYY-MM")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="serve the map (builds first if needed)")
    serve.add_argument("--data-dir")
    serve.add_argument("--build-dir")
    serve.add_argument("--store", help=STORE_HELP)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--workers", type=int, default=ServerSettings.workers,
                       help="gunicorn worker processes (default %(default)s)")
    serve.add_argument("--threads", type=int, default=ServerSettings.threads,
                       help="threads per worker: slow clients each hold one "
                            "(default %(default)s)")
    serve.set_defaults(func=cmd_serve)

    export = sub.add_parser("export", help="export all layers / the indicator table")
    export.add_argument("--format", required=True, choices=("gpkg", "csv", "geoparquet"))
    export.add_argument("--out", required=True, help="file (gpkg, csv) or directory (geoparquet)")
    export.add_argument("--build-dir")
    export.add_argument("--store", help=STORE_HELP)
    export.set_defaults(func=cmd_export)
    scenario_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except StrukturbildError as exc:
        print(text("cli.error", error=exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(text("cli.interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
