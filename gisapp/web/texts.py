"""Texts shared by the page templates (header, footer, provenance table), per language.

The texts themselves live in the message catalogue (``messages/<lang>.po``, section ``page``).
"""

from __future__ import annotations

from messages import LANGUAGES, section

TEXTS = {lang: section("page", lang) for lang in LANGUAGES}
