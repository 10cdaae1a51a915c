"""Which ``agency.txt`` names are an expected operator, and which län's expectations apply
(no data files, no conftest: the fast tests that ``scripts/mutate.py`` runs against
``layers/forvantad_trafik.py``).

The rule (:meth:`layers.forvantad_trafik.Operator.matches`): the agency name, stripped and
case-folded, equals one of the operator's names or starts with one followed by a space.
"""

from __future__ import annotations

import dataclasses

import pytest

from layers.forvantad_trafik import VARMLAND, Operator, RegionTraffic, expected_for

SJ = Operator("SJ", ("SJ",), ("tag",))
TAGAB = Operator("Tågab", ("Tågab", "Tågåkeriet i Bergslagen"), ("tag",))


def test_an_agency_is_the_operator_by_its_name_or_the_name_and_more_words():
    assert SJ.matches("SJ")  # equal
    assert SJ.matches("SJ AB")  # the name, a space, more
    assert SJ.matches("sj ab") and SJ.matches("Sj")  # case-insensitive
    assert SJ.matches("  SJ AB ")  # surrounding spaces dropped
    assert not SJ.matches("SJöfart")  # the name without a space after it
    assert not SJ.matches("SJ-bolaget")
    assert not SJ.matches("Snälltåget") and not SJ.matches("S")
    assert not SJ.matches("AB SJ")  # the name not at the start
    assert not SJ.matches("")


def test_any_of_the_operators_names_matches():
    assert TAGAB.matches("Tågab")
    assert TAGAB.matches("TÅGÅKERIET I BERGSLAGEN AB")  # the second name, case-folded
    assert not TAGAB.matches("Tågåkeriet")  # a shorter name is not one of them


def test_the_regions_expectations_by_lanskod():
    dalarna = RegionTraffic("20", ("Fa",), (SJ,), "test")
    later = RegionTraffic("17", (), (), "a second entry for the same län")
    regions = (dalarna, VARMLAND, later)
    assert expected_for(regions, "17") is VARMLAND  # the first of the län
    assert expected_for(regions, "20") is dalarna
    assert expected_for(regions, "18") is None
    assert expected_for((), "17") is None


def test_a_lanskod_read_at_run_time_finds_its_region():
    """The setting's länskod is read from a file or the environment: an equal string, not
    necessarily the same object as the constant ``"17"``."""
    read = "".join(["1", "7"])
    assert read == "17" and read is not VARMLAND.lanskod
    assert expected_for((VARMLAND,), read) is VARMLAND


def test_the_expectations_are_frozen_values():
    """They sit in the frozen :class:`layers.settings.StomlinjeSettings`: equal values hash
    alike, and none can be changed."""
    assert hash(Operator("SJ", ("SJ",), ("tag",))) == hash(SJ)
    copy = RegionTraffic(VARMLAND.lanskod, VARMLAND.stations, VARMLAND.operators,
                         VARMLAND.basis)
    assert copy == VARMLAND and hash(copy) == hash(VARMLAND)
    with pytest.raises(dataclasses.FrozenInstanceError):
        SJ.namn = "SJ AB"
    with pytest.raises(dataclasses.FrozenInstanceError):
        VARMLAND.lanskod = "18"
