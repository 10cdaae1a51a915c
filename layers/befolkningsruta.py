"""Population grid squares: their kommun, their tätort and landsbygd parts, and sums over them.

**Kommun** (:func:`assign_kommun`). A square belongs wholly to the kommun whose polygon holds
its centre; squares are not split at kommun borders (SCB's grid has no kommun code; its own
caveat is the same). A centre in no polygon goes to the nearest kommun within
:attr:`~layers.settings.GridSettings.nearest_kommun_max_m`. On the LM 2018 kommun set this
is exactly the rule behind the ``kommunkod`` column of the development data's national CSV
(all 103 464 squares agree), so per-kommun grid totals can be checked against that column.

**Tätort and landsbygd** (:func:`allocate`). At 1 km, a centre-in-polygon rule is far off:
the 1:1 M tätort outlines are smaller than a square or cut through it, so most boundary
squares fall wholly on one side (Karlstad's landsbygd comes out 30 998 by square centres,
Torsby's 7 106; figures below). Instead each square's persons are shared between the tätort
polygons it overlaps and landsbygd:

1. *seed*: each part of a square gets persons in proportion to its area (square ∩ tätort,
   and the rest of the square for landsbygd);
2. *fit*: each tätort ``t`` gets a density factor ``k_t`` — its part of a square holds
   ``k_t`` times as many persons per km² as the landsbygd part — so that a square's tätort
   share is ``Σ k_t a_t / (Σ k_t a_t + a_landsbygd)`` (areas within the square). The factors
   start at 1 (the seed) and take Newton steps on ``log k_t`` until every tätort is within
   ``fit_tolerance`` persons of its **target, SCB's 2020 population of the tätort**
   (``bef_2020`` of the ``tatorter`` layer: the 2020 tätorter linked to the 2018 polygons,
   ``admin/SOURCES.md``). 2018 polygons with no 2020 tätort are landsbygd;
3. *whole persons*: each square's parts are rounded by largest remainder, so every square
   keeps its total exactly and tätort + landsbygd = hela kommunen exactly in every sum.

Remaining error, measured on the development data (SCB 1 km grid 2024, Värmland's 66 linked
tätort polygons; ``scripts/bench_grid_allocation.py`` prints these figures):

* a target cannot be met when the squares a tätort touches hold fewer persons (2024, with
  coordinates) than its 2020 population — 23 of 66 tätorter are short by more than rounding,
  2 671 persons in all (1.2 % of 215 120), mostly declining towns (Kristinehamn −487, Säffle
  −451, Filipstad −316, Arvika −200, Torsby −132): then all those squares are tätort;
* squares keep their centre's kommun, so a tätort part of a square across a kommun border
  counts in the other kommun;
* 2020 tätorter with no polygon of their own (Bergsäng, 201 persons) stay landsbygd;
* the targets are 2020 figures and the grid is 2024: growth or decline of a tätort since
  2020 is counted in landsbygd. Had every tätort grown like its kommun (grid 2024 / SKR's
  2020 total), Karlstad's landsbygd would be 9 479 instead of 12 495, Torsby's 5 987
  instead of 6 055.

Per kommun the allocated tätort population differs from the sum of SCB's 2020 tätort
populations by −364 in Karlstad (85 242 against 85 606; landsbygd 12 495, by centres
30 998), −131 in Torsby (5 311 against 5 442; landsbygd 6 055, by centres 7 106) and by
3 032 persons in absolute value over the 16 kommuner (1.4 % of 215 321), against 57 352
(26.6 %) by square centres. Rounding to whole persons moves a tätort by at most a few.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import palette
from layers.settings import GridSettings
from layers.spec import Categorized, LayerSpec, layer_texts, popups
from messages import labelled

# Classes of persons per km² (lower bound → value, colour; the labels are the catalogue's
# ``category.tathet.<value>``): a sequential ColorBrewer "Purples" ramp, readable for
# colour-blind viewers; the breaks split Värmland's 1 km squares into sparse countryside
# (half are under 10), villages, and towns.
DENSITY_CLASSES: tuple[tuple[float, str, str], ...] = (
    (0.0, "0-9", palette.DENSITY[0]),
    (10.0, "10-49", palette.DENSITY[1]),
    (50.0, "50-199", palette.DENSITY[2]),
    (200.0, "200-999", palette.DENSITY[3]),
    (1000.0, "1000+", palette.DENSITY[4]),
)

SPEC = LayerSpec(
    id="befolkning",
    **layer_texts("befolkning"),
    theme="Befolkning",
    geometry_type="Polygon",
    sources=("befolkningsruta",),
    id_column="rutid_scb",
    style={"color": palette.DENSITY_STROKE, "weight": 0, "fillOpacity": 0.6},
    categories=Categorized.of("tathet", labelled("category.tathet", {
        value: colour for _, value, colour in DENSITY_CLASSES})),
    indicator_prefixes=("befolkning_ruta",),
    popup=popups("befolkning", "befolkning", "per_km2", "tatort_bef", "landsbygd_bef", "tatorter",
                 "kommunkod", "ar"),
    default_visible=False,
)

OMRADEN = ("tatort", "landsbygd")
PART_COLUMNS = ["rutid_scb", "kommunkod", "omrade", "tatortsnr", "tatort", "befolkning",
                "geometry"]
ORIGIN_COLUMNS = ["id", "rutid_scb", "kommunkod", "omrade", "tatort", "befolkning",
                  "storlek_m", "geometry"]
FIT_COLUMNS = ["tatortsnr", "tatort", "kommunkod", "mal", "fordelat", "kapacitet",
               "skillnad"]


@dataclass(frozen=True)
class Allocation:
    """The result of :func:`allocate`.

    ``squares`` are the input squares (with ``kommunkod``); ``parts`` has
    :data:`PART_COLUMNS` — one row per square and tätort it overlaps plus one landsbygd row
    per square, only parts holding persons, ``befolkning`` whole persons, ``geometry`` the
    part's polygon; ``fit`` has :data:`FIT_COLUMNS` — per tätort polygon its target (``mal``,
    SCB 2020), the persons allocated, the persons in every square it touches
    (``kapacitet``) and ``skillnad = fordelat − mal``.
    """

    squares: gpd.GeoDataFrame
    parts: gpd.GeoDataFrame
    fit: pd.DataFrame

    @property
    def year(self) -> str:
        """The grid's reference year (``ar`` of the squares; ``""`` when there are none)."""
        return str(self.squares["ar"].iloc[0]) if len(self.squares) else ""


