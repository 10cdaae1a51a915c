"""``strukturbild scenario``: close, open or move service points and print who is affected."""

from __future__ import annotations

import argparse

from gisapp.config import STORE_HELP, resolve_store
from gisapp.scenario.service import parse_changes, run_on_build
from gisapp.store import open_store
from messages import text


def cmd_scenario(args: argparse.Namespace) -> int:
    """Run a scenario on the current build and print the summary per kommun and kommuntyp."""
    build = open_store(resolve_store(args.store, args.build_dir)).require_current()
    changes = parse_changes(args.remove, args.move, args.add)
    result = run_on_build(build, changes, km=args.km, minutes=args.minutes)
    metod = result.per_origin["metod"].iloc[0]
    print(text("cli.scenario", build=build.id, method=metod, changes=len(changes)))
    print(result.summary.to_string(index=False))
    if args.out:
        result.per_origin.drop(columns="geometry").to_csv(args.out, index=False)
        print(text("cli.per_origin", path=args.out))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the ``scenario`` sub-command."""
    parser = sub.add_parser("scenario", help="what if service points close, open or move")
    parser.add_argument("--build-dir")
    parser.add_argument("--store", help=STORE_HELP)
    parser.add_argument("--remove", action="append", default=[], metavar="ID",
                        help="remove a service point (id from the service layer)")
    parser.add_argument("--move", action="append", default=[], metavar="ID@LON,LAT")
    parser.add_argument("--add", action="append", default=[], metavar="KATEGORI@LON,LAT")
    parser.add_argument("--km", type=float, default=10.0, help="distance threshold (default 10)")
    parser.add_argument("--minutes", type=float, default=20.0,
                        help="car time threshold (default 20; network only)")
    parser.add_argument("--out", help="write the per-origin change as CSV")
    parser.set_defaults(func=cmd_scenario)
