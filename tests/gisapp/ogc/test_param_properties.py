"""Property tests of the OGC API items parameters: any ``bbox``, ``bbox-crs``, ``crs``,
``limit``, ``offset``, ``datetime`` and property filter gives either features that honour
the parsed values or a 400 problem naming the parameter — never a 5xx.

Checked at the parser (:func:`gisapp.ogc.params.items_query`: a value within its documented
range, or :class:`RequestError`) and end to end on the real kommuner collection.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from data_sources.errors import RequestError
from gisapp import create_app
from gisapp.ogc import params
from gisapp.ogc.crs import CRS84
from tests.answers import answered_or_refused

CRS_URIS = ("http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "http://www.opengis.net/def/crs/EPSG/0/3006", "http://www.opengis.net/def/crs/EPSG/0/4326")
PROPERTIES = ["kommunkod", "kommunnamn", "lanskod"]
KNOWN = {*params.ITEMS_PARAMETERS, *PROPERTIES, "filter"}

# Text a client might send: digits, signs, separators and letters, or anything at all.
tricky = st.text(alphabet="0123456789+-.,eE_ /:TZnaif∞²٣", max_size=14) | st.text(max_size=14)
integers = (st.integers(-10**13, 10**13).map(str) | tricky
            | st.from_regex(r"[ +-]{0,3}[0-9]{1,14}[ ]?", fullmatch=True))
coordinates = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-400, 400)
bboxes = st.lists(coordinates, min_size=0, max_size=7).map(
    lambda xs: ",".join(map(str, xs))) | tricky
crses = st.sampled_from(CRS_URIS) | tricky
datetimes = (st.dates().map(str) | st.datetimes().map(lambda d: d.isoformat() + "Z")
             | st.sampled_from(["../2020-01-01", "2020-01-01/..", "..", "/"]) | tricky)


@st.composite
def items_args(draw) -> dict[str, str]:
    """Any subset of the items parameters and filters, each with a generated value."""
    pool = {"bbox": bboxes, "bbox-crs": crses, "crs": crses, "limit": integers,
            "offset": integers, "datetime": datetimes, "kommunnamn": tricky,
            "kommunkod": st.sampled_from(["1780", "1715", "0180"]) | tricky,
            "f": st.sampled_from(["json", "html"]) | tricky}
    names = draw(st.lists(st.sampled_from(sorted(pool)), unique=True, max_size=5))
    return {name: draw(pool[name]) for name in names}


@example(args={"limit": "++5"}).via("a sign too many")
@example(args={"offset": " -0 ", "bbox": "1e400,0,2,1"})
@example(args={"bbox": "13,59,14,60", "bbox-crs": CRS_URIS[2]})
@given(args=items_args())
def test_the_parser_gives_a_valid_query_or_names_the_parameter(args):
    try:
        query = params.items_query(MultiDict(args), PROPERTIES)
    except RequestError as exc:
        assert exc.parameter in KNOWN, exc.parameter
        return
    assert 1 <= query.limit <= params.MAX_LIMIT and 0 <= query.offset <= params.MAX_OFFSET
    if "limit" in args:
        assert query.limit == min(int(args["limit"]), params.MAX_LIMIT)
    if query.bbox is not None:
        west, south, east, north = query.bbox
        assert all(math.isfinite(v) for v in query.bbox) and west <= east and south <= north
        if query.bbox_crs is CRS84:
            assert -180 <= west and east <= 180 and -90 <= south and north <= 90
    assert query.filters == {k: v for k, v in args.items() if k in PROPERTIES}


@pytest.fixture(scope="module")
def ogc_client(build_dir):
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True}).test_client()


@example(args={"limit": "++5"}).via("a sign too many")
@example(args={"offset": " -0 ", "bbox": "1e400,0,2,1"})
@example(args={"bbox": "13,59,14,60", "bbox-crs": CRS_URIS[2]})
@given(args=items_args())
def test_any_items_request_is_answered_or_refused_with_its_parameter(ogc_client, args):
    args = {k: v for k, v in args.items() if k != "f"} | {"f": "json"}
    response = ogc_client.get("/ogc/collections/kommuner/items", query_string=args)
    answered_or_refused(response, KNOWN)
    if response.status_code == 400:
        return
    query = params.items_query(MultiDict(args), PROPERTIES)
    doc = response.get_json()
    assert doc["numberReturned"] == len(doc["features"]) <= query.limit
    for name, value in query.filters.items():
        assert all(f["properties"][name] == value for f in doc["features"])
