"""Shared links survive tracking parameters; browsers get HTML error pages, APIs problem JSON."""

from __future__ import annotations

import pytest
from markupsafe import escape

from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import FileStore
from gisapp.web.params import is_tracking
from messages import text
from tests.conftest import data_dir_without

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TRACKING = "utm_source=nyhetsbrev&utm_medium=email&fbclid=IwAR0abc&gclid=Cj0KCQ&mc_eid=12ab"
HTML_ROUTES = ["/", "/embed", "/kommun/1780", "/jamfor", "/scenario", "/nedladdning/",
               "/jamfor?indikator=befolkning&omrade=landsbygd"]


@pytest.mark.parametrize("route", HTML_ROUTES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_html_route_opens_with_tracking_parameters(client, route, lang):
    joiner = "&" if "?" in route else "?"
    response = client.get(f"{route}{joiner}sprak={lang}&{TRACKING}", headers=BROWSER)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("route", ["/api/indikatorer", "/api/tatorter", "/api/scenario",
                                   "/healthz", "/api/provenance"])
def test_apis_stay_strict_about_unknown_parameters(client, route):
    response = client.get(f"{route}?utm_source=x", headers=BROWSER)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["parameter"] == "utm_source"


def test_a_mistyped_page_parameter_is_still_an_error_in_the_page_language(client):
    response = client.get("/jamfor?klasning=skr&sprak=en", headers=BROWSER)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and '<html lang="en">' in html
    assert "klasning" in html and 'href="/?sprak=en"' in html


def test_tracking_names():
    assert all(is_tracking(n) for n in ("utm_campaign", "UTM_SOURCE", "fbclid", "gclid",
                                        "mc_cid", "msclkid"))
    assert not any(is_tracking(n) for n in ("sprak", "kommun", "utm", "lager"))


def test_browser_gets_an_html_404_in_swedish_with_a_link_to_the_map(client):
    response = client.get("/finns-inte/alls", headers=BROWSER)
    assert response.status_code == 404 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html and "Sidan finns inte" in html
    assert "/finns-inte/alls" in html and 'href="/?sprak=sv"' in html


@pytest.mark.parametrize("asked", [{"query": "?sprak=en", "headers": {}},
                                   {"query": "", "headers": {"Accept-Language": "en-GB,en"}}])
def test_browser_gets_the_404_in_the_asked_language(client, asked):
    response = client.get(f"/nosuch{asked['query']}", headers={**BROWSER, **asked["headers"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "Page not found" in html
    assert 'href="/?sprak=en"' in html


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
def test_api_clients_get_problem_json_for_unknown_paths(client, accept):
    response = client.get("/nosuch", headers={"Accept": accept} if accept else {})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_a_browser_opening_an_api_gets_problem_json(client):
    response = client.get("/api/indikatorer?kommun=9999", headers=BROWSER)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_echoed_input_on_an_error_page_is_escaped(client):
    response = client.get("/jamfor?indikator=<script>alert(1)</script>", headers=BROWSER)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_the_error_page_says_what_was_wrong_in_the_page_language(client):
    sv = client.get("/jamfor?klassning=nosuch", headers=BROWSER).get_data(as_text=True)
    assert "värdet &#39;nosuch&#39; finns inte. Giltiga värden: skr" in sv
    en = client.get("/jamfor?klassning=nosuch&sprak=en", headers=BROWSER).get_data(as_text=True)
    assert "the value &#39;nosuch&#39; does not exist. Valid values: skr" in en
    api = client.get("/api/indikatorer?klassning=nosuch").get_json()
    assert api["detail"] == "klassning: unknown value 'nosuch'; expected one of skr"


@pytest.mark.parametrize(("lang", "title"), [("sv", "Saknar data"), ("en", "No data")])
def test_scenario_without_service_points_says_which_data_is_missing(tmp_path, data_dir,
                                                                    lang, title):
    root = data_dir_without(tmp_path, data_dir, "indicators")
    build = run_build(DataDir(root, "test"), FileStore(tmp_path / "builds"),
                      progress=lambda _: None)
    reason = build.manifest["missing"]["service"]
    client = create_app({"BUILD_DIR": str(tmp_path / "builds"), "TESTING": True}).test_client()
    response = client.get(f"/scenario?sprak={lang}", headers=BROWSER)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert f"<h1>{title}</h1>" in html and "Sidan finns inte" not in html
    assert escape(reason) in html and text("layer.service.title", lang) in html
