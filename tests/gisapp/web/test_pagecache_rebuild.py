"""Cached pages after a rebuild: the running app serves the new build's pages and ETags."""

from __future__ import annotations

import copy
import time

import mapbox_vector_tile

from gisapp import create_app
from gisapp.store import BuildStore, FileStore
from gisapp.tiles.frames import tile_layers
from gisapp.tiles.writer import write_archive

RENAMED = "Karlstad efter ombyggnad"
PAGES = ("/", "/?sprak=en", "/kommun/1780", "/embed?lager=kommuner&kommun=1780")


def _write(store: BuildStore, built, kommunnamn: str | None = None, *, tiles: bool = False):
    """Write the real layers again as a new build, optionally renaming Karlstad (1780) and
    with the vector tiles of those layers."""
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
    archive = write_archive(tile_layers(layers)).data if tiles else None
    build = store.write(layers, built.indicators, manifest, tiles=archive)
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


def test_a_rebuild_changes_the_vector_tiles_a_browser_revalidates(built, tmp_path):
    """Guards the tiles' cache headers (bug: an XYZ tile, whose URL names no build, kept by
    browsers for an hour — after a rebuild the map draws the old build's shapes and popups
    under the new build's legend)."""
    store = FileStore(tmp_path / "builds")
    _write(store, built, tiles=True)
    client = create_app({"BUILD_DIR": str(tmp_path / "builds"), "TESTING": True}).test_client()
    url = "/tiles/kommuner/8/137/75.mvt"  # holds Karlstad (13.5° E, 59.38° N)
    old = client.get(url)
    assert old.status_code == 200 and old.cache_control.max_age == 0
    _write(store, built, kommunnamn=RENAMED, tiles=True)
    new = client.get(url, headers={"If-None-Match": old.headers["ETag"]})
    assert new.status_code == 200 and new.headers["ETag"] != old.headers["ETag"]
    names = {f["properties"]["kommunnamn"]
             for f in mapbox_vector_tile.decode(new.get_data())["kommuner"]["features"]}
    assert RENAMED in names and "Karlstad" not in names
