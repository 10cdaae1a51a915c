"""The message catalogue: every user-facing string, one gettext ``.po`` file per language.

``messages/sv.po`` and ``messages/en.po`` hold the same keys (the ``msgid``, e.g.
``indicators.compare``); the ``msgstr`` is the text in that language. Keys are
``<section>.<name>``: a page asks for its section (:func:`section`), code for one text
(:func:`text`). The files are read with Babel, so the usual gettext tools (Poedit, Weblate,
``msgfmt --check``) work on them. Add a string with one command::

    .venv/bin/python -m messages add panel.close "Stäng" "Close"

This package imports nothing of the project, so every tier (``data_sources``, ``layers``,
``gisapp``) may use it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("sv", "en")
FOLDER = Path(__file__).resolve().parent


def po_path(lang: str) -> Path:
    """The catalogue file of ``lang``."""
    return FOLDER / f"{lang}.po"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every key of ``lang`` with its text, in file order (read once per process)."""
    if lang not in LANGUAGES:
        raise KeyError(f"no message catalogue for language {lang!r}; have {LANGUAGES}")
    with po_path(lang).open("rb") as handle:
        parsed = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in parsed if m.id}


def text(key: str, lang: str = "sv", **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``{name}`` fields filled from ``values``."""
    try:
        template = catalogue(lang)[key]
    except KeyError:
        raise KeyError(f"message {key!r} is missing from messages/{lang}.po") from None
    return template.format(**values) if values else template


def has(key: str, lang: str = "sv") -> bool:
    """Whether ``key`` is in the catalogue of ``lang``."""
    return key in catalogue(lang)


def section(prefix: str, lang: str) -> dict[str, str]:
    """The keys under ``prefix.`` with the prefix removed: ``{name: text}`` for templates."""
    start = prefix + "."
    found = {k[len(start):]: v for k, v in catalogue(lang).items() if k.startswith(start)}
    if not found:
        raise KeyError(f"no messages under {prefix!r} in messages/{lang}.po")
    return found


def both(key: str) -> tuple[str, str]:
    """``(Swedish, English)`` of ``key``, for facts that carry both (layer titles, labels)."""
    return text(key, "sv"), text(key, "en")


def labelled(prefix: str, colours: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    """``{value: (Swedish label, English label, colour)}`` from ``prefix.<value>`` keys."""
    return {value: (*both(f"{prefix}.{value}"), colour) for value, colour in colours.items()}
