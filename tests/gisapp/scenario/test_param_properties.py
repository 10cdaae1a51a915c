"""Property tests of the scenario parameters (``/api/scenario`` and the ``/scenario`` page):
any ``ta_bort``, ``flytta``, ``lagg_till``, ``km``, ``minuter`` and ``sprak`` gives either a
scenario answer or a 400 naming the parameter — never a 5xx.

Checked at the parser (:func:`gisapp.scenario.service.parse_changes`: finite EPSG:3006
coordinates and known categories, or :class:`RequestError`) and end to end on the real build.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from data_sources.errors import RequestError
from gisapp import create_app
from gisapp.scenario.service import parse_changes
from layers.service import CATEGORIES
from tests.answers import answered_or_refused

PARAMETERS = {"ta_bort", "flytta", "lagg_till", "km", "minuter", "andringar", "sprak"}
REAL_IDS = ("pipos:TVV_1938", "pipos:COOP-B-00310", "pipos:TVV_1788")  # Pipos ids of the build

tricky = st.text(alphabet="0123456789+-.,@:eE_ /nainf", max_size=16) | st.text(max_size=16)
numbers = (st.floats(allow_nan=True, allow_infinity=True) | st.integers(-2000, 2000)).map(str)
real_ids = st.sampled_from(REAL_IDS)
ids = real_ids | real_ids | tricky
plausible = st.tuples(st.floats(10, 20), st.floats(55, 65)).map(lambda p: f"{p[0]},{p[1]}")
lonlat = (plausible | plausible | st.tuples(numbers | tricky, numbers | tricky).map(",".join)
          | tricky)
moves = (st.tuples(ids, lonlat).map("@".join) | st.tuples(real_ids, plausible).map("@".join)
         | tricky)
categories = st.sampled_from(sorted(CATEGORIES))
adds = (st.tuples(categories | tricky, lonlat).map("@".join)
        | st.tuples(categories, plausible).map("@".join) | tricky)


@st.composite
def scenario_args(draw) -> dict[str, list[str] | str]:
    """Any mix of changes (each repeatable) and thresholds, with generated values."""
    args: dict[str, list[str] | str] = {}
    for name, values in (("ta_bort", ids), ("flytta", moves), ("lagg_till", adds)):
        items = draw(st.lists(values, max_size=1 if name != "ta_bort" else 2))
        if items:
            args[name] = items
    for name in ("km", "minuter"):
        if draw(st.integers(0, 2)) == 0:
            args[name] = draw(st.floats(0.5, 50).map(str) | numbers | tricky)
    return args


@given(args=scenario_args())
def test_the_parser_gives_valid_changes_or_names_the_parameter(args):
    try:
        changes = parse_changes(args.get("ta_bort", []), args.get("flytta", []),
                                args.get("lagg_till", []))
    except RequestError as exc:
        assert exc.parameter in PARAMETERS, exc.parameter
        return
    assert len(changes) == sum(len(args.get(k, [])) for k in ("ta_bort", "flytta", "lagg_till"))
    for change in changes:
        if change.action == "add":
            assert change.kategori in CATEGORIES
        if change.action != "remove":
            assert math.isfinite(change.x) and math.isfinite(change.y), change


@pytest.fixture(scope="module")
def scenario_client(build_dir):
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True,
                       "EXPENSIVE_RATE_LIMIT_PER_MINUTE": 0}).test_client()


@example(args={"lagg_till": ["apotek@180,-90"]}).via("a pole far outside SWEREF 99 TM")
@example(args={"flytta": ["pipos:TVV_1938@1e308,59"], "km": "1e-300"})
@given(args=scenario_args())
def test_any_scenario_request_is_answered_or_refused_with_its_parameter(scenario_client, args):
    response = scenario_client.get("/api/scenario", query_string=args)
    answered_or_refused(response, PARAMETERS)
    if response.status_code == 200:
        doc = response.get_json()
        assert {"summary", "changed"} <= set(doc)


@given(sprak=st.sampled_from(["sv", "en"]) | tricky, ta_bort=ids, km=numbers | tricky)
def test_any_scenario_page_request_is_answered_or_refused(scenario_client, sprak, ta_bort, km):
    response = scenario_client.get("/scenario", query_string={"sprak": sprak, "ta_bort": ta_bort,
                                                              "km": km},
                                   headers={"Accept": "application/json"})
    answered_or_refused(response, PARAMETERS)
