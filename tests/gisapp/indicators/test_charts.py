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
    assert "Län: 40,0\u00a0%" in svg  # in the legend


def test_every_reference_line_is_in_the_legend_and_crosses_no_value_label():
    bars = [Bar("Kil", 50.0, group="A"), Bar("Eda", 10.0, group="A"), Bar("Arvika", 30.0,
                                                                           group="B")]
    refs = (Reference("Gruppens värde (A)", 30.0, "#D55E00", "A"), Reference("Län", 35.0))
    svg = str(bar_chart(bars, unit="procent", title="t", references=refs))
    assert "Gruppens värde (A): 30,0\u00a0%" in svg and "Län: 35,0\u00a0%" in svg
    lines = [float(x) for x in re.findall(r'<line x1="([\d.]+)" x2="\1"', svg)]
    assert lines and max(lines) <= LABEL_W + PLOT_W
    value_x = [float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="end">\d', svg)]
    assert len(value_x) == 3 and min(value_x) > LABEL_W + PLOT_W  # own column, right of plot


def test_numbers_follow_the_page_language_and_the_chart_scales_to_its_box():
    svg = str(bar_chart([Bar("Kil", 1234.5)], unit="invånare", title="t", lang="en"))
    assert "1\u00a0234" in svg or "1\u00a0235" in svg
    svg = str(bar_chart([Bar("Kil", 12.25)], unit="procent", title="t", lang="en"))
    assert "12.2\u00a0%" in svg or "12.3\u00a0%" in svg
    assert 'width="100%"' in svg and "viewBox=" in svg


def test_long_labels_are_shortened_with_the_full_text_kept():
    label = "Lågpendlingskommun nära större stad"
    svg = str(bar_chart([Bar(label, 1.0)], unit="invånare", title="t"))
    assert f"<title>{label}</title>" in svg
    assert "Lågpendlingskommun nära stö…" in svg
