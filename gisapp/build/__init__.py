"""The build wing: run every layer pipeline on a data directory and write a new build.

Imported by the command line only; nothing under the web wings imports it (a page request
never loads a loader or a build step).
"""

from __future__ import annotations

from gisapp.build.run import run_build

__all__ = ["run_build"]
