"""Production serving: compression stored once, the compute cap, trusted hosts and proxies,
no paths in errors, static normalisation, request ids in answers and logs."""

from __future__ import annotations

import gzip
import logging
import threading

import brotli
import pytest
from backports import zstd

from data_sources.errors import MissingDataError
from gisapp import create_app
from gisapp.web import pagecache
from tests.manual_clock import freeze_rate_limits


def _app(build_dir, **config):
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True, **config})


@pytest.mark.parametrize(("encoding", "decode"), [
    ("gzip", gzip.decompress), ("br", brotli.decompress), ("zstd", zstd.decompress)])
def test_cached_pages_are_compressed_once_and_labelled(build_dir, monkeypatch, encoding, decode):
    calls = []
    real = pagecache.STORED[encoding]
    monkeypatch.setitem(pagecache.STORED, encoding,
                        lambda data: calls.append(len(data)) or real(data))
    client = _app(build_dir).test_client()
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    answers = [client.get("/", headers={"Accept-Encoding": encoding}) for _ in range(3)]
    for answer in answers:
        assert answer.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in answer.headers["Vary"]
        assert decode(answer.get_data()) == plain.get_data()
    assert len(calls) == 1  # compressed once, served three times
    assert answers[0].headers["ETag"] != plain.headers["ETag"]
    fresh = client.get("/", headers={"Accept-Encoding": encoding,
                                     "If-None-Match": answers[0].headers["ETag"]})
    assert fresh.status_code == 304


