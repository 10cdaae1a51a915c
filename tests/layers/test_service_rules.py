"""The rules of the service layer on a handful of hand-placed points (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/service.py``).

Expected values follow from the rules in the module docstring and the coordinates below
(EPSG:3006 metres), worked out by hand, not from the code's output.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layers import palette, service


def _points(rows: list[tuple[str, str, float, float]], kommunkod: str | None = "1780"
            ) -> gpd.GeoDataFrame:
    """Service rows ``(id, kategori, x, y)`` in the layer's columns."""
    return gpd.GeoDataFrame({
        "id": [r[0] for r in rows], "kategori": [r[1] for r in rows],
        "namn": [r[0] for r in rows], "adress": None, "kommunkod": kommunkod,
        "kalla": "k", "datum": "2025",
    }, geometry=gpd.points_from_xy([r[2] for r in rows], [r[3] for r in rows]), crs=3006)


def test_a_point_repeating_a_dropped_point_is_compared_with_kept_points_only():
    """Guards the chain of sources (mutants: only the lowest source compared, or dropped
    points still counting as better). Along one line: Pipos at 0, the parcel agent 60 m
    from it (the same place: dropped), OSM 160 m from Pipos and 100 m from the dropped
    agent — another place, since only kept points of better sources count."""
    frame = _points([("osm:c", "post", 160.0, 0.0), ("ombud:b", "post", 60.0, 0.0),
                     ("pipos:a", "post", 0.0, 0.0)])
    kept, dropped = service.deduplicate(frame, max_m=100.0)
    assert list(kept["id"]) == ["osm:c", "pipos:a"] and dropped == 1
    # relabelled from 0, the old labels not kept as a column (mutant: ``drop=False``)
    assert list(kept.index) == [0, 1] and list(kept.columns) == list(frame.columns)


def test_a_better_source_is_never_dropped_for_a_worse_one():
    """Guards the direction of the comparison (mutant: ``rank != level``, every other source
    counting as better): a parcel agent 10 m from an OSM point, Pipos 5 km away, keeps the
    agent and drops the OSM point."""
    frame = _points([("pipos:far", "post", 5000.0, 0.0), ("osm:c", "post", 10.0, 0.0),
                     ("ombud:b", "post", 0.0, 0.0)])
    kept, dropped = service.deduplicate(frame, max_m=100.0)
    assert list(kept["id"]) == ["pipos:far", "ombud:b"] and dropped == 1


def test_a_point_exactly_at_the_limit_is_the_same_place():
    """Guards ``distance <= max_m`` (mutant: ``<``): 'within 100 m' includes 100 m; and 3-4-5
    triangles so that both coordinates count (mutants taking x twice or y twice)."""
    frame = _points([("pipos:a", "apotek", 1000.0, 2000.0),
                     ("osm:at", "apotek", 1060.0, 2080.0),       # 100 m away
                     ("osm:beyond", "apotek", 1060.3, 2080.4)])  # 100.5 m away
    kept, dropped = service.deduplicate(frame, max_m=100.0)
    assert list(kept["id"]) == ["pipos:a", "osm:beyond"] and dropped == 1


def test_points_of_one_source_are_not_merged_even_beside_a_better_source():
    """Guards the comparison with higher-ranked sources only (mutant: ``rank <= level``, a
    source compared with itself): two OSM shops 10 m apart, Pipos 5 km away, all kept; the
    Skolverket point beside a Pipos one of another category is another place."""
    frame = _points([("pipos:far", "dagligvaror", 5000.0, 0.0),
                     ("osm:1", "dagligvaror", 0.0, 0.0), ("osm:2", "dagligvaror", 10.0, 0.0),
                     ("skola:s", "grundskola", 5000.0, 0.0)])
    kept, dropped = service.deduplicate(frame, max_m=100.0)
    assert len(kept) == 4 and dropped == 0


def test_an_unknown_id_prefix_ranks_below_every_source():
    """Guards the rank of ids without a known prefix (after OSM, mutant: equal to OSM)."""
    frame = _points([("osm:a", "bankomat", 0.0, 0.0), ("x:b", "bankomat", 30.0, 40.0)])
    kept, dropped = service.deduplicate(frame, max_m=100.0)
    assert list(kept["id"]) == ["osm:a"] and dropped == 1


