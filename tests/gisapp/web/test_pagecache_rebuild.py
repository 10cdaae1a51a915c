"""Cached pages after a rebuild: the running app serves the new build's pages and ETags."""

from __future__ import annotations

import copy
import time

from gisapp import create_app
from gisapp.store import BuildStore, FileStore

RENAMED = "Karlstad efter ombyggnad"
PAGES = ("/", "/?sprak=en", "/kommun/1780", "/embed?lager=kommuner&kommun=1780")


def _write(store: BuildStore, built, kommunnamn: str | None = None):
    """Write the real layers again as a new build, optionally renaming Karlstad (1780)."""
    layers = {layer_id: built.layer(layer_id) for layer_id in built.layer_ids()}
    manifest = copy.deepcopy({k: v for k, v in built.manifest.items()
                              if k not in ("build_id", "files")})
    if kommunnamn is not None:
        kommuner = layers["kommuner"].copy()
        kommuner.loc[kommuner["kommunkod"] == "1780", "kommunnamn"] = kommunnamn
        layers["kommuner"] = kommuner
        for kommun in manifest["region"]["kommuner"]:
            if kommun["kommunkod"] == "1780":
                kommun["kommunnamn"] = kommunnamn
    build = store.write(layers, built.indicators, manifest)
    time.sleep(1.05)  # build ids begin with their second: keep them in order
    return build


def test_a_rebuild_changes_cached_pages_and_their_etags(built, tmp_path):
    """Guards the build id in the page-cache key and the ETag (bug: key or ETag without the
    build id — after a rebuild the running app serves the old build's page, or answers 304
    to a browser holding it)."""
    store = FileStore(tmp_path / "builds")
    _write(store, built)
    client = create_app({"BUILD_DIR": str(tmp_path / "builds"), "TESTING": True}).test_client()
    before = {url: client.get(url) for url in PAGES}
    for url, response in before.items():
        assert response.status_code == 200, url
        assert RENAMED not in response.get_data(as_text=True), url
    second = _write(store, built, kommunnamn=RENAMED)
    assert client.get("/api/provenance").get_json()["build_id"] == second.id
    for url, old in before.items():
        new = client.get(url)
        assert new.status_code == 200, url
        assert RENAMED in new.get_data(as_text=True), url
        assert new.headers["ETag"] != old.headers["ETag"], url
        revalidated = client.get(url, headers={"If-None-Match": old.headers["ETag"]})
        assert revalidated.status_code == 200, url
        assert RENAMED in revalidated.get_data(as_text=True), url