def centres(squares: gpd.GeoSeries) -> np.ndarray:
    """Centre points of square polygons (shapely array)."""
    return shapely.centroid(squares.to_numpy())


def assign_kommun(
    squares: gpd.GeoDataFrame, kommuner: gpd.GeoDataFrame, *, settings: GridSettings
) -> gpd.GeoDataFrame:
    """Return ``squares`` with the ``kommunkod`` of the kommun holding each square's centre.

    ``kommuner`` (``kommunkod``, polygons, EPSG:3006) should include the neighbours of the
    region (pass the national set), so that a square near the region's edge finds its own
    kommun. A centre in no polygon takes the nearest kommun within
    ``settings.nearest_kommun_max_m``; squares farther away are left out. A centre on a
    shared border goes to the first polygon found. Adds ``kommun_tilldelning``
    (``centrum_i_polygon`` or ``narmaste_polygon``).
    """
    points = gpd.GeoDataFrame(geometry=centres(squares.geometry), crs=squares.crs,
                              index=squares.index)
    zones = kommuner[["kommunkod", "geometry"]]
    within = gpd.sjoin(points, zones, how="left", predicate="within")
    within = within[~within.index.duplicated(keep="first")]
    code = within["kommunkod"]
    how = pd.Series("centrum_i_polygon", index=squares.index)
    lost = code.isna()
    if lost.any():
        near = gpd.sjoin_nearest(points[lost], zones, how="inner",
                                 max_distance=settings.nearest_kommun_max_m)
        near = near[~near.index.duplicated(keep="first")]
        code = code.copy()
        code.loc[near.index] = near["kommunkod"]
        how.loc[near.index] = "narmaste_polygon"
    out = squares.assign(kommunkod=code.astype("string"), kommun_tilldelning=how)
    return out[out["kommunkod"].notna()].astype({"kommunkod": str})