def test_pipos_rows_map_to_categories_and_a_shop_in_two_exports_gets_one_id_each():
    """Guards :func:`service.from_pipos`: types outside the mapping are left out, the export
    date is kept unless one is given, and only ids listed twice get ``@kategori``."""
    pipos = _points([("7", "x", 0.0, 0.0), ("7", "x", 0.0, 0.0), ("8", "x", 5.0, 0.0),
                     ("9", "x", 9.0, 0.0)]).assign(
        servicetyp=["Dagligvaror", "Apoteksvaror", "Paketombud", "Frisör"],
        datum=["2025-01", "2025-02", "2025-03", "2025-04"])
    out = service.from_pipos(pipos)
    assert list(out.columns) == service.COLUMNS
    assert list(out["id"]) == ["pipos:7@dagligvaror", "pipos:7@apotek", "pipos:8"]
    assert list(out["kategori"]) == ["dagligvaror", "apotek", "post"]
    assert list(out["datum"]) == ["2025-01", "2025-02", "2025-03"]
    assert set(service.from_pipos(pipos, date="2024")["datum"]) == {"2024"}


def test_the_region_and_its_border_zone_are_kept_with_labels():
    """Guards :func:`service.build` (mutants: the filter, the flag, the labels, the columns,
    the CRS of the first part): a point of the region's kommuner is kept (in the region)
    wherever it lies, one of another kommun only within ``near_region`` (outside the
    region), and without ``near_region`` only the region's."""
    region = _points([("pipos:in", "apotek", 0.0, 0.0)])
    other = _points([("osm:near", "bibliotek", 15_000.0, 0.0),
                     ("osm:far", "bibliotek", 40_000.0, 0.0)], kommunkod=None)
    elsewhere = _points([("skola:g", "gymnasieskola", 50_000.0, 0.0)], kommunkod="1715")
    near = shapely.box(-1000.0, -1000.0, 20_000.0, 1000.0)
    frame = service.build([region, other, elsewhere], kommunkoder=["1780", "1715"],
                          near_region=near)
    assert list(frame["id"]) == ["pipos:in", "osm:near", "skola:g"]
    assert list(frame["i_regionen"]) == [True, False, True]
    assert list(frame["kategori_sv"]) == ["Apotek och apoteksombud", "Bibliotek",
                                      "Gymnasieskola"]
    assert list(frame["kategori_en"]) == ["Pharmacy", "Library", "Upper secondary school"]
    assert frame.crs.to_epsg() == 3006 and list(frame.index) == [0, 1, 2]
    # no old row labels left as a column (mutant: ``reset_index(drop=False)``)
    assert list(frame.columns) == [*service.COLUMNS, "i_regionen", "kategori_sv", "kategori_en"]
    # one part, the CRS taken from it (mutant: from a second part)
    alone = service.build([_points([("pipos:in", "apotek", 0.0, 0.0),
                                    ("osm:near", "bibliotek", 15_000.0, 0.0)],
                                   kommunkod=["1780", None])], kommunkoder=["1780"])
    assert list(alone["id"]) == ["pipos:in"] and alone["i_regionen"].all()


@pytest.mark.parametrize(("across", "expected"), [
    (2, "2 servicepunkter utanför regionen inom 20 km används som mål"),
    (0, "Källorna har inga servicepunkter utanför regionen inom 20 km: nära länsgränsen (och "
        "mot Norge) kan närmaste service ligga på andra sidan, så avstånden där kan vara "
        "överskattade"),
])
def test_the_border_note_counts_the_destinations_across_the_border(across, expected):
    """Guards :func:`service.border_note` (the count and the warning when there is none)."""
    frame = _points([(f"osm:{i}", "post", 0.0, 0.0) for i in range(3)]).assign(
        i_regionen=[True] + [False] * across + [True] * (2 - across))
    assert service.border_note(frame, 19.6) == expected


