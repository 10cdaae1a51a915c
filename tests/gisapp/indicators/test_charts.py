"""Inline SVG bar charts: escaped text, bars proportional to values, missing values shown."""

from __future__ import annotations

import re

from gisapp.indicators.charts import LABEL_W, PLOT_W, Bar, Reference, bar_chart


def test_bars_scale_to_the_largest_value_and_text_is_escaped():
    svg = str(bar_chart([Bar("<b>Kil</b>", 50.0, group="A & B"), Bar("Eda", 25.0),
                         Bar("Okänd", None)],
                        unit="procent", title="Andel <test>",
                        references=(Reference("Län", 40.0),)))
    assert "<b>" not in svg and "&lt;b&gt;Kil&lt;/b&gt;" in svg and "A &amp; B" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths == [PLOT_W, PLOT_W / 2]  # 50 is the top; no rect for the missing value
    assert ">–</text>" in svg  # the missing value is labelled, not drawn as zero
    line_x = float(re.search(r'<line x1="([\d.]+)"', svg).group(1))
    assert line_x == LABEL_W + PLOT_W * 40 / 50
    assert "Län 40,0%" in svg


def test_long_labels_are_shortened_with_the_full_text_kept():
    label = "Lågpendlingskommun nära större stad"
    svg = str(bar_chart([Bar(label, 1.0)], unit="invånare", title="t"))
    assert f"<title>{label}</title>" in svg
    assert "Lågpendlingskommun nära stö…" in svg
