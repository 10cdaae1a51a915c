"""The map in a real browser: Debian's headless Chromium driven by Playwright.

The main map and an embed inside an iframe on another local origin render; toggling a layer
changes what is drawn; the console stays free of errors. Screenshots are saved to
``test-artifacts/``. There is no internet here: requests to the OpenStreetMap tile server are
answered by the test with a blank tile (what an intranet without tiles would show is the
same vector map on a blank background).
"""

from __future__ import annotations

import re
import shutil
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from struct import pack
from urllib.parse import parse_qs, urlparse

import geopandas as gpd
import pandas as pd
import pytest
from werkzeug.serving import make_server

from gisapp import create_app
from tests.hostile import HOSTILE, write_hostile_build
from tests.system_tools import required_in_ci

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    required_in_ci(CHROMIUM is not None, "Debian chromium is not installed"),
    # Werkzeug's threaded dev server may leave a static file to the garbage collector when
    # the browser drops a keep-alive connection; that is the test server, not the app.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def blank_png() -> bytes:
    """A 1×1 transparent PNG, built by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))
    header = pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))


def serve(build_dir: Path):
    """Serve the app on ``build_dir`` by a real HTTP server on 127.0.0.1; yield its URL."""
    server = make_server("127.0.0.1", 0, create_app({"BUILD_DIR": str(build_dir)}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def app_url(build_dir):
    """The app served by a real HTTP server on 127.0.0.1."""
    yield from serve(build_dir)


@pytest.fixture(scope="module")
def hostile_url(built, tmp_path_factory):
    """The app on a build whose names carry markup and an event handler (tests/hostile.py)."""
    yield from serve(write_hostile_build(built, tmp_path_factory.mktemp("hostile")))


@pytest.fixture(scope="module")
def hostile_tiled_url(built, tmp_path_factory):
    """The app on the hostile build with its vector tiles: the kommuner come from tiles."""
    yield from serve(write_hostile_build(built, tmp_path_factory.mktemp("hostile_tiled"),
                                         tiles=True))


@pytest.fixture(scope="module")
def other_origin(app_url):
    """A page on another origin (localhost, another port) that embeds the map in an iframe."""
    page = (f'<!doctype html><html><body><h1>Kommunens webbsida</h1>'
            f'<iframe id="karta" src="{app_url}/embed?lager=kommuner,service&amp;kommun=1780"'
            f' width="800" height="500" style="border:0"></iframe></body></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from Debian, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail("Debian chromium is not installed: CI runs the browser and WCAG tests "
                    "(.ci/run installs it; `apt-get install chromium`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and answers tile requests with a blank tile."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.on("requestfailed", lambda req: _record_failure(page, req))
    tile = blank_png()
    page.route(re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/"),
               lambda route: route.fulfill(status=200, content_type="image/png", body=tile))
    yield page
    context.close()


def _record_failure(page, request) -> None:
    """A failed request is an error, except one the page itself cancelled (Leaflet aborts
    the tiles of a view it leaves before they arrive: ``net::ERR_ABORTED``)."""
    if request.failure != "net::ERR_ABORTED":
        page.console_errors.append(f"request failed: {request.url} ({request.failure})")


MAP_SETTLED_JS = """() => {
    const moving = document.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim');
    const tiles = [...document.querySelectorAll('.leaflet-tile')];  // images and vector tiles
    return !moving && tiles.every((t) => (t.tagName !== 'IMG' || t.complete)
        && t.classList.contains('leaflet-tile-loaded')
        && (t.style.opacity === '' || Number(t.style.opacity) === 1));
}"""
NEXT_PAINT_JS = ("() => new Promise((done) => "
                 "requestAnimationFrame(() => requestAnimationFrame(done)))")


def settle(page) -> None:
    """Wait until no Leaflet map is zooming or panning and every tile (base map and vector
    tiles) has faded in, then
    for the next paint (conditions, not a fixed time)."""
    page.wait_for_function(MAP_SETTLED_JS, timeout=10_000)
    page.evaluate(NEXT_PAINT_JS)


def map_pixels(page) -> bytes:
    """A screenshot of the map area (focus moved away so no focus ring is drawn)."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    settle(page)
    return page.locator(".folium-map").first.screenshot()


