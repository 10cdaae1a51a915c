"""OSM service points (real extract) and deduplication of one place from two sources."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources import osm, pipos
from layers import service
from tests.osm_oracle import helsinki, tagged_objects


def test_osm_extract_points_are_read_in_sweref(osm_pois):
    """Pharmacies and supermarkets: as many as the raw extract tags (counted with pyosmium)."""
    assert osm_pois.crs.to_epsg() == 3006
    assert osm_pois["id"].is_unique
    for key, value in (("amenity", "pharmacy"), ("shop", "supermarket")):
        raw = tagged_objects(helsinki(), key, value)
        assert raw > 0 and (osm_pois[key] == value).sum() == raw, (key, value)
    assert osm_pois["id"].str.match(r"^(node|way|relation)/\d+$").all()


def test_every_mapped_osm_tag_is_read_and_has_a_category():
    for (key, value), kategori in service.OSM_TAGS.items():
        assert value in osm.TAGS[key]
        assert kategori in service.CATEGORIES


def test_osm_points_outside_every_kommun_stay_only_near_the_border(osm_pois, osm_roads,
                                                                   data_dir):
    """The extract reaches beyond the region: points outside every kommun keep no kommunkod
    and :func:`service.build` keeps them only within the border zone."""
    import geopandas as gpd

    from data_sources import kommuner

    polygons = kommuner.load(data_dir)
    varmland = polygons[polygons["kommunkod"].str.startswith("17")]
    mapped = service.from_osm(osm_pois, varmland, date="x")  # Helsinki is in no kommun
    assert len(mapped) > 40 and mapped["kommunkod"].isna().all()
    codes = varmland["kommunkod"].tolist()
    far = service.build([mapped], kommunkoder=codes,
                        near_region=varmland.union_all().buffer(20_000))
    assert far.empty
    helsinki = gpd.GeoSeries([gpd.GeoSeries(osm_roads[0].geometry).union_all().convex_hull],
                             crs=3006).buffer(20_000).iloc[0]
    near = service.build([mapped], kommunkoder=codes, near_region=helsinki)
    assert len(near) == len(mapped) and not near["i_regionen"].any()


def test_same_place_from_two_sources_is_kept_once(data_dir):
    """The Pipos pharmacies listed again as another source collapse onto the Pipos rows."""
    pharmacies = service.from_pipos(pipos.load(data_dir), date="2025-11-12")
    again = pharmacies.assign(id=pharmacies["id"].str.replace("pipos:", "osm:"))
    frame = pd.concat([pharmacies, again], ignore_index=True)
    kept, dropped = service.deduplicate(frame, max_m=100.0)
    assert dropped == len(pharmacies)
    assert kept["id"].str.startswith("pipos:").all()
    other = again.assign(kategori="bankomat")  # a different category is a different place
    kept, dropped = service.deduplicate(pd.concat([pharmacies, other], ignore_index=True),
                                        max_m=100.0)
    assert dropped == 0 and len(kept) == 2 * len(pharmacies)


def test_points_of_one_source_are_never_merged(data_dir):
    pharmacies = service.from_pipos(pipos.load(data_dir), date="2025-11-12")
    distances = [pharmacies.geometry.drop(i).distance(p).min()
                 for i, p in pharmacies.geometry.items()]
    assert min(distances) < 100.0  # some real pharmacies/agents lie within 100 m of each other
    kept, dropped = service.deduplicate(pharmacies, max_m=100.0)
    assert dropped == 0 and len(kept) == len(pharmacies)


def _isolated_pharmacy(data_dir):
    """The Pipos pharmacies and one of them with no other within 1 km."""
    pharmacies = service.from_pipos(pipos.load(data_dir), date="2025-11-12")
    points = pharmacies.geometry
    nearest = points.map(lambda p: points.distance(p).nsmallest(2).iloc[1])
    return pharmacies, pharmacies[nearest > 1000.0].iloc[[0]]


@pytest.mark.parametrize("max_m", [100.0, 250.0])
def test_dedup_keeps_a_point_just_beyond_the_limit_and_drops_one_just_inside(data_dir, max_m):
    """Guards the distance limit of deduplication (bug: the limit ignored, so any point of a
    lower-ranked source in the category is dropped, or a fixed 100 m used whatever is set).

    Copies of one real Pipos pharmacy from OSM, 1 m inside and 1 m beyond ``max_m`` east of
    it: the inner one is the same place, the outer one another place.
    """
    pharmacies, one = _isolated_pharmacy(data_dir)
    inside = one.assign(id="osm:inside", geometry=one.geometry.translate(xoff=max_m - 1))
    beyond = one.assign(id="osm:beyond", geometry=one.geometry.translate(xoff=max_m + 1))
    assert inside.distance(one.geometry.iloc[0]).iloc[0] == pytest.approx(max_m - 1)
    frame = pd.concat([pharmacies, inside, beyond], ignore_index=True)
    kept, dropped = service.deduplicate(frame, max_m=max_m)
    assert dropped == 1
    assert set(kept["id"]) == set(pharmacies["id"]) | {"osm:beyond"}
