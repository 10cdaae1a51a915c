"""Writing the catalogues: add keys to every language's ``.po`` file at once."""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from messages import LANGUAGES, catalogue, po_path


def _read(lang: str) -> Catalog:
    """The parsed catalogue of ``lang`` (Babel's object, for writing)."""
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def add(key: str, texts: dict[str, str]) -> None:
    """Add ``key`` with one text per language; refuses a key that exists or a missing language."""
    if set(texts) != set(LANGUAGES):
        raise ValueError(f"give a text for each of {', '.join(LANGUAGES)}")
    if "." not in key or key.startswith(".") or key.endswith("."):
        raise ValueError(f"key {key!r} must look like <section>.<name>")
    for lang in LANGUAGES:
        parsed = _read(lang)
        if key in parsed:
            raise ValueError(f"{key!r} is already in messages/{lang}.po")
    for lang in LANGUAGES:
        parsed = _read(lang)
        parsed.add(key, texts[lang])
        write(lang, parsed)
        catalogue.cache_clear()


def write(lang: str, parsed: Catalog) -> None:
    """Write ``parsed`` as the catalogue of ``lang`` (no line wrapping, keys in file order)."""
    with po_path(lang).open("wb") as handle:
        write_po(handle, parsed, width=0, omit_header=False, sort_output=False,
                 no_location=True)