def test_main_map_renders_and_toggles_a_layer(page, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(app_url + "/", wait_until="networkidle")
    page.wait_for_selector(".sb-panel input[data-layer='kommuner']")
    assert page.evaluate("() => typeof L") == "object"
    assert page.evaluate("() => Object.keys(window.strukturbildLayers).length") >= 4
    page.screenshot(path=ARTIFACTS / "main_map.png")
    before = map_pixels(page)
    page.uncheck(".sb-panel input[data-layer='kommuner']")
    page.uncheck(".sb-panel input[data-layer='tatorter']")
    after = map_pixels(page)
    assert before != after
    page.check(".sb-panel input[data-layer='kommuner']")
    page.check(".sb-panel input[data-layer='tatorter']")
    assert map_pixels(page) != after
    assert page.evaluate("() => Boolean(window.strukturbildLayers.kommuner.layer._map)")
    assert page.console_errors == []


def click_point(page, lat: float, lon: float, zoom: float | None = None) -> list[float]:
    """Centre the map on lat/lon (at ``zoom``), wait for it to settle; the page pixel there."""
    point = page.evaluate(f"""([lat, lon, zoom]) => {{
        const map = {MAP_JS};
        if (zoom !== null) map.setView([lat, lon], zoom, {{animate: false}});
        const p = map.latLngToContainerPoint([lat, lon]);
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }}""", [lat, lon, zoom])
    settle(page)
    return point


def free_of_symbols(built, geometries, *, points_m: float = 600, lines_m: float = 400):
    """Which of ``geometries`` (EPSG:3006) lie clear of every point and line drawn above."""
    points = [built.layer(i).geometry for i in ("service", "hallplatser")]
    busy = gpd.GeoSeries(pd.concat(points)).buffer(points_m).union_all().union(
        built.layer("stomlinjer").geometry.buffer(lines_m).union_all())
    return ~geometries.intersects(busy)


def test_population_grid_is_fetched_when_switched_on_and_shows_its_split(page, app_url,
                                                                         built, grid_csv):
    """A click on a populous square (its centre clear of points and lines) opens its popup:
    the square's population as the raw SCB grid file has it, with its split."""
    grid = built.layer("befolkning")
    centres = grid.geometry.centroid
    clear = grid[free_of_symbols(built, centres) & (grid["tatort_bef"] > 0)
                 & (grid["landsbygd_bef"] > 0)]
    square = clear.loc[clear["befolkning"].idxmax()]
    raw = grid_csv.set_index("rutid_scb").loc[square["rutid_scb"]]
    centre = gpd.GeoSeries([centres[square.name]], crs=3006).to_crs(4326).iloc[0]
    page.goto(app_url + "/", wait_until="networkidle")
    point = click_point(page, centre.y, centre.x, 12)
    with page.expect_response(lambda r: "/tiles/befolkning/" in r.url
                              and r.status == 200) as got:
        page.check(".sb-panel input[data-layer='befolkning']")
    assert got.value.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    settle(page)
    page.wait_for_selector("text=1 000 inv./km² eller fler")  # the legend of the classes
    page.mouse.click(*point)
    page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    popup = page.locator(".leaflet-popup-content").text_content()
    assert "varav i tätort" in popup and "varav på landsbygd" in popup
    assert f"{int(raw['beftotalt']):,}".replace(",", "\xa0") in popup
    page.screenshot(path=ARTIFACTS / "befolkning.png")
    assert page.console_errors == []


def test_main_map_draws_kommuner_from_tiles_and_a_click_opens_the_kommun(page, app_url,
                                                                         built, data_dir):
    """The kommuner are not in the page: they come as vector tiles, are drawn as SVG paths,
    and a click inside Karlstad kommun (a point chosen from the raw boundary file, away from
    every tätort, point and line) opens Karlstad's popup."""
    with page.expect_response(lambda r: "/tiles/kommuner/" in r.url and r.status == 200):
        page.goto(app_url + "/", wait_until="networkidle")
    assert page.evaluate("() => window.strukturbildLayers.kommuner.layer.getLayers()"
                         ".every((l) => l.feature === undefined)")  # no GeoJSON in the group
    settle(page)
    paths = page.evaluate("() => document.querySelectorAll("
                          "'.leaflet-sbPolygons-pane svg.leaflet-tile path').length")
    assert paths >= 16
    click_inside_karlstad(page, built, data_dir)
    popup = page.locator(".leaflet-popup-content").text_content()
    assert "Karlstad" in popup and "1780" in popup
    assert page.console_errors == []


def click_inside_karlstad(page, built, data_dir) -> None:
    """Click a point inside Karlstad kommun (from the raw boundary file, away from every
    tätort, point and line); wait for the popup."""
    raw = gpd.read_file(data_dir / "admin" / "kommuner_sverige_lm1m_2018.gpkg",
                        layer="kommuner").to_crs(3006)
    karlstad = raw.loc[raw["kommunkod"] == "1780"].geometry.iloc[0].buffer(-1500)
    inside = gpd.GeoSeries([karlstad.difference(
        built.layer("tatorter").geometry.buffer(2000).union_all())], crs=3006)
    candidates = gpd.GeoSeries(inside.sample_points(200, rng=0).explode().values, crs=3006)
    clear = candidates[free_of_symbols(built, candidates, points_m=1500, lines_m=1500)]
    spot = clear.to_crs(4326).iloc[0]
    page.mouse.click(*click_point(page, spot.y, spot.x))
    page.wait_for_selector(".leaflet-popup-content", timeout=5000)


def test_hostile_names_in_tiled_popups_are_text(page, hostile_tiled_url, built, data_dir):
    """Guards the popups of tiled layers: a kommun name carrying ``<script>`` and
    ``<img onerror>``, drawn from the vector tiles, shows as text in Karlstad's popup and
    creates no element and runs no handler."""
    with page.expect_response(lambda r: "/tiles/kommuner/" in r.url and r.status == 200):
        page.goto(hostile_tiled_url + "/", wait_until="networkidle")
    settle(page)
    click_inside_karlstad(page, built, data_dir)
    content = page.locator(".leaflet-popup-content")
    assert content.locator("script, img, [onerror]").count() == 0
    assert HOSTILE + "Karlstad" in content.text_content()
    page.wait_for_load_state("networkidle")  # an <img src=x> would have failed by now
    assert page.evaluate("() => window.sbPwned") is None
    assert page.console_errors == []


def test_embed_snippet_is_offered(page, app_url):
    page.goto(app_url + "/", wait_until="networkidle")
    page.click("text=Bädda in")
    snippet = page.input_value(".sb-dialog textarea")
    assert snippet.startswith('<iframe src="http://127.0.0.1:')
    assert "/embed?lager=" in snippet and "bbox=" in snippet
    assert page.console_errors == []


def test_embed_renders_inside_an_iframe_on_another_origin(page, other_origin):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(other_origin, wait_until="networkidle")
    frame = page.frame_locator("#karta")
    frame.locator(".leaflet-container").wait_for()
    embedded = next(f for f in page.frames if "/embed" in f.url)
    layers = embedded.evaluate("() => Object.keys(window.strukturbildLayers)")
    assert layers == ["kommuner", "service"]
    page.screenshot(path=ARTIFACTS / "embed_in_iframe.png")
    assert page.console_errors == []


def test_indicator_selector_draws_a_choropleth(page, app_url):
    page.goto(app_url + "/", wait_until="networkidle")
    with page.expect_navigation():
        page.select_option(".sb-panel select", "andel_i_tatort")
    assert "indikator=andel_i_tatort" in page.url
    page.wait_for_selector("text=Andel i tätort")
    page.screenshot(path=ARTIFACTS / "choropleth.png")
    assert page.console_errors == []


def test_scenario_page_asks_the_api_and_shows_who_gets_farther(page, app_url, built):
    page.goto(app_url + "/scenario", wait_until="networkidle")
    kil = built.layer("service").query("kategori == 'apotek' and kommunkod == '1715'")
    staffed = kil[kil["namn"].str.startswith("Kronans")]["id"].item()
    page.select_option("select[name=ta_bort]", staffed)
    with page.expect_response(lambda r: "/api/scenario?" in r.url) as answer:
        page.click("button[type=submit]")
    assert answer.value.status == 200
    page.wait_for_selector("text=Ursprung som påverkas")
    rows = page.locator("table").nth(1).locator("tr")
    names = [rows.nth(i).locator("td").first.text_content() for i in range(1, rows.count())]
    assert any(n.startswith("Kil (ruta ") for n in names)  # Kil's tätort part of a square
    assert any(n.startswith("landsbygd (ruta ") for n in names)  # and its countryside
    assert page.locator("table").first.locator("text=Karlstad").count() >= 1
    assert page.locator("table").first.locator("td", has_text="tätort").count() >= 1  # label
    # the map rings the closed pharmacy and draws one circle per origin that gets farther
    assert page.locator("#sb-scenario-map path.sb-closed").count() == 1
    pharmacies = (built.layer("service")["kategori"] == "apotek").sum()
    assert page.locator("#sb-scenario-map path.sb-same-kind").count() == pharmacies
    assert page.locator("#sb-scenario-map path.sb-changed").count() == rows.count() - 1
    page.locator("#sb-scenario-map path.sb-changed").first.dispatch_event("click")
    assert "(ruta " in page.locator(".leaflet-popup-content").text_content()
    page.screenshot(path=ARTIFACTS / "scenario.png", full_page=True)
    assert page.console_errors == []


def test_choropleth_leaves_point_popups_clickable_and_panel_is_keyboard_friendly(
        page, app_url, built):
    page.goto(app_url + "/?indikator=andel_i_tatort&sprak=en", wait_until="networkidle")
    settle(page)
    order = page.evaluate("""() => {
        const map = window[Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))];
        const layers = [];
        map.eachLayer((l) => { if (l.feature && l.options && l.options.fillColor !== undefined)
            layers.push([l.feature.geometry.type, l.options.fillOpacity]); });
        return layers.length;
    }""")
    assert order > 0
    # click a pharmacy with no other service point within 150 m (a post agent often shares
    # the shop): its popup opens (the choropleth lies beneath the points)
    service = built.layer("service")
    pharmacies = service[service["kategori"] == "apotek"]
    others = service[service["kategori"] != "apotek"].union_all()
    alone = pharmacies[pharmacies.distance(others) > 150]
    name = alone["namn"].iloc[0]
    kil = alone.to_crs("EPSG:4326").geometry.iloc[0]
    point = page.evaluate("""([lat, lon]) => {
        const map = window[Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))];
        map.setView([lat, lon], 14, {animate: false});
        const p = map.latLngToContainerPoint([lat, lon]);
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", [kil.y, kil.x])
    settle(page)
    page.mouse.click(*point)
    page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    assert name in page.locator(".leaflet-popup-content").text_content()
    assert page.locator("h2", has_text="Population").count() >= 1  # theme headings in English
    toggle = page.locator("button.sb-toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    missing = page.locator("details.sb-off summary").first
    missing.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.sb-off[open] .sb-note").first.is_visible()


def test_embed_fits_the_bbox_in_the_browser(page, app_url):
    page.goto(app_url + "/embed?lager=kommuner&bbox=13.3,59.3,13.7,59.5",
              wait_until="networkidle")
    view = page.evaluate("""() => {
        const map = window[Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))];
        const b = map.getBounds();
        return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
    }""")
    west, south, east, north = view
    assert west <= 13.3 and south <= 59.3 and east >= 13.7 and north >= 59.5  # all shown
    assert east - west < 2.0  # and zoomed to it, not to the whole län (≈ 5° wide)
    # Leaflet cancels the tiles of the first view when the page zooms to the bbox
    assert [e for e in page.console_errors if "tile.openstreetmap.org" not in e] == []


AXE = Path(__file__).resolve().parents[2] / "static" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.mark.parametrize("path", ["/", "/?sprak=en", "/kommun/1780", "/jamfor",
                                  "/embed?kommun=1780", "/scenario", "/nedladdning/"])
def test_pages_pass_axe_wcag_21_aa(page, app_url, path):
    """Public-sector pages in Sweden must meet WCAG 2.1 AA (DOS-lagen): axe-core finds no
    violation of its WCAG A/AA rules (axe comes from npm with ``make install``)."""
    page.emulate_media(reduced_motion="reduce")
    page.goto(app_url + path)
    page.wait_for_load_state("networkidle")
    settle(page)  # Leaflet's zoom and fade transitions have ended (colour contrast)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: tags})", WCAG_AA)
    found = [f"{v['impact']} {v['id']}: {v['help']} at {v['nodes'][0]['target']}"
             for v in result["violations"]]
    assert found == []
    assert len(result["passes"]) > 10  # the rules did run


def _number(text: str) -> float:
    return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def test_a_shared_scenario_link_runs_and_lists_the_most_affected_first(page, app_url, built):
    kil = built.layer("service").query("kategori == 'apotek' and kommunkod == '1715'")
    staffed = kil[kil["namn"].str.startswith("Kronans")]["id"].item()
    with page.expect_response(lambda r: "/api/scenario?" in r.url) as answer:
        page.goto(f"{app_url}/scenario?ta_bort={staffed}&km=5&utm_source=nyhetsbrev")
    assert answer.value.status == 200 and "km=5" in answer.value.url
    page.wait_for_selector("text=Ursprung som påverkas")
    assert page.input_value("select[name=ta_bort]") == staffed
    rows = page.locator("table").nth(1).locator("tr")
    increase = [_number(rows.nth(i).locator("td").last.text_content())
                for i in range(1, rows.count())]
    assert increase == sorted(increase, reverse=True) and len(increase) > 3
    shared = parse_qs(urlparse(page.url).query)  # the address holds the scenario
    assert shared["ta_bort"] == [staffed] and shared["km"] == ["5"]
    assert page.console_errors == []


PHONE_PAGES = {"index": "/", "kommun": "/kommun/1780", "jamfor": "/jamfor",
               "scenario": "/scenario"}


@pytest.mark.parametrize("name", list(PHONE_PAGES))
def test_phone_screens_keep_the_map_visible_and_nothing_wider_than_the_screen(browser,
                                                                               app_url, name):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.route(re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/"),
               lambda route: route.fulfill(status=200, content_type="image/png",
                                           body=blank_png()))
    page.goto(app_url + PHONE_PAGES[name], wait_until="networkidle")
    settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"phone-{name}.png")
    wide = page.evaluate("""() => [...document.querySelectorAll('main *, header *, form *')]
        .filter(e => !e.closest('.leaflet-container') && !e.closest('.scroll')
                && e.getBoundingClientRect().right > innerWidth + 1)
        .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 30))""")
    assert wide == []
    for svg in page.locator("main figure svg").all():  # the charts
        assert svg.bounding_box()["width"] <= 390
    if name in ("index", "kommun"):
        panel = page.locator(".sb-panel").first
        assert "sb-collapsed" in panel.get_attribute("class")  # closed on a phone
        map_box = page.locator(".folium-map").first.bounding_box()
        panel_box = panel.bounding_box()
        assert panel_box["width"] * panel_box["height"] < 0.1 * map_box["width"] * \
            map_box["height"]
        toggle = page.locator(".sb-toggle").first.bounding_box()
        assert toggle["width"] >= 24 and toggle["height"] >= 24
    context.close()


MAP_JS = "window[Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))]"


def _boxes(page, selector: str) -> list[dict]:
    return page.evaluate(f"""() => Array.from(document.querySelectorAll({selector!r}))
        .map((n) => {{ const r = n.getBoundingClientRect();
                      return {{text: n.textContent, x0: r.left, y0: r.top, x1: r.right,
                               y1: r.bottom}}; }})""")


def test_place_names_show_at_the_default_zoom_without_overlaps(page, app_url, built):
    page.goto(app_url + "/", wait_until="networkidle")
    labels = _boxes(page, ".sb-label span")
    names = {label["text"] for label in labels}
    kommuner = {name.upper() for name in built.layer("kommuner")["kommunnamn"]}
    assert len(names & kommuner) >= 12  # most kommun names fit at the region's zoom
    tatorter = set(built.layer("tatorter")["tatort"])
    assert names & tatorter  # and the largest tätorter
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            overlap = a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] \
                and b["y0"] < a["y1"]
            assert not overlap, (a["text"], b["text"])
    # zooming in shows more tätorter
    page.evaluate(f"() => {MAP_JS}.setZoom({MAP_JS}.getZoom() + 2, {{animate: false}})")
    settle(page)
    assert len({b["text"] for b in _boxes(page, ".sb-label-tatort span")}) > len(
        names & tatorter)
    page.uncheck(".sb-panel input[data-labels]")
    assert page.locator(".sb-label").count() == 0
    assert page.console_errors == []


def test_a_station_popup_opens_where_a_line_passes(page, app_url, built):
    """Clicked at its centre, a station on the stomlinjenät opens the station's popup, not
    the line's (points are drawn in a pane above lines)."""
    page.goto(app_url + "/", wait_until="networkidle")
    stations = built.layer("hallplatser")
    served = stations[stations["status"] == "trafikeras"].to_crs("EPSG:4326")
    lines = built.layer("stomlinjer").geometry.union_all()
    on_line = served[served.to_crs(3006).distance(lines) < 5]  # a line passes through it
    # and no service point (a parcel locker at the station) lies on top of it at zoom 16
    on_line = on_line[on_line.to_crs(3006).distance(built.layer("service").union_all()) > 40]
    assert len(on_line) > 0
    station = on_line.iloc[0]
    point = page.evaluate(f"""([lat, lon]) => {{
        const map = {MAP_JS};
        map.setView([lat, lon], 16, {{animate: false}});
        const p = map.latLngToContainerPoint([lat, lon]);
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }}""", [station.geometry.y, station.geometry.x])
    settle(page)
    under = page.evaluate("""([x, y]) => document.elementsFromPoint(x, y)
        .map((e) => e.closest('.leaflet-pane') && e.closest('.leaflet-pane').className)
        .filter(Boolean)""", point)
    assert any("sbLines" in pane for pane in under), under  # the line is there, under it
    page.mouse.click(*point)
    page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    content = page.locator(".leaflet-popup-content").text_content()
    assert station["namn"] in content and "Avgångar per dag" in content, (under, content)
    assert "Turer per dag" not in content  # not the line's popup
    assert page.console_errors == []


