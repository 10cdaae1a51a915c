"""The message catalogue: both languages hold the same keys, every key is used, and the
strings moved there do not come back into the code."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

import messages
from messages import LANGUAGES, catalogue, section, text
from messages.__main__ import main as messages_cli

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("gisapp", "layers", "data_sources", "static", "messages")
SOURCE_SUFFIXES = {".py", ".html", ".js"}


def _sources() -> dict[Path, str]:
    """Every project source file that may ask for a message (not the catalogues)."""
    return {p: p.read_text("utf-8") for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*"))
            if p.suffix in SOURCE_SUFFIXES and "node_modules" not in p.parts
            and "vendor" not in p.parts}


# Keys the layer specs and the indicator catalogue look up one by one at import time.
_RECORD = """
import json, messages
seen = set()
class Recording(dict):
    def __getitem__(self, key):
        seen.add(key)
        return super().__getitem__(key)
    def __contains__(self, key):
        seen.add(key)
        return super().__contains__(key)
plain = messages.catalogue
messages.catalogue = lambda lang: Recording(plain(lang))
import layers.catalog, layers.indikatorer  # noqa: E401
print(json.dumps(sorted(seen)))
"""


@pytest.fixture(scope="module")
def looked_up_at_import() -> set[str]:
    out = subprocess.run([sys.executable, "-c", _RECORD], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return set(json.loads(out.stdout))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_is_in_both_languages_with_a_text():
    sv, en = catalogue("sv"), catalogue("en")
    assert sorted(set(sv) ^ set(en)) == []
    assert [k for k in sv if not sv[k].strip() or not en[k].strip()] == []
    assert len(sv) > 250


def test_placeholders_agree_between_languages():
    sv, en = catalogue("sv"), catalogue("en")
    assert [k for k in sv if _fields(sv[k]) != _fields(en[k])] == []


def _used(key: str, sources: str, looked_up: set[str]) -> bool:
    """A key is used when code names it, looks it up, or asks for its section by name."""
    if key in looked_up or f'"{key}"' in sources:
        return True
    parts = key.split(".")
    prefixes = [".".join(parts[:n]) for n in range(1, len(parts))]
    asked = any(f'section("{p}"' in sources or f'f"{p}.{{' in sources for p in prefixes)
    return asked and re.search(rf"\b{re.escape(parts[-1])}\b", sources) is not None


def test_no_key_is_unused(looked_up_at_import):
    sources = "\n".join(_sources().values())
    unused = [k for k in catalogue("sv") if not _used(k, sources, looked_up_at_import)]
    assert unused == []


def test_the_unused_check_finds_a_planted_key(looked_up_at_import):
    sources = "\n".join(_sources().values())
    assert _used("indicators.compare", sources, looked_up_at_import)
    assert _used("popup.service.adress", sources, looked_up_at_import)
    assert not _used("indicators.zz_nowhere_used", sources, looked_up_at_import)
    assert not _used("popup.service.zz_nowhere_used", sources, looked_up_at_import)


# The text tables that moved into the catalogue must not grow back in the code.
FORBIDDEN = [
    (re.compile(r"\b(?:title|how_to_add)_(?:sv|en)\s*=\s*[\"']"), "layer text in code"),
    (re.compile(r"PopupField\([^)]*,\s*[\"']"), "popup label in code"),
    (re.compile(r"^\s*[\"']sv[\"']\s*:\s*\{", re.M), "Swedish text table in code"),
]


def test_no_text_tables_left_in_the_code():
    found = [f"{path.relative_to(ROOT)}: {why}" for path, src in _sources().items()
             if path.suffix == ".py" and "messages" not in path.parts
             for pattern, why in FORBIDDEN if pattern.search(src)]
    assert found == []


def test_text_fills_fields_and_names_a_missing_key():
    assert text("indicators.utan", "sv", m="2 000") == "Tätorter utan stomlinje inom 2 000 m"
    with pytest.raises(KeyError, match="nosuch.key"):
        text("nosuch.key", "en")
    assert section("area", "en")["landsbygd"] == "Rural areas"


def test_one_command_adds_a_string_to_both_catalogues(tmp_path, monkeypatch, capsys):
    for lang in LANGUAGES:
        (tmp_path / f"{lang}.po").write_bytes(messages.po_path(lang).read_bytes())
    monkeypatch.setattr(messages, "FOLDER", tmp_path)
    catalogue.cache_clear()
    try:
        assert messages_cli(["add", "panel.zz_test", "Stäng \"nu\"", "Close now"]) == 0
        assert text("panel.zz_test", "sv") == 'Stäng "nu"'
        assert text("panel.zz_test", "en") == "Close now"
        assert messages_cli(["add", "panel.zz_test", "igen", "again"]) == 1
        assert "already" in capsys.readouterr().err
        assert messages_cli(["add", "nodot", "a", "b"]) == 1
    finally:
        monkeypatch.undo()
        catalogue.cache_clear()
    assert "panel.zz_test" not in catalogue("sv")  # the real catalogue is untouched