def _overlaps(squares: np.ndarray, urban: np.ndarray) -> tuple[np.ndarray, ...]:
    """Square index, tätort index, intersection polygon and area of every overlap."""
    square, town = shapely.STRtree(urban).query(squares, predicate="intersects")
    pieces = shapely.intersection(squares[square], urban[town])
    area = shapely.area(pieces)
    keep = area > 0
    return square[keep], town[keep], pieces[keep], area[keep]


def _fit(people: np.ndarray, square: np.ndarray, town: np.ndarray, share: np.ndarray,
         target: np.ndarray, settings: GridSettings) -> np.ndarray:
    """Persons of each overlap (square, tätort) after fitting the density factors.

    Newton steps on ``log k_t``: the allocation's elasticity to ``k_t`` is
    ``Σ persons·(1 − tätort share of the square) / allocated``; a step is at most ``e²``,
    so a tätort that cannot reach its target climbs to ``max_density_ratio`` in a few rounds.
    Each tätort's steps are halved whenever it overshoots its target: tätorter sharing a
    square with little landsbygd take persons from each other, so their simultaneous full
    steps would overshoot and swing ever wider.
    """
    n_squares, n_towns = len(people), len(target)
    free = 1.0 - np.minimum(np.bincount(square, share, minlength=n_squares), 1.0)
    log_factor = np.zeros(n_towns)
    log_max = np.log(settings.max_density_ratio)
    damping = np.ones(n_towns)
    side = np.zeros(n_towns)  # sign of target − allocated in the previous round
    for _ in range(settings.fit_max_iterations):
        weight = share * np.exp(log_factor[town])
        total = np.bincount(square, weight, minlength=n_squares) + free
        fraction = np.divide(weight, total[square], out=np.zeros_like(weight),
                             where=total[square] > 0)
        persons = people[square] * fraction
        allocated = np.bincount(town, persons, minlength=n_towns)
        # a tätort at the ratio bound and still short of its target can take no more; every
        # other one holding persons must be within the tolerance (also one at the bound above
        # its target: its factor may still go down)
        stuck = (log_factor >= log_max) & (allocated < target)
        settling = (allocated > 0) & ~stuck
        if np.all(np.abs(allocated - target)[settling] <= settings.fit_tolerance):
            break
        damping[np.sign(target - allocated) * side < 0] /= 2.0
        side = np.sign(target - allocated)
        slope = np.bincount(town, persons * (1.0 - fraction), minlength=n_towns)
        step = np.divide(np.log(np.maximum(target, 1e-9)) - np.log(np.maximum(allocated, 1e-9)),
                         slope / np.maximum(allocated, 1e-9), out=np.zeros(n_towns),
                         where=(slope > 0) & (allocated > 0))
        log_factor = np.minimum(log_factor + np.clip(damping * step, -2.0, 2.0), log_max)
    return persons


