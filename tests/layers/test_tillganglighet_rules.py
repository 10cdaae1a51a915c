"""The rules of the tillganglighet layer on a few hand-made origins (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/tillganglighet.py``).

Access rows are what :func:`layers.accessibility.accessibility` returns (unreachable origins:
``inf`` km and minutes, ``nabar = False``); origins are SCB's tätort points or the grid parts
of :func:`layers.befolkningsruta.origins` (``rutid_scb`` = the square's SW corner, 6 digits
of easting and 7 of northing in EPSG:3006), services the built service layer. Expected values
are worked out by hand from the rules in :mod:`layers.tillganglighet`, not from the code's
output.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from layers import palette, tillganglighet
from layers.accessibility import NETWORK, STRAIGHT

INF = math.inf


def _access(rows: list[tuple[str, str, float, bool, float, float, str]],
            kategori: str = "apotek") -> pd.DataFrame:
    """Access rows ``(kommunkod, omrade, befolkning, nabar, km, minuter, metod)``."""
    return pd.DataFrame({
        "kommunkod": [r[0] for r in rows], "omrade": [r[1] for r in rows],
        "kategori": kategori, "befolkning": [r[2] for r in rows],
        "nabar": [r[3] for r in rows], "km": [r[4] for r in rows],
        "minuter": [r[5] for r in rows], "metod": [r[6] for r in rows]})


def _rows(frame: pd.DataFrame, kommunkod: str, omrade: str) -> dict[str, tuple]:
    """``{indikator: (varde, enhet, teljare, namnare)}`` of one kommun and area type."""
    part = frame[(frame["kommunkod"] == kommunkod) & (frame["omrade"] == omrade)]
    return {r.indikator: (r.varde, r.enhet, r.teljare, r.namnare) for r in part.itertuples()}


def _indicators(access: pd.DataFrame) -> pd.DataFrame:
    return tillganglighet.indicators(access, thresholds_km=(2.0, 2.5, 6.0),
                                     thresholds_min=(4.0, 9.0), year="2024",
                                     sources={"apotek": "Pipos"})


def _same(actual: dict[str, tuple], expected: dict[str, tuple]) -> None:
    """Equal keys and values (NaN equal to NaN, floats to 1e-9)."""
    assert list(actual) == list(expected)
    for name, values in expected.items():
        for got, want in zip(actual[name], values, strict=True):
            if isinstance(want, str):
                assert got == want, (name, got, want)
            elif math.isnan(want):
                assert isinstance(got, float) and math.isnan(got), (name, got)
            else:
                assert got == pytest.approx(want, rel=1e-9), (name, got, want)


NETWORK_ORIGINS = [
    # tätort: A 100 inv, 2 km / 4 min; B 300 inv, 6 km / 9 min (both reached)
    ("1780", "tatort", 100.0, True, 2.0, 4.0, NETWORK),
    ("1780", "tatort", 300.0, True, 6.0, 9.0, NETWORK),
    # landsbygd: C 50 inv, unreachable
    ("1780", "landsbygd", 50.0, False, INF, INF, NETWORK),
]


def test_network_rows_weigh_by_population_and_count_unreachable_as_beyond():
    """Guards ``_group_rows`` on a road network (mutants: the means over all origins or
    unweighted, ``>`` as ``>=`` at a threshold equal to an origin's value, the unreachable
    not counted as beyond or losing their population, ``medeltid``/``ej_nabar_bef``
    dropped, a mean row for a group that reaches nobody).

    Tätort: reached 100 + 300 = 400; km 100·2 + 300·6 = 2000 (mean 5), minutes
    100·4 + 300·9 = 3100 (mean 7.75); beyond 2 km and 2.5 km: B, 300/400 = 75 %; beyond 6 km:
    nobody (B is at 6, not beyond); beyond 4 min: B (75 %); beyond 9 min: nobody.
    Landsbygd: C unreachable — no mean rows, beyond every threshold (100 %), 50 unreached.
    Hela kommunen: 450 inv, 400 reached (means as tätort); beyond 2 km: 300 + 50 = 350/450;
    beyond 6 km: C only, 50/450.
    """
    frame = _indicators(_access(NETWORK_ORIGINS))
    km, pct, mins, bil = "km (vägnät)", "procent (vägnät)", "minuter (bil)", "procent (bil)"
    p = "service_apotek_"
    nan = float("nan")
    _same(_rows(frame, "1780", "tatort"), {
        p + "medelavstand": (5.0, km, 2000.0, 400.0),
        p + "medeltid": (7.75, mins, 3100.0, 400.0),
        p + "andel_over_2km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_2_5km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_6km": (0.0, pct, 0.0, 400.0),
        p + "andel_over_4min": (75.0, bil, 300.0, 400.0),
        p + "andel_over_9min": (0.0, bil, 0.0, 400.0),
        p + "ej_nabar_bef": (0.0, "invånare", 0.0, nan),
    })
    _same(_rows(frame, "1780", "landsbygd"), {
        p + "andel_over_2km": (100.0, pct, 50.0, 50.0),
        p + "andel_over_2_5km": (100.0, pct, 50.0, 50.0),
        p + "andel_over_6km": (100.0, pct, 50.0, 50.0),
        p + "andel_over_4min": (100.0, bil, 50.0, 50.0),
        p + "andel_over_9min": (100.0, bil, 50.0, 50.0),
        p + "ej_nabar_bef": (50.0, "invånare", 50.0, nan),
    })
    _same(_rows(frame, "1780", "hela_kommunen"), {
        p + "medelavstand": (5.0, km, 2000.0, 400.0),
        p + "medeltid": (7.75, mins, 3100.0, 400.0),
        p + "andel_over_2km": (350 / 450 * 100, pct, 350.0, 450.0),
        p + "andel_over_2_5km": (350 / 450 * 100, pct, 350.0, 450.0),
        p + "andel_over_6km": (50 / 450 * 100, pct, 50.0, 450.0),
        p + "andel_over_4min": (350 / 450 * 100, bil, 350.0, 450.0),
        p + "andel_over_9min": (50 / 450 * 100, bil, 50.0, 450.0),
        p + "ej_nabar_bef": (50.0, "invånare", 50.0, nan),
    })
    assert set(frame["ar"]) == {"2024"} and set(frame["kalla"]) == {"Pipos"}


def test_straight_line_rows_have_no_times_and_say_fagelvagen():
    """Guards the straight-line branch (mutants: ``.all()`` as ``.any()``, time rows or
    ``ej_nabar_bef`` given without a network, the measure label swapped), and
    ``hela_kommunen`` only when both area types have origins (here tätort only).

    Kommun 1780, all straight: 100 inv at 1 km, 300 at 3 km: mean 1000/400 = 2.5; beyond
    2 km and 2.5 km: 300/400; beyond 6 km: nobody. Kommun 1781 mixes one straight origin
    with one on the network, so it counts as a network result (times given).
    """
    access = _access([
        ("1781", "tatort", 10.0, True, 1.0, 2.0, NETWORK),
        ("1781", "tatort", 30.0, True, 3.0, np.nan, STRAIGHT),
        ("1780", "tatort", 100.0, True, 1.0, np.nan, STRAIGHT),
        ("1780", "tatort", 300.0, True, 3.0, np.nan, STRAIGHT),
    ])
    frame = _indicators(access)
    km, pct, p = "km (fågelvägen)", "procent (fågelvägen)", "service_apotek_"
    _same(_rows(frame, "1780", "tatort"), {
        p + "medelavstand": (2.5, km, 1000.0, 400.0),
        p + "andel_over_2km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_2_5km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_6km": (0.0, pct, 0.0, 400.0),
    })
    mixed = _rows(frame, "1781", "tatort")
    assert mixed[p + "medelavstand"][1] == "km (vägnät)"
    assert mixed[p + "ej_nabar_bef"][0] == 0.0 and p + "medeltid" in mixed
    assert set(frame["omrade"]) == {"tatort"}
    # sorted by kommun (the input lists 1781 first)
    assert list(dict.fromkeys(frame["kommunkod"])) == ["1780", "1781"]


def test_a_group_without_population_gives_missing_shares_not_zero():
    """Guards ``_ratio`` (mutant: ``namnare > 0`` as ``>= 0``, a division by zero, or
    ``< 0``, which divides nowhere): an area type whose origins have no inhabitants gets NaN
    shares with their counts, never 0 %."""
    frame = _indicators(_access([("1780", "tatort", 0.0, True, 1.0, 2.0, NETWORK)]))
    rows = _rows(frame, "1780", "tatort")
    varde, _, teljare, namnare = rows["service_apotek_andel_over_2km"]
    assert math.isnan(varde) and teljare == 0.0 and namnare == 0.0
    # nobody reached: no mean rows
    assert "service_apotek_medelavstand" not in rows


def test_a_group_of_one_inhabitant_gets_its_mean_and_shares():
    """Guards the population tests at one inhabitant (mutants: ``reached > 0`` as ``> 1``,
    no mean rows; ``namnare > 0`` as ``> 1`` in ``_ratio``, NaN instead of the value): one
    origin of 1 inhabitant, reached at 3 km / 5 min — mean 3 km, 5 min, 100 % beyond 2 km."""
    frame = _indicators(_access([("1780", "tatort", 1.0, True, 3.0, 5.0, NETWORK)]))
    rows = _rows(frame, "1780", "tatort")
    assert rows["service_apotek_medelavstand"][0] == 3.0
    assert rows["service_apotek_medeltid"][0] == 5.0
    assert rows["service_apotek_andel_over_2km"][0] == 100.0


KOMMUNER = gpd.GeoDataFrame(
    {"kommunkod": ["1780", "1715"], "klass": ["Större stad", "Pendlingskommun nära större stad"]},
    geometry=[shapely.box(400000, 6570000, 420000, 6590000),
              shapely.box(380000, 6570000, 400000, 6590000)], crs=3006)


def test_tatort_points_of_the_region_are_origins_with_their_kommuns_class():
    """Guards ``origins_from_tatorter``: SCB's points (``tatortskod, tatort, kommunkod,
    bef_2020``) of the region's kommuner only, renamed to the origin columns, every one a
    tätort origin without a square, with its kommun's class (mutants: the region filter
    dropped or inverted, another class, ``omrade`` not tatort, the CRS lost).

    Karlstad (1780) and Kil (1715) are in the region, Örebro (1880) is not: two origins, in
    the points' order, Karlstad with class "Större stad", Kil with 1715's class.
    """
    points = gpd.GeoDataFrame(
        {"tatortskod": ["T1", "T2", "T3"], "tatort": ["Karlstad", "Örebro", "Kil"],
         "kommunkod": ["1780", "1880", "1715"], "bef_2020": [61000, 126000, 7000]},
        geometry=gpd.points_from_xy([413500, 515000, 393000], [6583500, 6570000, 6586000]),
        crs=3006)
    out = tillganglighet.origins_from_tatorter(points, KOMMUNER)
    assert list(out.columns) == tillganglighet.ORIGIN_COLUMNS
    assert out["id"].tolist() == ["T1", "T3"]
    assert out["namn"].tolist() == ["Karlstad", "Kil"]
    assert out["kommunkod"].tolist() == ["1780", "1715"]
    assert out["omrade"].tolist() == ["tatort", "tatort"]
    assert out["befolkning"].tolist() == [61000, 7000]
    assert out["klass"].tolist() == ["Större stad", "Pendlingskommun nära större stad"]
    assert out["rutid_scb"].isna().all()
    assert out.crs == 3006 and out.geometry.x.tolist() == [413500, 393000]


def test_grid_parts_of_the_region_are_origins_named_by_their_part_and_square():
    """Guards ``origins_from_grid``: the squares' parts of the region's kommuner, the tätort
    part named by its tätort and the landsbygd part "landsbygd", each followed by its square
    (mutants: the region filter dropped, the names of the two parts swapped, another class).

    Square 4130006583000 in Karlstad (1780) has a tätort part (Karlstad, 120 inv) and a
    landsbygd part (30 inv); square 5150006570000 lies in Örebro (1880), outside the region.
    """
    parts = gpd.GeoDataFrame(
        {"id": ["4130006583000:tatort", "4130006583000:landsbygd", "5150006570000:tatort"],
         "rutid_scb": ["4130006583000", "4130006583000", "5150006570000"],
         "kommunkod": ["1780", "1780", "1880"], "omrade": ["tatort", "landsbygd", "tatort"],
         "tatort": ["Karlstad", "", "Örebro"], "befolkning": [120, 30, 400]},
        geometry=gpd.points_from_xy([413300, 413800, 515500], [6583300, 6583900, 6570500]),
        crs=3006)
    out = tillganglighet.origins_from_grid(parts, KOMMUNER)
    assert list(out.columns) == tillganglighet.ORIGIN_COLUMNS
    assert out["id"].tolist() == ["4130006583000:tatort", "4130006583000:landsbygd"]
    assert out["namn"].tolist() == ["Karlstad (ruta 4130006583000)",
                                    "landsbygd (ruta 4130006583000)"]
    assert out["omrade"].tolist() == ["tatort", "landsbygd"]
    assert out["befolkning"].tolist() == [120, 30]
    assert out["klass"].tolist() == ["Större stad", "Större stad"]
    assert out.crs == 3006 and out.geometry.y.tolist() == [6583300, 6583900]


def _services(rows: list[tuple[str, str, bool]]) -> gpd.GeoDataFrame:
    """Service points ``(kategori, kommunkod, i_regionen)`` of a built service layer."""
    return gpd.GeoDataFrame({"kategori": [r[0] for r in rows], "kommunkod": [r[1] for r in rows],
                             "i_regionen": [r[2] for r in rows]},
                            geometry=gpd.points_from_xy(range(len(rows)), range(len(rows))),
                            crs=3006)


def test_categories_are_grouped_by_the_lan_their_points_of_the_region_lie_in():
    """Guards ``covered_lan`` (mutants: the län taken from more or other digits of the
    kommunkod, points outside the region counted, a category without points in no group or
    in a group of no län, the groups not keyed by sorted län codes).

    The region is Värmland (17) and Örebro (18), given unsorted. Grundskola has points in
    1780 and 1880: (17, 18). Apotek has one in 1780 and one across the border in 1880 that
    is not in the region (a destination only): (17,). Drivmedel only in 1881: (18,).
    Bibliotek has none: the whole region, (17, 18). Categories keep their order in a group.
    """
    services = _services([
        ("apotek", "1780", True), ("apotek", "1880", False), ("grundskola", "1880", True),
        ("grundskola", "1780", True), ("drivmedel", "1881", True), ("bankomat", "1715", True),
    ])
    groups = tillganglighet.covered_lan(services, ["grundskola", "apotek", "bibliotek",
                                                   "drivmedel"], ["18", "17"])
    assert list(groups.items()) == [(("17", "18"), ["grundskola", "bibliotek"]),
                                    (("17",), ["apotek"]), (("18",), ["drivmedel"])]
    # every category over the whole region: one group, keyed by the region's län
    whole = tillganglighet.covered_lan(services, ["grundskola", "bibliotek"], ["18", "17"])
    assert whole == {("17", "18"): ["grundskola", "bibliotek"]}


def test_the_origins_of_a_built_layer_are_its_origin_columns_once_per_id():
    """Guards ``origins_of`` (mutants: duplicates kept, another column kept, the layer's row
    labels kept): a layer of origins a and b, each with a row for apotek and post, gives a
    and b once, in the layer's order, labelled 0 and 1."""
    layer = gpd.GeoDataFrame(
        {"id": ["a", "a", "b", "b"], "namn": ["A", "A", "B", "B"],
         "rutid_scb": ["4130006583000"] * 2 + ["4140006583000"] * 2,
         "kommunkod": "1780", "omrade": ["tatort", "tatort", "landsbygd", "landsbygd"],
         "befolkning": [10, 10, 20, 20], "klass": "Större stad",
         "kategori": ["apotek", "post", "apotek", "post"], "km": [1.0, 2.0, 3.0, 4.0]},
        geometry=gpd.points_from_xy([413500] * 2 + [414500] * 2, [6583500] * 4),
        index=[10, 11, 12, 13], crs=3006)
    out = tillganglighet.origins_of(layer)
    assert list(out.columns) == tillganglighet.ORIGIN_COLUMNS
    assert out["id"].tolist() == ["a", "b"] and out.index.tolist() == [0, 1]
    assert out["befolkning"].tolist() == [10, 20]


