"""Items answers kept per build and request: compressed once, ETag, never another request's."""

from __future__ import annotations

import gzip
import json
import threading

import pytest

from gisapp import create_app
from gisapp.web import pagecache
from gisapp.web.pagecache import PageCache

ITEMS = "/ogc/collections/kommuner/items?limit=5&f=json"


@pytest.fixture
def app(build_dir):
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True})


def test_items_are_compressed_once_and_revalidate_by_etag(app, built, monkeypatch):
    calls = []
    real = pagecache.STORED["gzip"]
    monkeypatch.setitem(pagecache.STORED, "gzip", lambda data: calls.append(1) or real(data))
    client = app.test_client()
    answers = [client.get(ITEMS, headers={"Accept-Encoding": "gzip"}) for _ in range(3)]
    kommunkoder = sorted(built.layer("kommuner")["kommunkod"])
    for answer in answers:
        assert answer.headers["Content-Encoding"] == "gzip"
        assert answer.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
        assert answer.headers["Cache-Control"] == "public, max-age=0"
        doc = json.loads(gzip.decompress(answer.get_data()))
        assert doc["numberMatched"] == len(kommunkoder)
        assert len(doc["features"]) == 5
    assert len(calls) == 1  # rendered and compressed once, served three times
    fresh = client.get(ITEMS, headers={"Accept-Encoding": "gzip",
                                       "If-None-Match": answers[0].headers["ETag"]})
    assert fresh.status_code == 304


def test_a_kept_answer_is_only_served_to_the_same_host_and_query(app):
    client = app.test_client()
    for host in ("localhost", "127.0.0.1"):
        doc = client.get(ITEMS, base_url=f"http://{host}").get_json()
        assert {link["href"].split("/")[2] for link in doc["links"]} == {host}
    first = client.get(ITEMS).get_json()
    second = client.get(ITEMS + "&offset=5").get_json()
    assert len({f["id"] for f in first["features"]} | {f["id"] for f in second["features"]}) == 10


def test_items_answer_while_every_compute_slot_is_busy(app, built):
    """Items queries are bounded by the store's connections, not by the compute slots that
    map rendering and exports wait for (a busy map page must not turn OGC clients away)."""
    pool = app.extensions["compute"]
    held, release = threading.Barrier(pool.slots + 1), threading.Event()

    def busy() -> None:
        with pool.slot():
            held.wait()
            release.wait(30)

    workers = [threading.Thread(target=busy) for _ in range(pool.slots)]
    for worker in workers:
        worker.start()
    try:
        held.wait(30)
        answer = app.test_client().get("/ogc/collections/tatorter/items?limit=3")
    finally:
        release.set()
        for worker in workers:
            worker.join(30)
    assert answer.status_code == 200
    assert answer.get_json()["numberMatched"] == len(built.layer("tatorter"))


def test_the_cache_keeps_within_its_bytes():
    cache = PageCache(max_entries=100, max_bytes=100, throttled=False)
    renders = []

    def body(key: str, size: int):
        return cache.get_or_render("b", key, lambda: renders.append(key) or "x" * size)

    for key in ("a", "b", "c"):
        body(key, 25)
    body("a", 25)
    assert renders == ["a", "b", "c"]  # 75 bytes kept
    body("d", 25)
    body("e", 25)  # 125 bytes: the least recently used ("b") goes
    body("b", 25)
    assert renders[-1] == "b" and renders.count("b") == 2
    body("big", 26)  # over a quarter of the budget: served, not kept
    body("big", 26)
    assert renders.count("big") == 2


def test_the_cache_can_be_switched_off(build_dir, monkeypatch):
    calls = []
    real = pagecache.STORED["gzip"]
    monkeypatch.setitem(pagecache.STORED, "gzip", lambda data: calls.append(1) or real(data))
    client = create_app({"BUILD_DIR": str(build_dir), "TESTING": True,
                         "OGC_CACHE_MB": 0}).test_client()
    answers = [client.get(ITEMS, headers={"Accept-Encoding": "gzip"}) for _ in range(2)]
    assert [a.headers["Content-Encoding"] for a in answers] == ["gzip", "gzip"]
    assert "ETag" not in answers[0].headers
    assert calls == []  # compressed as it leaves, not kept
