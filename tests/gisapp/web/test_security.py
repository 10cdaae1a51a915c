"""Hardening: security headers, escaping of hostile data, traversal, size and rate limits."""

from __future__ import annotations

import pytest

from gisapp import create_app
from gisapp.web.security import RateLimiter
from tests.hostile import HOSTILE, inserted_popups, write_hostile_build
from tests.manual_clock import ManualClock, freeze_rate_limits


@pytest.fixture(scope="module")
def hostile_client(built, tmp_path_factory):
    """A build of the real layers whose names (kommuner, tätorter, service points, stops,
    lines) carry markup, quotes and an element with an event handler."""
    root = write_hostile_build(built, tmp_path_factory.mktemp("hostile"))
    return create_app({"BUILD_DIR": str(root), "TESTING": True}).test_client()


@pytest.mark.parametrize("url", [
    "/ogc/collections/kommuner/items?f=html", "/ogc/collections/kommuner/items/1780?f=html",
    "/ogc/collections/kommuner/items", "/ogc/collections/kommuner/items/1780", "/",
    "/embed?lager=kommuner&kommun=1780", "/api/provenance",
])
def test_hostile_names_never_reach_a_page_as_markup(hostile_client, url):
    response = hostile_client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body
    assert 'alert("x")' not in body or "&lt;script&gt;" in body


# What a popup may create: its table, and the station popup's server-drawn SVG profile.
POPUP_ELEMENTS = {"table", "tr", "th", "td", "div", "br", "svg", "rect", "text", "title"}


@pytest.mark.parametrize("url", [
    "/", "/?sprak=en", "/?indikator=andel_i_tatort",
    "/embed?lager=kommuner,tatorter,service,hallplatser,stomlinjer&kommun=1780",
])
def test_popups_insert_hostile_names_as_text(hostile_client, url):
    """Guards the popup escaping (``to_geojson(escape=True)``): folium's popup and tooltip
    templates put property values into ``innerHTML``. Decoding the page's embedded GeoJSON
    and parsing the HTML each popup would be given, no element other than the popup's own
    table (and a station's SVG profile) and no attribute at all may appear, and every
    hostile name must read literally in its cell."""
    page = hostile_client.get(url).get_data(as_text=True)
    popups = inserted_popups(page)
    assert popups, "no folium popup or tooltip found on the page"
    for popup in popups:
        tags = {tag for tag, _ in popup.elements}
        assert tags <= POPUP_ELEMENTS, (popup.layer, tags - POPUP_ELEMENTS)
        handlers = [(tag, names) for tag, names in popup.elements
                    if tag in {"table", "tr", "th", "td"} and names
                    or any(name.startswith("on") or name in {"src", "href"} for name in names)]
        assert not handlers, (popup.layer, handlers)
    hostile_cells = [text for popup in popups for text in popup.cells.values()
                     if text.startswith(HOSTILE)]
    assert hostile_cells, "no hostile name shown in any popup"
    names = {popup.cells.get("kommunnamn") for popup in popups}
    assert HOSTILE + "Karlstad" in names


def test_hostile_names_survive_json_round_trip(hostile_client):
    doc = hostile_client.get("/ogc/collections/kommuner/items/1780").get_json()
    assert doc["properties"]["kommunnamn"] == HOSTILE + "Karlstad"


def test_security_headers_on_pages_and_api(client):
    for url in ("/", "/ogc", "/ogc/collections/kommuner/items", "/ogc/collections/nosuch"):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert "https://*.tile.openstreetmap.org" in headers["Content-Security-Policy"]


def test_embed_is_frameable_by_the_configured_sites(build_dir):
    default = create_app({"BUILD_DIR": str(build_dir), "TESTING": True}).test_client()
    headers = default.get("/embed").headers
    assert "frame-ancestors *" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers
    listed = create_app({"BUILD_DIR": str(build_dir), "TESTING": True,
                         "EMBED_FRAME_ANCESTORS": "https://region.example"}).test_client()
    csp = listed.get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors https://region.example" in csp