def test_the_layer_frame_labels_each_category_in_swedish():
    """Guards ``build``: the access rows unchanged plus ``kategori_sv``, the catalogue's
    Swedish label (mutant: the English one; ``messages/sv.po``: "Apotek och apoteksombud",
    "Post- och paketombud")."""
    access = _access([("1780", "tatort", 10.0, True, 1.0, 2.0, NETWORK)] * 2)
    access["kategori"] = ["apotek", "post"]
    out = tillganglighet.build(access)
    assert out["kategori_sv"].tolist() == ["Apotek och apoteksombud", "Post- och paketombud"]
    assert list(out.columns) == [*access.columns, "kategori_sv"]
    assert "kategori_sv" not in access.columns


def _grid_access() -> pd.DataFrame:
    """Access rows of grid origins and one tätort point, for :func:`surface`.

    Squares of 1000 m: 4130006584000 (tätort part 100 inv, 2 km / 4 min; landsbygd part
    300 inv, 6 km / 8 min), 4150006583000 (landsbygd, 50 inv, unreachable), 4130006583000
    (tätort, 10 inv, 1.5 km / 3 min); a bibliotek row in 4150006583000, a post row in
    4130006583000 (post sorts after apotek and bibliotek) and an apotek row of a tätort point
    (no square), none of which must count for apotek.
    """
    rows = [("4130006584000", "apotek", 100.0, 2.0, 4.0),
            ("4130006584000", "apotek", 300.0, 6.0, 8.0),
            ("4150006583000", "apotek", 50.0, INF, INF),
            ("4130006583000", "apotek", 10.0, 1.5, 3.0),
            ("4150006583000", "bibliotek", 50.0, 1.0, 1.0),
            ("4130006583000", "post", 10.0, 9.5, 20.0),
            (None, "apotek", 9000.0, 0.1, 0.1)]
    return pd.DataFrame({"rutid_scb": [r[0] for r in rows], "kategori": [r[1] for r in rows],
                         "befolkning": [r[2] for r in rows], "km": [r[3] for r in rows],
                         "minuter": [r[4] for r in rows]})