def test_parcel_places_map_to_post_with_their_operators_in_the_name():
    """Guards :func:`service.from_paketombud`: every place is ``post`` from the compilation,
    its operators (``;``-joined in the source) listed after the name."""
    places = _points([("11", "x", 0.0, 0.0), ("12", "x", 5.0, 0.0)]).assign(
        namn=["ICA Nära Rud", "Circle K"], operatorer=["DHL;PostNord", "Bring"])
    out = service.from_paketombud(places, date="2023")
    assert list(out.columns) == service.COLUMNS
    assert list(out["id"]) == ["ombud:11", "ombud:12"]
    assert list(out["namn"]) == ["ICA Nära Rud (DHL, PostNord)", "Circle K (Bring)"]
    assert set(out["kategori"]) == {"post"} and set(out["datum"]) == {"2023"}
    assert set(out["kalla"]) == {service.PAKETOMBUD_SOURCE}


def test_schools_of_the_two_school_forms_with_coordinates_are_placed_the_rest_counted():
    """Guards :func:`service.from_skolor`: only grundskola and gymnasieskola; a school of
    those forms without coordinates is counted, never placed; other forms are not counted."""
    skolor = _points([("1", "x", 0.0, 0.0), ("2", "x", 5.0, 0.0), ("3", "x", 0.0, 0.0),
                      ("4", "x", 0.0, 0.0), ("5", "x", 9.0, 0.0)]).assign(
        skolform=["Grundskola", "Gymnasieskola", "Grundskola", "Förskoleklass",
                  "Anpassad grundskola"])
    skolor.loc[[2, 3], "geometry"] = None
    out, unlocated = service.from_skolor(skolor, date="2024")
    assert list(out.columns) == service.COLUMNS and unlocated == 1
    assert list(out["id"]) == ["skola:1", "skola:2"]
    assert list(out["kategori"]) == ["grundskola", "gymnasieskola"]
    assert set(out["kalla"]) == {"Skolverket, Skolenhetsregistret"}
    assert set(out["datum"]) == {"2024"}


def _built() -> gpd.GeoDataFrame:
    """A built layer: two Pipos pharmacies of two export dates in the region, two OSM ones
    (two extract dates) across the border, a school in the region."""
    return _points([("pipos:1", "apotek", 0.0, 0.0), ("pipos:2", "apotek", 10.0, 0.0),
                    ("osm:3", "apotek", 20.0, 0.0), ("skola:4", "grundskola", 30.0, 0.0),
                    ("osm:5", "apotek", 40.0, 0.0)]).assign(
        kalla=["Pipos", "Pipos", "OpenStreetMap", "Skolverket", "OpenStreetMap"],
        datum=["2025-11-12", "2025-10-01", "2025", "2024", "2024"],
        i_regionen=[True, True, False, True, False])


def test_coverage_counts_each_category_by_source_and_lists_the_missing_ones():
    """Guards :func:`service.coverage`: counts in and outside the region, sources sorted by
    name with their dates sorted and counted in the region only, the schools without
    coordinates in the legend count, every category without points under ``saknas``."""
    record = service.coverage(_built(), unlocated={"grundskola": 3, "gymnasieskola": 2})
    assert record["kategorier"] == {
        "apotek": {"antal": 2, "utanfor": 2, "utan_koordinater": 0, "kallor": [
            {"kalla": "OpenStreetMap", "datum": "2024; 2025", "antal": 0},
            {"kalla": "Pipos", "datum": "2025-10-01; 2025-11-12", "antal": 2}]},
        "grundskola": {"antal": 1, "utanfor": 0, "utan_koordinater": 3, "kallor": [
            {"kalla": "Skolverket", "datum": "2024", "antal": 1}]}}
    assert list(record["kategorier"]) == ["apotek", "grundskola"]  # the categories' order
    assert record["saknas"] == {k: {"utan_koordinater": 2 if k == "gymnasieskola" else 0}
                                for k in ["dagligvaror", "vardcentral", "gymnasieskola",
                                          "drivmedel", "post", "bankomat", "bibliotek"]}
    assert list(record["saknas"])[:3] == ["dagligvaror", "vardcentral", "gymnasieskola"]
    assert record["legend"] == {"apotek": "2", "grundskola": "1/4"}