def _whole(group: np.ndarray, value: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Round ``value`` to whole numbers by largest remainder so each group sums to ``total``."""
    value = np.maximum(value, 0.0)
    floor = np.floor(value + 1e-9)
    short = total - np.bincount(group, floor, minlength=len(total))
    order = np.lexsort((-(value - floor), group))
    first = np.searchsorted(group[order], group[order], side="left")
    rank = np.arange(len(order)) - first
    out = floor.copy()
    out[order] += rank < short[group[order]]
    return out.astype("int64")


def _landsbygd_geometry(squares: np.ndarray, square: np.ndarray,
                        pieces: np.ndarray) -> np.ndarray:
    """Each square minus its tätort pieces."""
    out = squares.copy()
    frame = pd.DataFrame({"square": square, "piece": pieces})
    for index, group in frame.groupby("square")["piece"]:
        out[index] = shapely.difference(squares[index], shapely.union_all(group.to_numpy()))
    return out


def allocate(
    squares: gpd.GeoDataFrame, tatorter: gpd.GeoDataFrame, *, settings: GridSettings
) -> Allocation:
    """Share each square's persons between the tätorter it overlaps and landsbygd.

    ``squares``: the region's grid squares (``rutid_scb, befolkning, kommunkod``, polygons,
    EPSG:3006; from :func:`assign_kommun`). ``tatorter``: the ``tatorter`` layer
    (``tatortsnr, tatort, kommunkod, bef_2020``, polygons); polygons without ``bef_2020`` are
    not tätorter in 2020 and count as landsbygd. See the module docstring for the method
    and its measured error.
    """
    squares = squares.reset_index(drop=True)
    urban = tatorter[tatorter["bef_2020"].notna()].reset_index(drop=True)
    grid = squares.geometry.to_numpy()
    square, town, pieces, area = _overlaps(grid, urban.geometry.to_numpy())
    people = squares["befolkning"].to_numpy(dtype="float64")
    target = urban["bef_2020"].to_numpy(dtype="float64")
    persons = _fit(people, square, town, area / shapely.area(grid)[square], target, settings)
    rural = people - np.bincount(square, persons, minlength=len(squares))
    index = np.arange(len(squares))
    group = np.concatenate([square, index])
    counts = _whole(group, np.concatenate([persons, rural]), people.astype("int64"))
    parts = gpd.GeoDataFrame({
        "rutid_scb": squares["rutid_scb"].to_numpy()[group],
        "kommunkod": squares["kommunkod"].to_numpy()[group],
        "omrade": np.repeat(OMRADEN, [len(square), len(index)]),
        "tatortsnr": np.concatenate([urban["tatortsnr"].to_numpy()[town],
                                     np.full(len(index), None)]),
        "tatort": np.concatenate([urban["tatort"].to_numpy()[town], np.full(len(index), "")]),
        "befolkning": counts,
    }, geometry=np.concatenate([pieces, _landsbygd_geometry(grid, square, pieces)]),
        crs=squares.crs)
    parts = parts[parts["befolkning"] > 0].sort_values(["rutid_scb", "omrade"])
    touched = pd.DataFrame({"town": town, "square": square}).drop_duplicates()
    fit = pd.DataFrame({
        "tatortsnr": urban["tatortsnr"], "tatort": urban["tatort"],
        "kommunkod": urban["kommunkod"], "mal": target.astype("int64"),
        "fordelat": np.bincount(town, counts[:len(square)], minlength=len(urban)).astype(
            "int64"),
        "kapacitet": np.bincount(touched["town"], people[touched["square"]],
                                 minlength=len(urban)).astype("int64"),
    })
    fit["skillnad"] = fit["fordelat"] - fit["mal"]
    return Allocation(squares, parts.reset_index(drop=True), fit[FIT_COLUMNS])


def population_by_area(parts: pd.DataFrame, *, kommunkoder: list[str]) -> pd.DataFrame:
    """Return ``kommunkod, omrade, befolkning`` for tatort, landsbygd and hela_kommunen.

    ``parts`` are :attr:`Allocation.parts` of one grid year. Every kommun in ``kommunkoder``
    gets three rows of whole persons (0 where no populated square lies in it); tatort +
    landsbygd = hela_kommunen exactly.
    """
    sums = parts.groupby(["kommunkod", "omrade"])["befolkning"].sum()
    rows = []
    for kommunkod in kommunkoder:
        tatort = int(sums.get((kommunkod, "tatort"), 0))
        landsbygd = int(sums.get((kommunkod, "landsbygd"), 0))
        rows += [(kommunkod, "tatort", tatort), (kommunkod, "landsbygd", landsbygd),
                 (kommunkod, "hela_kommunen", tatort + landsbygd)]
    return pd.DataFrame(rows, columns=["kommunkod", "omrade", "befolkning"])


def _inside_point(polygons: np.ndarray) -> np.ndarray:
    """The centroid of each polygon, or a point on its surface where the centroid is outside."""
    points = shapely.centroid(polygons)
    outside = ~shapely.contains(polygons, points)
    points[outside] = shapely.point_on_surface(polygons[outside])
    return points


def origins(allocation: Allocation) -> gpd.GeoDataFrame:
    """Where people live, for accessibility: each square's tätort part and landsbygd part.

    Returns :data:`ORIGIN_COLUMNS` (EPSG:3006), one row per square and ``omrade`` that holds
    persons — a square is split into at most two origins:

    ``id``
        ``"<rutid_scb>:tatort"`` or ``"<rutid_scb>:landsbygd"`` (unique).
    ``rutid_scb``, ``kommunkod``, ``storlek_m``
        The square, its kommun (the square's, see :func:`assign_kommun`) and side (m).
    ``omrade``
        ``tatort`` or ``landsbygd``.
    ``tatort``
        Name of the tätort holding most of the square's tätort part (``""`` for landsbygd).
    ``befolkning``
        Whole persons in the part (int64 > 0); the parts of a square sum to its total.
    ``geometry``
        A point in the part: the centroid of the part's polygon (square ∩ tätorter, or the
        square minus them), or a point on its surface where the centroid falls outside.
    """
    parts = allocation.parts.sort_values("befolkning", ascending=False, kind="stable")
    grouped = parts.groupby(["rutid_scb", "omrade"], sort=True)
    merged = grouped.agg(kommunkod=("kommunkod", "first"), tatort=("tatort", "first"),
                         befolkning=("befolkning", "sum")).reset_index()
    shapes = grouped["geometry"].agg(lambda g: shapely.union_all(g.to_numpy()))
    size = allocation.squares.set_index("rutid_scb")["storlek_m"]
    merged["id"] = merged["rutid_scb"] + ":" + merged["omrade"]
    merged["storlek_m"] = size.reindex(merged["rutid_scb"]).to_numpy()
    points = _inside_point(shapes.reindex(pd.MultiIndex.from_frame(
        merged[["rutid_scb", "omrade"]])).to_numpy())
    return gpd.GeoDataFrame(merged, geometry=points,
                            crs=allocation.parts.crs)[ORIGIN_COLUMNS]


def population_within(parts: gpd.GeoDataFrame, area) -> pd.DataFrame:
    """Persons living within ``area`` per kommun and ``omrade``, from the square parts.

    ``area`` is a (Multi)Polygon in EPSG:3006. Persons are taken as evenly spread within
    each part (a square's tätort part or its landsbygd part): a part adds its persons times
    the share of its area inside ``area``. Returns ``kommunkod, omrade, befolkning`` (float;
    kommun/omrade pairs with nobody inside are absent).
    """
    geoms = parts.geometry.to_numpy()
    hits = shapely.STRtree(geoms).query(area, predicate="intersects")
    inside = shapely.area(shapely.intersection(geoms[hits], area)) / shapely.area(geoms[hits])
    touched = parts.iloc[hits]
    people = touched["befolkning"].to_numpy(dtype="float64") * inside
    frame = pd.DataFrame({"kommunkod": touched["kommunkod"].to_numpy(),
                          "omrade": touched["omrade"].to_numpy(), "befolkning": people})
    return frame.groupby(["kommunkod", "omrade"], as_index=False)["befolkning"].sum()


def squares_layer(allocation: Allocation) -> gpd.GeoDataFrame:
    """The map layer: one square per row with its tätort and landsbygd persons.

    Columns: ``rutid_scb, kommunkod, befolkning, tatort_bef, landsbygd_bef, tatorter``
    (names of the tätorter sharing the square, comma-separated), ``per_km2`` (persons per
    km² of the square), ``tathet`` (its class in :data:`DENSITY_CLASSES`), ``storlek_m, ar,
    geometry`` (the square polygon).
    """
    parts = allocation.parts
    persons = parts.pivot_table(index="rutid_scb", columns="omrade", values="befolkning",
                                aggfunc="sum", fill_value=0)
    names = (parts[parts["omrade"] == "tatort"].groupby("rutid_scb")["tatort"]
             .agg(lambda n: ", ".join(dict.fromkeys(n))))
    out = allocation.squares[["rutid_scb", "kommunkod", "befolkning", "storlek_m", "ar",
                              "geometry"]].copy()
    for omrade in OMRADEN:
        column = persons[omrade] if omrade in persons else pd.Series(dtype="int64")
        out[f"{omrade}_bef"] = column.reindex(out["rutid_scb"]).fillna(0).astype(
            "int64").to_numpy()
    out["tatorter"] = names.reindex(out["rutid_scb"]).fillna("").to_numpy()
    out["per_km2"] = out["befolkning"] / (out["storlek_m"] / 1000.0) ** 2
    bounds = [lower for lower, *_ in DENSITY_CLASSES]
    values = np.array([value for _, value, *_ in DENSITY_CLASSES])
    out["tathet"] = values[np.digitize(out["per_km2"].to_numpy(), bounds[1:])]
    columns = ["rutid_scb", "kommunkod", "befolkning", "tatort_bef", "landsbygd_bef",
               "tatorter", "per_km2", "tathet", "storlek_m", "ar", "geometry"]
    return gpd.GeoDataFrame(out[columns], geometry="geometry",
                            crs=allocation.squares.crs).reset_index(drop=True)