def test_the_surface_holds_each_squares_population_weighted_mean_north_up():
    """Guards ``surface`` (mutants: the square's easting/northing cut elsewhere in its id,
    the grid's west or north edge off by a square, rows counted from the south, the parts
    not weighted by population, other categories or the tätort points counted; the category
    compared with ``>=``, which would let post's 9.5 km into 4130006583000: (10 · 1.5 + 10 ·
    9.5) / 20 = 5.5).

    Easting 413000 and 415000, northing 6583000 and 6584000: west 413000, north 6584000 +
    1000 = 6585000, 2 rows × 3 columns. 4130006584000 is row 0, column 0: km (100·2 + 300·6)
    / 400 = 5, minutes (400 + 2400) / 400 = 7; 4150006583000 is row 1, column 2: inf;
    4130006583000 row 1, column 0: 1.5 km, 3 min; the rest NaN.
    """
    access = _grid_access()
    km, transform = tillganglighet.surface(access, kategori="apotek", column="km", size_m=1000.0)
    nan = np.nan
    assert km.dtype == np.float32
    np.testing.assert_array_equal(km, np.array([[5.0, nan, nan], [1.5, nan, INF]], "float32"))
    assert transform == Affine(1000.0, 0.0, 413000.0, 0.0, -1000.0, 6585000.0)
    minutes, _ = tillganglighet.surface(access, kategori="apotek", column="minuter",
                                        size_m=1000.0)
    np.testing.assert_array_equal(minutes, np.array([[7.0, nan, nan], [3.0, nan, INF]],
                                                     "float32"))
    # bibliotek has only 4150006583000 (post is in another square): one cell of 1 km
    one, transform = tillganglighet.surface(access, kategori="bibliotek", column="km",
                                            size_m=1000.0)
    np.testing.assert_array_equal(one, np.array([[1.0]], "float32"))
    assert transform == Affine(1000.0, 0.0, 415000.0, 0.0, -1000.0, 6584000.0)


