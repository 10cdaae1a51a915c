"""pygeoapi for the load test, with an sqlite3 that can load SpatiaLite.

pygeoapi's SQLite/GeoPackage provider loads ``mod_spatialite``; Python builds without
extension loading (pyenv's default) cannot, so ``pysqlite3`` (the ``[bench]`` extra) stands
in for the standard ``sqlite3`` module. ``gunicorn pygeoapi_peer:APP`` serves pygeoapi's
Flask app; ``python pygeoapi_peer.py …`` runs pygeoapi's command line.
"""

from __future__ import annotations

import sys

import pysqlite3

sys.modules["sqlite3"] = pysqlite3


def __getattr__(name: str):
    """``APP``: pygeoapi's Flask app, imported on first use (it reads its config then)."""
    if name == "APP":
        from pygeoapi.flask_app import APP

        return APP
    raise AttributeError(name)


if __name__ == "__main__":
    from pygeoapi import cli

    cli()
