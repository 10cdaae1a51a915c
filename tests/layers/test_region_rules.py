"""How a build's region is written and resolved against the known län (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/region.py``).

``known`` is the ``lanskod`` column of a län boundary file (2-digit text, possibly repeated and
unordered). Expected values follow the rules in :mod:`layers.region`: a region is ``all``/``SE``,
one 2-digit code or a comma-separated list of them; codes come back sorted and once each; a
malformed region or an unknown code is a ``DataError`` naming it and the known codes.
"""

from __future__ import annotations

import pytest

from data_sources.errors import DataError
from layers import region

# as read from a boundary file: unordered, 17 twice
KNOWN = ["17", "03", "20", "17", "18"]


@pytest.mark.parametrize("spec", ["all", "SE", "17", "03", "17,18", "17,18,20", "20,17"])
def test_regions_written_as_codes_or_the_country_are_valid(spec):
    assert region.is_valid(spec)


@pytest.mark.parametrize("spec", ["", "7", "177", "17,", ",17", "17,1", "17;18", "17, 18",
                                  "ALL", "se", "Sverige", "1a", "17,18x", " 17"])
def test_anything_else_is_not_a_region(spec):
    assert not region.is_valid(spec)


def test_the_country_is_every_known_lan_sorted_once_each():
    assert region.lan_codes("all", KNOWN) == ("03", "17", "18", "20")
    assert region.lan_codes("SE", iter(KNOWN)) == ("03", "17", "18", "20")


def test_codes_come_back_sorted_and_once_each():
    assert region.lan_codes("17", KNOWN) == ("17",)
    assert region.lan_codes("20,17,03", KNOWN) == ("03", "17", "20")
    assert region.lan_codes("18,18", KNOWN) == ("18",)
    # the known codes may come as a one-pass iterator (a pandas column, a generator)
    assert region.lan_codes("20,03", iter(KNOWN)) == ("03", "20")


def test_an_unknown_code_is_an_error_naming_it_and_the_known_ones():
    with pytest.raises(DataError) as caught:
        region.lan_codes("17,99,01", KNOWN)
    message = str(caught.value)
    assert message == ("län '01', '99' is not in the län boundaries; "
                       "known: 03, 17, 18, 20")


def test_a_malformed_region_is_an_error_quoting_at_most_forty_characters():
    with pytest.raises(DataError) as caught:
        region.lan_codes("17;drop", KNOWN)
    assert str(caught.value) == ("--lan '17;drop': expected a 2-digit länskod, a comma-separated "
                                 "list of them or 'all'; known: 03, 17, 18, 20")
    long = "x" * 39 + "yz"
    with pytest.raises(DataError) as caught:
        region.lan_codes(long, KNOWN)
    assert f"--lan {'x' * 39 + 'y'!r}:" in str(caught.value)
    with pytest.raises(DataError, match="'17,'"):
        region.lan_codes("17,", KNOWN)


def test_a_build_is_national_when_it_has_every_known_lan():
    assert region.is_national(["20", "03", "18", "17"], KNOWN)
    assert region.is_national(("03", "17", "18", "20", "17"), iter(KNOWN))
    assert not region.is_national(["03", "17", "18"], KNOWN)
    assert not region.is_national(["03", "17", "18", "20", "21"], KNOWN)