def test_a_surface_of_250_m_squares_places_them_by_their_side():
    """Guards the square side in ``surface``: corners 413250/6583500 and 413750/6583000 of
    250 m squares: west 413250, north 6583500 + 250 = 6583750; columns (413750 − 413250) /
    250 = 2 apart, rows (6583500 − 6583000) / 250 = 2 apart: a 3 × 3 grid with the first
    square top left and the second bottom right."""
    access = pd.DataFrame({"rutid_scb": ["4132506583500", "4137506583000"],
                           "kategori": "post", "befolkning": [5.0, 7.0], "km": [0.5, 2.5],
                           "minuter": [1.0, 4.0]})
    grid, transform = tillganglighet.surface(access, kategori="post", column="km", size_m=250.0)
    nan = np.nan
    np.testing.assert_array_equal(grid, np.array([[0.5, nan, nan], [nan, nan, nan],
                                                  [nan, nan, 2.5]], "float32"))
    assert transform == Affine(250.0, 0.0, 413250.0, 0.0, -250.0, 6583750.0)


def test_a_national_surface_counts_columns_from_the_west_edge():
    """Guards the column of a square in ``surface`` when the grid is wider than its west
    edge's easting (a national build: SWEREF99 TM eastings run from about 180 000 to
    920 000; mutants: ``x % west`` for ``x - west``, equal only while every x < 2 · west, and
    ``col.max() ^ 1`` for ``+ 1``, equal only for an even last column).

    Squares of 1000 m at easting 300000 and 601000, both at northing 6700000: west 300000,
    columns 0 and (601000 − 300000) / 1000 = 301, so a 1 × 302 grid; north 6701000.
    """
    access = pd.DataFrame({"rutid_scb": ["3000006700000", "6010006700000"],
                           "kategori": "post", "befolkning": [5.0, 7.0], "km": [1.0, 2.0],
                           "minuter": [1.0, 2.0]})
    grid, transform = tillganglighet.surface(access, kategori="post", column="km",
                                             size_m=1000.0)
    assert grid.shape == (1, 302)
    assert grid[0, 0] == 1.0 and grid[0, 301] == 2.0 and np.isnan(grid[0, 1:301]).all()
    assert transform == Affine(1000.0, 0.0, 300000.0, 0.0, -1000.0, 6701000.0)