def test_browsers_get_their_best_encoding_and_json_api_too(client):
    page = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert page.headers["Content-Encoding"] == "zstd"
    api = client.get("/api/indikatorer", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip" and api.mimetype == "application/json"
    assert b'"rader"' in gzip.decompress(api.get_data())
    refused = client.get("/", headers={"Accept-Encoding": "gzip;q=0, br;q=0"})
    assert "Content-Encoding" not in refused.headers
    items = client.get("/ogc/collections/kommuner/items", headers={"Accept-Encoding": "br"})
    assert items.headers["Content-Encoding"] == "br"  # not cached: compressed as it leaves
    assert brotli.decompress(items.get_data()).startswith(b'{"type":"FeatureCollection"')


def test_static_assets_are_compressed_but_ranges_are_not(client):
    from gisapp.config import PROJECT_ROOT

    source = (PROJECT_ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").read_bytes()
    with client.get("/static/vendor/leaflet/leaflet.js",
                    headers={"Accept-Encoding": "gzip"}) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(answer.get_data()) == source
        assert len(answer.get_data()) < len(source) / 2
    with client.get("/static/vendor/leaflet/leaflet.js",
                    headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and "Content-Encoding" not in part.headers
        assert part.get_data() == source[:100]


def test_indicator_answers_are_made_once_per_parsed_parameters(build_dir, monkeypatch):
    from gisapp.indicators import views

    made = []
    real = views._indicator_answer
    monkeypatch.setattr(views, "_indicator_answer",
                        lambda *args: made.append(args[1:]) or real(*args))
    client = _app(build_dir).test_client()
    for url in ("/api/indikatorer?kommun=1780", "/api/indikatorer?kommun=1780&format=",
                "/api/indikatorer?format=json&kommun=1780"):
        assert client.get(url).status_code == 200
    assert len(made) == 1


def test_over_capacity_computation_is_503_with_retry_after(build_dir):
    app = _app(build_dir, COMPUTE_SLOTS=1, COMPUTE_WAIT_S=0.0, COMPUTE_RETRY_AFTER_S=7)
    client = app.test_client()
    assert client.get("/").status_code == 200  # cached before the pool fills
    holding, release = threading.Event(), threading.Event()

    def busy():
        with app.app_context(), app.extensions["compute"].slot():
            holding.set()
            release.wait(30)

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        holding.wait(10)
        busy_answer = client.get("/api/indikatorer?format=xlsx")
        assert busy_answer.status_code == 503
        assert busy_answer.headers["Retry-After"] == "7"
        assert busy_answer.mimetype == "application/problem+json"
        assert client.get("/api/scenario?ta_bort=pipos:TVV_1938").status_code == 503
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200  # cached pages keep answering
    finally:
        release.set()
        worker.join()
    assert client.get("/api/indikatorer?format=xlsx").status_code == 200


def test_untrusted_host_is_refused_and_never_reflected(client):
    for url in ("/ogc", "/ogc/collections/kommuner/items", "/nedladdning/"):
        answer = client.get(url, headers={"Host": "evil.example"})
        assert answer.status_code == 400
        assert "STRUKTURBILD_PUBLIC_URL" in answer.get_json()["detail"]
    links = client.get("/ogc?f=json").get_json()["links"]
    assert all(link["href"].startswith("http://localhost/ogc") for link in links)


def test_public_url_builds_every_absolute_link(build_dir, monkeypatch):
    monkeypatch.setenv("STRUKTURBILD_PUBLIC_URL", "https://karta.example.se")
    client = create_app({"BUILD_DIR": str(build_dir), "TESTING": True}).test_client()
    links = client.get("/ogc?f=json").get_json()["links"]
    assert all(link["href"].startswith("https://karta.example.se/ogc") for link in links)
    items = client.get("/ogc/collections/kommuner/items?limit=2", headers={
        "Host": "karta.example.se"}).get_json()["links"]
    assert all(link["href"].startswith("https://karta.example.se/ogc/") for link in items)
    page = client.get("/nedladdning/").get_data(as_text=True)
    assert "https://karta.example.se/ogc/" in page
    assert client.get("/ogc", headers={"Host": "evil.example"}).status_code == 400


def test_trusted_proxies_count_real_clients_and_are_off_by_default(build_dir):
    def codes(client, addresses):
        return [client.get("/ogc/conformance", headers={"X-Forwarded-For": a}).status_code
                for a in addresses]

    addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    behind_app = _app(build_dir, RATE_LIMIT_PER_MINUTE=1, TRUSTED_PROXIES=1)
    direct_app = _app(build_dir, RATE_LIMIT_PER_MINUTE=1)
    for app in (behind_app, direct_app):
        freeze_rate_limits(app)  # every request in one minute window
    behind, direct = behind_app.test_client(), direct_app.test_client()
    assert codes(behind, addresses) == [200, 200, 200]
    assert codes(behind, ["10.0.0.1"]) == [429]
    assert codes(direct, addresses) == [200, 429, 429]  # a forged header buys nothing


@pytest.mark.parametrize("path", [
    "/static/vendor/../node_modules/leaflet/package.json",
    "/static/vendor/./leaflet/../../package.json",
    "/static/vendor//leaflet/leaflet.js",
    "/static/vendor/..%2fnode_modules/leaflet/package.json",
])
def test_static_paths_are_normalised_before_the_allow_list(client, path):
    with client.get(path) as answer:
        assert answer.status_code == 404
        assert b'"name": "leaflet"' not in answer.get_data()


def test_no_error_answer_carries_a_file_system_path(client, build_dir, data_dir, monkeypatch):
    from gisapp.indicators import views

    def missing(*args, **kwargs):
        raise MissingDataError(f"{data_dir}/osm/region.osm.pbf: file not found")

    monkeypatch.setattr(views, "query", missing)
    answer = client.get("/api/indikatorer?format=csv")
    assert answer.status_code == 404
    text = answer.get_data(as_text=True)
    assert str(data_dir) not in text and "/osm/" not in text and "region.osm.pbf" in text
    for url in ("/api/scenario?ta_bort=nosuch", "/kartlager/nosuch.geojson",
                "/nedladdning/nosuch.parquet", "/ogc/collections/x/items", "/static/x/y"):
        body = client.get(url).get_data(as_text=True)
        assert str(build_dir) not in body and str(data_dir) not in body, url


def test_a_500_names_a_request_id_found_with_the_traceback_in_the_log(client, monkeypatch,
                                                                      caplog):
    from gisapp.ogc import features

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(features, "page", broken)
    with caplog.at_level(logging.ERROR):
        answer = client.get("/ogc/collections/kommuner/items")
    assert answer.status_code == 500
    request_id = answer.headers["X-Request-Id"]
    assert request_id in answer.get_json()["detail"] and "serverns logg" in answer.get_json()[
        "detail"]
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_request_ids_from_a_proxy_are_kept_when_well_formed(client):
    assert client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers[
        "X-Request-Id"] == "abc-123"
    forged = client.get("/healthz", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
    assert forged != "<script>" and len(forged) == 16


def test_under_gunicorn_the_app_logs_to_gunicorn_s_error_log(build_dir):
    error_log = logging.getLogger("gunicorn.error")
    handler = logging.StreamHandler()
    error_log.addHandler(handler)
    ours = logging.getLogger("gisapp")
    try:
        _app(build_dir)
        assert handler in ours.handlers and not ours.propagate
    finally:
        error_log.removeHandler(handler)
        ours.removeHandler(handler)
        ours.propagate = True
        ours.setLevel(logging.NOTSET)
        for name in ("data_sources", "layers"):
            other = logging.getLogger(name)
            other.removeHandler(handler)
            other.propagate = True
            other.setLevel(logging.NOTSET)


def test_a_layer_over_the_page_budget_is_fetched_on_demand_compressed(build_dir, built,
                                                                      monkeypatch):
    """Any layer drawn by its spec with more features than the budget leaves the page."""
    import json as jsonlib

    from gisapp.maps import renderers

    # tatort_stomlinje: drawn by its spec and not tiled (service points come as tiles)
    access = len(built.layer("tatort_stomlinje"))
    inline = _app(build_dir).test_client().get("/", headers={"Accept-Encoding": "identity"})
    monkeypatch.setattr(renderers, "INLINE_MAX_FEATURES", access - 1)
    client = _app(build_dir).test_client()
    page = client.get("/", headers={"Accept-Encoding": "identity"})
    assert '"url": "/kartlager/tatort_stomlinje.geojson"' in page.get_data(as_text=True) or \
        '"url":"/kartlager/tatort_stomlinje.geojson"' in page.get_data(as_text=True)
    assert len(page.get_data()) < len(inline.get_data())
    layer = client.get("/kartlager/tatort_stomlinje.geojson",
                       headers={"Accept-Encoding": "gzip"})
    assert layer.status_code == 200 and layer.headers["Content-Encoding"] == "gzip"
    features = jsonlib.loads(gzip.decompress(layer.get_data()))["features"]
    assert len(features) == access and all("_style" in f["properties"] for f in features)
    assert client.get("/kartlager/kommuner.geojson").status_code == 404  # within budget
