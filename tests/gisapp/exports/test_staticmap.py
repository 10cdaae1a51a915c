"""The static map: the asked kommun wholly inside the map, labels without overlaps, a legend
of the classes present and a metric scale bar."""

from __future__ import annotations

from gisapp.exports.staticmap import Page, draw
from gisapp.maps.view import MapView
from layers.service import CATEGORIES


def test_a_kommun_map_holds_the_whole_kommun(built):
    fig = draw(built, MapView("sv", None, "1737", None, None), Page("a4", 72))
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    kommuner = built.layer("kommuner")
    minx, miny, maxx, maxy = kommuner[kommuner["kommunkod"] == "1737"].total_bounds
    assert x0 < minx and y0 < miny and x1 > maxx and y1 > maxy
    assert (y1 - y0) < 1.3 * (maxy - miny)  # fitted to Torsby, not to the län


def test_labels_do_not_overlap_and_the_scale_is_metric(built):
    fig = draw(built, MapView("sv", None, None, None, None), Page("a4", 72))
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    names = {k.upper() for k in built.layer("kommuner")["kommunnamn"]}
    labels = [t for t in ax.texts if t.get_text() in names or t.get_text() in set(
        built.layer("tatorter")["tatort"])]
    assert len(labels) >= 12
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    scale = [t.get_text() for t in ax.texts if t.get_text().endswith(" km")]
    assert scale and all("mi" not in s for s in scale)


def test_the_legend_lists_only_classes_present(built):
    fig = draw(built, MapView("sv", ("stomlinjer", "service"), None, None, None),
               Page("a4", 72))
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Stomlinje" in texts and "Stark stomlinje" not in texts  # no such segment here
    present = set(built.layer("service")["kategori_sv"])
    # each with its count, as in the map's legend: "Apotek och apoteksombud (70)"
    assert all(any(t.startswith(f"{label} (") for t in texts) for label in present)
    assert "Apotek och apoteksombud (70)" in texts
    absent = {sv for value, (sv, _, _) in CATEGORIES.items()
              if value not in set(built.layer("service")["kategori"])}
    assert absent and not any(t.startswith(sv) for t in texts for sv in absent)