def test_a_surface_of_a_category_without_grid_origins_is_refused():
    """Guards the empty case of ``surface``: a category with only tätort points (no square)
    or no rows at all (drivmedel; post, which sorts after it, has a square) has no raster to
    give."""
    access = _grid_access()
    with pytest.raises(ValueError, match="no grid origins for category 'drivmedel'"):
        tillganglighet.surface(access, kategori="drivmedel", column="km", size_m=1000.0)
    points = access[access["rutid_scb"].isna()]
    with pytest.raises(ValueError, match="'apotek'"):
        tillganglighet.surface(points, kategori="apotek", column="km", size_m=1000.0)


def test_the_layer_is_hidden_at_first_and_drawn_as_the_spec_says():
    """Guards ``SPEC``: with the grid the layer has thousands of origins, so it is not shown
    until asked for; its points are drawn with radius 6, a 1 px outline in the symbol stroke
    and 85 % fill opacity; the legend has the five access classes and the unreachable one;
    the indicators it produces are the ``service_`` ones."""
    spec = tillganglighet.SPEC
    assert spec.default_visible is False
    assert spec.style == {"radius": 6, "weight": 1, "color": palette.SYMBOL_STROKE,
                          "fillOpacity": 0.85}
    assert [row[0] for row in spec.legend] == [*palette.ACCESS, palette.ACCESS_UNREACHABLE]
    assert spec.produces("service_apotek_medelavstand")
    assert not spec.produces("kollektivtrafik_andel")
    assert spec.id_column in tillganglighet.ORIGIN_COLUMNS
    assert [field.column for field in spec.popup] == ["namn", "befolkning", "kategori_sv",
                                                      "km", "minuter", "metod"]