# Every popup and tooltip of every folium layer, built as Leaflet builds it when opened.
ALL_POPUPS_JS = """() => {
    const made = [];
    Object.keys(window).filter((k) => /^geo_json_[0-9a-f]+$/.test(k)).forEach((k) => {
        const group = window[k];
        [group.getPopup && group.getPopup(), group.getTooltip && group.getTooltip()]
            .forEach((bound) => {
                if (!bound || typeof bound._content !== 'function') return;
                group.eachLayer((layer) => {
                    bound._content(layer).querySelectorAll('*').forEach((e) => made.push(
                        [e.tagName.toLowerCase(), [...e.attributes].map((a) => a.name)]));
                });
            });
    });
    return made;
}"""
OPEN_KARLSTAD_JS = """() => {
    const group = Object.keys(window).filter((k) => /^geo_json_[0-9a-f]+$/.test(k))
        .map((k) => window[k]).find((g) => g.getPopup && g.getPopup()
            && g.getLayers().some((l) => l.feature.properties.kommunnamn !== undefined));
    const karlstad = group.getLayers().find((l) => l.feature.properties.kommunkod === '1780');
    karlstad.fire('click', {latlng: karlstad.getBounds().getCenter()}, true);
}"""


def test_hostile_names_in_popups_create_no_element_or_handler(page, hostile_url):
    """Guards the popup escaping in the browser itself: with names carrying ``<script>`` and
    ``<img onerror>``, every folium popup and tooltip (built for every feature) creates only
    its table and a station's SVG profile, without a handler; Karlstad's opened popup shows
    the hostile name as text and the handler never runs."""
    page.goto(hostile_url + "/?indikator=andel_i_tatort", wait_until="networkidle")
    made = page.evaluate(ALL_POPUPS_JS)
    assert len(made) > 1000
    tags = {tag for tag, _ in made}
    assert tags <= {"table", "tbody", "tr", "th", "td", "div", "br", "svg", "rect", "text",
                    "title"}, tags
    assert not [m for m in made if any(a.startswith("on") or a in {"src", "href"}
                                       for a in m[1])]
    page.evaluate(OPEN_KARLSTAD_JS)
    content = page.locator(".leaflet-popup-content")
    content.wait_for()
    assert content.locator("script, img, [onerror]").count() == 0
    assert HOSTILE + "Karlstad" in content.text_content()
    page.wait_for_load_state("networkidle")  # an <img src=x> would have failed by now
    assert page.evaluate("() => window.sbPwned") is None
    assert page.console_errors == []


