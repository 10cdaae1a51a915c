"""The first map: layers, popups, provenance footer, health check, fallback notice."""

from __future__ import annotations

from gisapp import create_app
from gisapp.build import run_build
from gisapp.settings import DataDir
from gisapp.store import BuildStore


def test_map_shows_every_built_layer_and_provenance(client, built):
    page = client.get("/").get_data(as_text=True)
    # Leaflet layer names are JSON strings: non-ASCII letters arrive \u-escaped.
    assert '"Struktur: Kommuner"' in page and '"Struktur: T\\u00e4torter"' in page
    assert "Service: Servicepunkter" in page
    assert "Karlstad" in page and "99007" in page
    assert "Lantmäteriet" in page and "CC0 1.0" in page
    assert built.id in page


def test_map_in_english(client):
    page = client.get("/?sprak=en").get_data(as_text=True)
    assert "Struktur: Municipalities" in page and "Sources" in page


def test_healthz_returns_build_id(client, built):
    assert client.get("/healthz").get_json() == {"status": "ok", "build_id": built.id}


def test_provenance_api_has_sha256(client):
    body = client.get("/api/provenance").get_json()
    files = body["layers"]["kommuner"]["sources"][0]["files"]
    assert len(files[0]["sha256"]) == 64


def test_bad_language_is_a_400_naming_the_parameter(client):
    response = client.get("/?sprak=<script>")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "sprak"


def test_without_any_data_the_page_says_so(tmp_path):
    run_build(DataDir(None, "none"), BuildStore(tmp_path))
    client = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Ingen datakatalog hittades" in page
    assert "strukturbild fetch" in page


def test_no_build_yet_is_a_clear_404(tmp_path):
    client = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 404
    assert "strukturbild build" in response.get_json()["detail"]