def test_coverage_notes_state_sources_then_how_to_get_each_missing_category():
    """Guards :func:`service.coverage_notes` and :func:`service.how_to_get` (texts of
    messages/sv.po and en.po): a Pipos type with the OSM tags, OSM tags only, the school
    register; the label in the page's language."""
    record = service.coverage(_built(), unlocated={"grundskola": 3, "gymnasieskola": 2})
    osm = "(strukturbild fetch --source osm_vagnat)"
    notes = service.coverage_notes(record, "sv")
    assert notes[:2] == [
        "Apotek och apoteksombud: 2 (OpenStreetMap 2024; 2025: 0, Pipos 2025-10-01; "
        "2025-11-12: 2); 2 utanför regionen (mål nära gränsen)",
        "Grundskola: 1 (Skolverket 2024: 1); 3 utan koordinater (räknas, placeras inte)"]
    assert notes[2] == (
        "Dagligvaror: saknar data — hämta Pipos-export (Dagligvaror) från pipos.se "
        "(inloggning), sparad som indicators/pipos_dagligvaror_<region>_<ÅÅÅÅ-MM-DD>.xlsx, "
        f"eller ett OSM-utdrag med shop=supermarket/convenience {osm}")
    assert notes[3] == ("Vårdcentral: saknar data — hämta ett OSM-utdrag med "
                        f"amenity=clinic/doctors, healthcare=centre {osm}")
    assert notes[4] == ("Gymnasieskola: saknar data — hämta Skolverkets Skolenhetsregistret "
                        "med koordinater (Skolverkets API) i "
                        "indicators/skolenhetsregistret_<region>_<år>.csv")
    assert len(notes) == 9
    english = service.coverage_notes(record, "en")
    assert english[0] == ("Pharmacy: 2 (OpenStreetMap 2024; 2025: 0, Pipos 2025-10-01; "
                          "2025-11-12: 2); 2 outside the region (destinations near the border)")
    assert english[-1] == f"Library: no data — get an OSM extract with amenity=library {osm}"


# Two kommuner, 1780 west of 1781; their polygons overlap in a 20 m strip around x = 1000
# (generalised borders do), so a point there lies within both.
OSM_KOMMUNER = gpd.GeoDataFrame(
    {"kommunkod": ["1780", "1781"], "kommunnamn": ["Karlstad", "Kristinehamn"]},
    geometry=[shapely.box(0, 0, 1010, 1000), shapely.box(990, 0, 2000, 1000)], crs=3006)


def _osm(rows: list[tuple[str, str | None, str | None, str | None, float, float]],
         healthcare: bool = True) -> gpd.GeoDataFrame:
    """OSM features ``(id, amenity, shop, healthcare, x, y)`` as ``data_sources.osm`` reads
    them (its columns; ``healthcare`` left out when no feature has the tag)."""
    columns = {"id": [r[0] for r in rows], "amenity": [r[1] for r in rows],
               "shop": [r[2] for r in rows], "healthcare": [r[3] for r in rows],
               "namn": [f"namn {r[0]}" for r in rows], "adress": None}
    if not healthcare:
        del columns["healthcare"]
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy([r[4] for r in rows],
                                                                 [r[5] for r in rows]),
                            crs=3006)