def _legend_colours(page) -> dict[str, set[str]]:
    return page.evaluate("""() => {
        const out = {};
        document.querySelectorAll('.sb-panel input[data-layer]').forEach((box) => {
            if (!box.checked) return;
            const legend = box.closest('label').nextElementSibling;
            out[box.dataset.layer] = Array.from(legend.querySelectorAll('.sb-swatch'))
                .map((s) => s.dataset.colour);
        });
        return out;
    }""")


def test_no_two_visible_layers_share_a_legend_colour(page, app_url):
    page.goto(app_url + "/", wait_until="networkidle")
    for layer in ("tatort_stomlinje", "upptagningsomraden", "befolkning"):
        page.check(f".sb-panel input[data-layer='{layer}']")
    colours = _legend_colours(page)
    assert len(colours) >= 8
    owners: dict[str, list[str]] = {}
    for layer, swatches in colours.items():
        for colour in set(swatches):
            owners.setdefault(colour, []).append(layer)
    assert {c: o for c, o in owners.items() if len(o) > 1} == {}
    assert page.console_errors == []


def _kommun_bounds(built, kod: str) -> list[float]:
    kommuner = built.layer("kommuner")
    return [float(v) for v in kommuner[kommuner["kommunkod"] == kod].to_crs(4326).total_bounds]


