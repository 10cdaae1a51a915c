"""The HTML-safe JSON helpers on small exact cases (the mutation target for escaping).

Expectations are written out by hand from the JSON and HTML rules, not from the code:
``<``, ``>`` and ``&`` become their ``\\u`` escapes, everything else is left as it is, and
the text still parses to the same value.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from gisapp.web.jsonsafe import dumps, escape_json_text, json_value


def test_escape_json_text_rewrites_exactly_the_three_characters():
    assert escape_json_text('</script><a href="x&y">') == (
        '\\u003c/script\\u003e\\u003ca href="x\\u0026y"\\u003e')
    assert escape_json_text("Malmö 'ok' \\ /") == "Malmö 'ok' \\ /"


def test_dumps_is_the_same_json_without_markup_characters():
    value = {"namn": "Åre <b>&</b>", "n": [1, 2.5, None]}
    text = dumps(value)
    assert text == '{"namn": "Åre \\u003cb\\u003e\\u0026\\u003c/b\\u003e", "n": [1, 2.5, null]}'
    assert json.loads(text) == value


def test_dumps_writes_other_values_as_their_text():
    assert dumps({"d": pd.Timestamp("2024-05-01")}) == '{"d": "2024-05-01 00:00:00"}'


def test_json_value_turns_scalars_into_plain_values():
    assert json_value(None) is None
    assert json_value(np.nan) is None
    assert json_value(pd.NA) is None
    assert json_value(pd.NaT) is None
    assert json_value(np.int64(7)) == 7 and type(json_value(np.int64(7))) is int
    assert type(json_value(np.float64(0.5))) is float
    assert json_value("text") == "text"
    assert json_value([1, None]) == [1, None]
    assert json_value({"a": None}) == {"a": None}
    assert json_value(0) == 0