def test_osm_features_map_to_categories_amenity_first_and_take_their_kommun():
    """Guards ``from_osm``: the tag table (``OSM_TAGS``), amenity before healthcare before
    shop, amenity=clinic/doctors a vårdcentral unless its healthcare tag names other care,
    the kommun from the polygon holding the point, one kommun for a point in two, and none
    outside every kommun (mutants: the tags looked up under another key, the other-care test
    widened or inverted, ``&`` as ``|`` so that a fuel station with a dentist tag is lost, a
    point in two kommuner kept twice, the id prefix, source or date lost, the old row labels
    kept as a column).

    Worked by hand, feature by feature:
    node/1 pharmacy in 1780: apotek. node/2 clinic with healthcare=dentist: other care, and
    dentist is no healthcare tag of the table, no shop: left out. node/3 doctors with
    healthcare=doctor: vardcentral. node/4 clinic without healthcare: vardcentral. way/5
    healthcare=centre only: vardcentral. node/6 supermarket at x = 1000, in both polygons:
    dagligvaror once, in 1780 or 1781. node/7 amenity=bench (no category) with
    shop=convenience: dagligvaror. node/8 atm at (5000, 5000), in no kommun: bankomat with an
    empty kommunkod. node/9 fuel with healthcare=dentist: drivmedel (the other-care test
    applies to vårdcentral only). node/10 clinic, healthcare=yes: vardcentral. node/11
    pharmacy that is also a supermarket: apotek. node/12 healthcare=clinic only:
    vardcentral. node/13 shop=bakery: left out.
    """
    osm = _osm([
        ("node/1", "pharmacy", None, None, 100.0, 100.0),
        ("node/2", "clinic", None, "dentist", 150.0, 100.0),
        ("node/3", "doctors", None, "doctor", 200.0, 200.0),
        ("node/4", "clinic", None, None, 300.0, 300.0),
        ("way/5", None, None, "centre", 400.0, 400.0),
        ("node/6", None, "supermarket", None, 1000.0, 500.0),
        ("node/7", "bench", "convenience", None, 500.0, 500.0),
        ("node/8", "atm", None, None, 5000.0, 5000.0),
        ("node/9", "fuel", None, "dentist", 1500.0, 600.0),
        ("node/10", "clinic", None, "yes", 1600.0, 700.0),
        ("node/11", "pharmacy", "supermarket", None, 700.0, 700.0),
        ("way/12", None, None, "clinic", 800.0, 800.0),
        ("node/13", None, "bakery", None, 900.0, 900.0),
    ])
    out = service.from_osm(osm, OSM_KOMMUNER, date="2026-11-30")
    assert list(out.columns) == service.COLUMNS
    assert out.index.tolist() == list(range(11))
    assert out["id"].tolist() == ["osm:node/1", "osm:node/3", "osm:node/4", "osm:way/5",
                                  "osm:node/6", "osm:node/7", "osm:node/8", "osm:node/9",
                                  "osm:node/10", "osm:node/11", "osm:way/12"]
    assert out["kategori"].tolist() == ["apotek", "vardcentral", "vardcentral", "vardcentral",
                                        "dagligvaror", "dagligvaror", "bankomat", "drivmedel",
                                        "vardcentral", "apotek", "vardcentral"]
    kommun = dict(zip(out["id"], out["kommunkod"], strict=True))
    assert kommun["osm:node/1"] == "1780" and kommun["osm:node/9"] == "1781"
    assert kommun["osm:node/10"] == "1781" and kommun["osm:node/6"] in {"1780", "1781"}
    assert pd.isna(kommun["osm:node/8"])
    assert set(out["kalla"]) == {"OpenStreetMap-bidragsgivare (ODbL)"}
    assert set(out["datum"]) == {"2026-11-30"}
    assert out["namn"].tolist()[0] == "namn node/1" and out.crs == 3006


def test_osm_features_without_any_healthcare_tag_keep_their_clinics():
    """Guards the missing ``healthcare`` column (an extract where no feature has the tag):
    amenity=clinic is then a vårdcentral, a library a bibliotek, a parcel locker post, and a
    shop=grocery dagligvaror."""
    osm = _osm([("node/1", "clinic", None, None, 100.0, 100.0),
                ("node/2", "library", None, None, 200.0, 200.0),
                ("node/3", "parcel_locker", None, None, 300.0, 300.0),
                ("node/4", None, "grocery", None, 400.0, 400.0)], healthcare=False)
    out = service.from_osm(osm, OSM_KOMMUNER, date="2026-11-30")
    assert out["kategori"].tolist() == ["vardcentral", "bibliotek", "post", "dagligvaror"]
    assert out["kommunkod"].tolist() == ["1780"] * 4


def test_the_service_points_are_drawn_as_the_spec_says():
    """Guards ``SPEC``'s style: points of radius 4 with a 1 px outline in the symbol stroke,
    filled at 90 % opacity, one colour per category in the table's order."""
    spec = service.SPEC
    assert spec.style == {"radius": 4, "weight": 1, "color": palette.SYMBOL_STROKE,
                          "fill": True, "fillOpacity": 0.9}
    assert [c.value for c in spec.categories.classes] == list(service.CATEGORIES)
    assert spec.categories.column == "kategori"