@pytest.mark.parametrize("url", [
    "/ogc/collections/..%2F..%2Fetc%2Fpasswd/items",
    "/ogc/collections/kommuner/items/..%2F..%2F..%2Fetc%2Fpasswd",
    "/ogc/collections/../../manifest.json",
    "/ogc/collections/%2e%2e/items",
])
def test_path_traversal_finds_nothing(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "root:" not in response.get_data(as_text=True)


def test_errors_hold_no_trace_or_path(client, build_dir, monkeypatch):
    from gisapp.ogc import features

    def broken(*args, **kwargs):
        raise RuntimeError(f"boom in {build_dir}/secret.parquet")

    monkeypatch.setattr(features, "page", broken)
    response = client.get("/ogc/collections/kommuner/items")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and str(build_dir) not in body and "boom" not in body


def test_long_query_and_large_body_are_refused(client, build_dir):
    """A body over the 64 KiB limit is refused with 413 whatever the method (before routing
    answers 405); one within it reaches routing. Guards the body limit: without it, the
    oversized POST gets 405 and the oversized GET 200."""
    assert client.get("/ogc/collections?f=" + "x" * 5000).status_code == 414
    assert client.get("/ogc/collections?f=" + "x" * 4000).status_code == 400  # within 4 KiB
    assert client.application.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    for method in (client.post, client.get):
        response = method("/ogc/collections", data=b"x" * (64 * 1024 + 1))
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
        assert "Traceback" not in response.get_data(as_text=True)
    assert client.post("/ogc/collections", data=b"x" * (64 * 1024)).status_code == 405
    assert client.get("/ogc/collections", data=b"x" * (64 * 1024)).status_code == 200
    roomy = create_app({"BUILD_DIR": str(build_dir), "TESTING": True,
                        "MAX_CONTENT_LENGTH": 256 * 1024}).test_client()
    assert roomy.post("/ogc/collections", data=b"x" * 200_000).status_code == 405


def test_rate_limit_answers_429_with_retry_after(build_dir):
    """Fixed minute windows on a manual clock: the count holds to the window's last instant
    and starts again in the next one, however long the requests take in real time."""
    app = create_app({"BUILD_DIR": str(build_dir), "TESTING": True,
                      "RATE_LIMIT_PER_MINUTE": 3})
    clock = freeze_rate_limits(app, now=120.0)  # the start of a minute window
    client = app.test_client()
    codes = [client.get("/ogc/conformance").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    clock.advance(59.75)  # still the same minute
    response = client.get("/ogc/conformance")
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    assert response.mimetype == "application/problem+json"
    clock.advance(0.25)  # the next minute: a fresh count
    codes = [client.get("/ogc/conformance").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_rate_limiter_memory_is_bounded():
    clock = ManualClock()
    limiter = RateLimiter(per_minute=2, max_clients=100, clock=clock)
    for i in range(1000):
        assert limiter.allow(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._windows) == 100
    assert limiter.allow("a")
    clock.advance(1.0)
    assert limiter.allow("a")
    clock.advance(58.75)
    assert not limiter.allow("a")
    clock.advance(0.25)  # 60 s: the next window
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")
    # the least recently seen key is the one forgotten
    small = RateLimiter(per_minute=1, max_clients=2, clock=clock)
    assert small.allow("a") and small.allow("b")
    assert not small.allow("a")  # a is known, and now the most recent
    assert small.allow("c")  # forgets b
    assert small.allow("b") and not small.allow("c")


def test_scenario_endpoint_has_its_own_default_limit(build_dir):
    from gisapp import create_app

    app = create_app({"BUILD_DIR": str(build_dir), "TESTING": True,
                      "EXPENSIVE_RATE_LIMIT_PER_MINUTE": 2})
    freeze_rate_limits(app)  # one minute window, however slow the scenarios are
    client = app.test_client()
    url = "/api/scenario?ta_bort=pipos:TVV_1938"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/healthz").status_code == 200  # other endpoints are not limited
