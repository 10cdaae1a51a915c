"""Service points across the region's border are kept as destinations (real Pipos data: the
"region" is Karlstad alone, so the pharmacies of the neighbouring Värmland kommuner are
across its border)."""

from __future__ import annotations

import pytest

from data_sources import kommuner, pipos
from layers import service

KARLSTAD = "1780"


@pytest.fixture(scope="module")
def pharmacies(data_dir):
    return service.from_pipos(pipos.load(data_dir), date="2025")


@pytest.fixture(scope="module")
def karlstad(data_dir):
    polygons = kommuner.load(data_dir)
    return polygons[polygons["kommunkod"] == KARLSTAD]


def test_points_near_the_border_are_kept_as_outside_the_region(pharmacies, karlstad):
    near = karlstad.union_all().buffer(20_000)
    frame = service.build([pharmacies], kommunkoder=[KARLSTAD], near_region=near)
    inside = frame[frame["i_regionen"]]
    across = frame[~frame["i_regionen"]]
    assert set(inside["kommunkod"]) == {KARLSTAD}
    assert len(inside) == (pharmacies["kommunkod"] == KARLSTAD).sum()
    assert "1715" in set(across["kommunkod"])  # Kil borders Karlstad
    assert "1737" not in set(frame["kommunkod"])  # Torsby is far beyond 20 km
    assert across.geometry.within(near).all()
    assert across.distance(karlstad.union_all()).max() <= 20_000
    assert "används som mål" in service.border_note(frame, 20)


def test_without_a_border_zone_only_the_region_is_kept(pharmacies):
    frame = service.build([pharmacies], kommunkoder=[KARLSTAD])
    assert set(frame["kommunkod"]) == {KARLSTAD} and frame["i_regionen"].all()
    assert "kan vara överskattade" in service.border_note(frame, 20)
