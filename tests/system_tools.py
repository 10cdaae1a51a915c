"""System tools the tests drive (Chromium, GDAL, QGIS, poppler, osmium): skipped on a developer
machine that lacks one, but required in CI (``CI`` set), where ``.ci/run`` installs them all,
so that a missing tool there fails instead of passing silently."""

from __future__ import annotations

import os

import pytest

IN_CI = bool(os.environ.get("CI"))


def required_in_ci(present: bool, reason: str) -> pytest.MarkDecorator:
    """Skip when the tool is not ``present`` — except in CI, where the test runs and fails."""
    return pytest.mark.skipif(not present and not IN_CI,
                              reason=f"{reason} (required in CI; .ci/run installs it)")