def _view(page) -> list[float]:
    return page.evaluate(f"""() => {{ const b = {MAP_JS}.getBounds();
        return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }}""")


@pytest.mark.parametrize("path", ["/kommun/1737", "/embed?kommun=1737"])
def test_the_torsby_map_shows_the_whole_kommun_highlighted(page, app_url, built, path):
    page.goto(app_url + path, wait_until="networkidle")
    west, south, east, north = _kommun_bounds(built, "1737")
    view = _view(page)
    assert view[0] <= west and view[1] <= south and view[2] >= east and view[3] >= north
    assert (view[3] - view[1]) < 3 * (north - south)  # fitted to Torsby, not to the län
    assert page.locator(".leaflet-sbHighlight-pane path").count() == 3  # mask, halo, border
    assert page.console_errors == []


def test_embed_has_title_open_legend_labels_and_source_line(page, app_url, built):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 800, "height": 520})
    page.goto(app_url + "/embed?kommun=1784", wait_until="networkidle")
    assert page.locator(".sb-maptitle").text_content().startswith("Arvika – ")
    legend = page.locator(".sb-maplegend")
    assert legend.is_visible() and legend.locator(".sb-swatch").count() >= 3
    assert page.locator(".sb-label").count() > 0
    source = page.locator(".sb-source").text_content()
    assert source.startswith("Källa: ") and "Lantmäteriet (2018)" in source
    west, south, east, north = _kommun_bounds(built, "1784")
    view = _view(page)
    assert view[0] <= west and view[1] <= south and view[2] >= east and view[3] >= north
    page.screenshot(path=ARTIFACTS / "embed_arvika.png")
    assert page.console_errors == []


