"""Property tests of the page and API parameters (map views, ``/api/indikatorer``,
``/api/tatorter``, ``/jamfor``, ``/embed``): any value gives either a valid parsed value and a
200, or a 400 naming the parameter — never a 5xx.

Values are drawn from the build's own choices (its layers, kommuner, indicators, years) mixed
with near misses and arbitrary text.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from data_sources.errors import RequestError
from gisapp import create_app
from gisapp.indicators.query import indicator_ids
from gisapp.maps.choropleth import mappable_indicators
from gisapp.maps.view import VIEW_PARAMS, parse_view
from gisapp.web import params
from tests.answers import answered_or_refused

tricky = st.text(alphabet="0123456789,.-+ _eE:abcdefghijklmnopqrstuvwxyzåäö", max_size=24) \
    | st.text(max_size=24)
coordinate = (st.floats(allow_nan=True, allow_infinity=True) | st.integers(-400, 400)
              | st.floats(-180, 180))


def _one_of(values, near_misses: bool = True) -> st.SearchStrategy[str]:
    """A value of ``values``, often; else a near miss (changed case, padded) or any text."""
    chosen = st.sampled_from(sorted(values))
    misses = chosen.map(str.upper) | chosen.map(lambda v: f" {v}") | chosen.map(lambda v: v[:-1])
    return chosen | chosen | (misses if near_misses else chosen) | tricky


@pytest.fixture(scope="module")
def choices(built):
    """The build's choices: layer ids, kommunkoder, indicators (all and mappable), years."""
    return {"lager": [*built.layer_ids(), *built.manifest["missing"]],
            "kommun": list(built.kommuner), "indikator": indicator_ids(built),
            "karta": sorted(mappable_indicators(built)),
            "ar": ["alla", *sorted(set(built.indicators["ar"].astype(str)))]}


def _view_args(data, choices) -> dict[str, str]:
    """Any subset of the map view parameters with generated values."""
    layers = st.lists(_one_of(choices["lager"], near_misses=False), max_size=4).map(",".join)
    bbox = st.lists(coordinate, min_size=3, max_size=5).map(lambda xs: ",".join(map(str, xs)))
    pool = {"sprak": _one_of(params.LANGUAGES), "lager": layers | tricky,
            "kommun": _one_of(choices["kommun"]), "bbox": bbox | tricky,
            "indikator": _one_of(choices["karta"])}
    names = data.draw(st.lists(st.sampled_from(VIEW_PARAMS), unique=True, max_size=5))
    return {name: data.draw(pool[name]) for name in names}


@given(data=st.data())
def test_a_map_view_parses_to_valid_values_or_names_the_parameter(built, choices, data):
    args = _view_args(data, choices)
    try:
        view = parse_view(MultiDict(args), built)
    except RequestError as exc:
        assert exc.parameter in VIEW_PARAMS, exc.parameter
        return
    assert view.lang in params.LANGUAGES
    assert view.layer_ids is None or set(view.layer_ids) <= set(choices["lager"])
    assert view.kommun is None or view.kommun in built.kommuner
    assert view.indikator is None or view.indikator in choices["karta"]
    if view.bbox is not None:
        west, south, east, north = view.bbox
        assert all(map(math.isfinite, view.bbox))
        assert -180 <= west < east <= 180 and -90 <= south < north <= 90


@pytest.fixture(scope="module")
def page_client(build_dir):
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True}).test_client()


@given(data=st.data())
def test_any_indicator_api_request_is_answered_or_refused(page_client, choices, data):
    pool = {"kommun": _one_of(choices["kommun"]), "indikator": _one_of(choices["indikator"]),
            "ar": _one_of(choices["ar"]), "format": _one_of(("json", "csv")),
            "klassning": tricky}
    names = data.draw(st.lists(st.sampled_from(sorted(pool)), unique=True, max_size=4))
    args = {name: data.draw(pool[name]) for name in names}
    response = page_client.get("/api/indikatorer", query_string=args)
    answered_or_refused(response, set(pool))
    tatorter = {k: v for k, v in args.items() if k in ("kommun", "format")}
    answered_or_refused(page_client.get("/api/tatorter", query_string=tatorter),
                       {"kommun", "format"})


@given(data=st.data())
def test_any_comparison_page_request_is_answered_or_refused(page_client, choices, data):
    pool = {"sprak": _one_of(params.LANGUAGES), "indikator": _one_of(choices["indikator"]),
            "omrade": _one_of(("tatort", "landsbygd", "hela_kommunen")),
            "sortera": _one_of(params.SORTS), "klassning": tricky}
    names = data.draw(st.lists(st.sampled_from(sorted(pool)), unique=True, max_size=4))
    args = {name: data.draw(pool[name]) for name in names}
    response = page_client.get("/jamfor", query_string=args,
                               headers={"Accept": "application/json"})
    answered_or_refused(response, set(pool))


@settings(max_examples=25)  # a new combination renders a whole map
@given(data=st.data())
def test_any_embed_request_is_answered_or_refused(page_client, choices, data):
    response = page_client.get("/embed", query_string=_view_args(data, choices),
                               headers={"Accept": "application/json"})
    answered_or_refused(response, set(VIEW_PARAMS))
