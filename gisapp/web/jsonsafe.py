r"""HTML-safe JSON: the one implementation used by every JSON answer and inline script.

``<``, ``>`` and ``&`` are written as ``\u003c``, ``\u003e`` and ``\u0026`` — still the
same JSON, but a data string can never close a ``<script>`` element or form markup when a
document is echoed into a page.
"""

from __future__ import annotations

import json

import pandas as pd

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def escape_json_text(text: str) -> str:
    """Escape the three HTML-significant characters of serialised JSON ``text``."""
    for char, escaped in _ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def dumps(value: object) -> str:
    """Serialise ``value`` as UTF-8 JSON text, HTML-safe (non-JSON values via ``str``)."""
    return escape_json_text(json.dumps(value, ensure_ascii=False, default=str))


def json_value(value: object) -> object:
    """Turn pandas/numpy scalars into JSON values; missing values become ``None``."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