def test_embed_dialog_keeps_the_kommun_and_offers_sizes_and_a_preview(page, app_url):
    page.goto(app_url + "/kommun/1737", wait_until="networkidle")
    page.click("button.sb-toggle")
    page.click("text=Bädda in")
    snippet = page.input_value(".sb-dialog textarea")
    assert "kommun=1737" in snippet and "bbox=" not in snippet
    assert 'width="640" height="480"' in snippet
    preview = page.frame_locator("iframe.sb-preview")
    preview.locator(".sb-maptitle").wait_for()  # the first preview is drawn before a size
    assert preview.locator(".sb-maptitle").text_content().startswith("Torsby")  # is chosen
    page.check(".sb-sizes input[value='0']")
    assert 'width="400" height="300"' in page.input_value(".sb-dialog textarea")
    preview.locator(".sb-maptitle").wait_for()
    links = page.locator("a[data-export]")
    assert links.count() == 3
    assert "kommun=1737" in links.first.get_attribute("href")
    # the preview reloads when a size is chosen, cancelling its first tiles
    assert [e for e in page.console_errors if "tile.openstreetmap.org" not in e] == []


def test_a_visible_note_says_when_the_tiles_fail(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.route(re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/"),
               lambda route: route.abort())
    page.goto(app_url + "/", wait_until="networkidle")
    note = page.locator(".sb-tilenote")
    note.wait_for()
    assert "kunde inte laddas" in note.text_content() or "gick inte att ladda" in \
        note.text_content()
    assert page.locator(".leaflet-sbBackground-pane path").count() == 1  # land from the data
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").text_content()
    assert page.locator(".leaflet-control-scale-line").count() == 1  # metric only
    assert "km" in page.locator(".leaflet-control-scale-line").text_content()
    page.screenshot(path=ARTIFACTS / "main_map_without_tiles.png")
    context.close()


def test_printing_hides_the_panel_and_fits_one_landscape_page(page, app_url):
    page.goto(app_url + "/", wait_until="networkidle")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(
        b"/Type/Page") - pdf.count(b"/Type /Pages") - pdf.count(b"/Type/Pages") <= 1
    page.emulate_media(media="print")
    assert not page.locator(".sb-panel").is_visible()
    assert page.locator(".sb-maplegend").is_visible()
    assert page.locator(".sb-source").is_visible()
