"""Pipeline settings: every threshold and default of the layer pipelines, in one place.

The one typed home of pipeline options (the app's own configuration lives in
:mod:`gisapp.config`). :class:`StomlinjeSettings` (service day, stomlinje rule and
catchments; defaults follow the regional strategy, "Tågtrafik är alltid stomlinje", and
SCB/Kolada's "served stop" rule) is held by :class:`PipelineSettings` as ``stomlinje``, and
:class:`GridSettings` (the population grid's kommun assignment and tätort allocation) as
``befolkningsruta``.

Each field documents its default and where it comes from. The CLI and the web app pass a
:class:`PipelineSettings` to the pipelines; nothing else hard-codes these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TUESDAY = 1


@dataclass(frozen=True)
class StomlinjeSettings:
    """Options of the stomlinje classification.

    Attributes
    ----------
    service_date
        ISO date (``"2023-10-17"``) of the service day to analyse; ``None`` (default) picks
        the representative weekday of each feed (see ``service_weekday``).
    service_weekday
        Weekday (Monday = 0) whose busiest date in the feed's validity window is the
        representative day. Default 1: the Tuesday with the most active services.
    rail_route_types
        Inclusive ``(first, last)`` ranges of GTFS ``route_type`` that count as rail and are
        always stomlinje. Default: 2 (rail) and 100–199 (extended railway types).
    day_hours
        ``(start, end)`` hours of the rule: every hour ``start ≤ h < end`` must have
        departures. Default 06–20.
    min_per_hour
        Departures needed in each hour of ``day_hours`` for a bus route-direction to be
        stomlinje. Default 1 (SCB/Kolada's served-stop rule).
    peak_am, peak_pm
        Peak hours ``(start, end)``. Defaults 06–09 and 15–18.
    strong_per_hour
        Departures needed in every hour of both peaks for "stark stomlinje". Default 2.
    bus_catchment_m
        Catchment radii (m) around bus stops on a stomlinje. Default 500 m (SCB/Kolada).
    rail_catchment_m
        Catchment radii (m) around rail stations. Defaults 1 000 m and 2 000 m.
    offroad_m
        With a road network: how far (m) from a reached road a place still counts as within
        the catchment (the walk from the door to the road). Default 100 m (our choice).
    """

    service_date: str | None = None
    service_weekday: int = TUESDAY
    rail_route_types: tuple[tuple[int, int], ...] = ((2, 2), (100, 199))
    day_hours: tuple[int, int] = (6, 20)
    min_per_hour: float = 1.0
    peak_am: tuple[int, int] = (6, 9)
    peak_pm: tuple[int, int] = (15, 18)
    strong_per_hour: float = 2.0
    bus_catchment_m: tuple[float, ...] = (500.0,)
    rail_catchment_m: tuple[float, ...] = (1_000.0, 2_000.0)
    offroad_m: float = 100.0



@dataclass(frozen=True)
class GridSettings:
    """Options of the population-grid pipelines (methods in :mod:`layers.befolkningsruta`).

    Attributes
    ----------
    nearest_kommun_max_m
        A square whose centre lies in no kommun polygon (on the Norwegian border, on a
        coast) goes to the nearest kommun within this distance (m); farther squares are left
        out and counted in the build notes. Default 1 000 m: the farthest such centre in
        SCB's 2024 1 km grid lies 367 m from the LM 2018 kommun polygons
        (``population/SOURCES.md``), and 1 000 m never reaches across open sea to another
        kommun.
    fit_tolerance
        The tätort allocation stops when every tätort that can still take people is within
        this many persons of its target. Default 0.5 (whole persons).
    fit_max_iterations
        Most rounds of the tätort fit. Default 2 000: the fit on the Värmland 1 km grid
        settles in far fewer; the bound only guards against a case that will not settle.
    max_density_ratio
        Largest ratio of persons per km² between a square's tätort part and its landsbygd
        part that the fit may reach. Reached only when a tätort's target exceeds every person
        in the squares it touches; those squares are then all tätort and the shortfall is
        reported. Default 10¹² (effectively unbounded: even a 1 m² sliver of a 1 km square
        then takes all its persons; the bound only stops the ratio growing forever).
    """

    nearest_kommun_max_m: float = 1_000.0
    fit_tolerance: float = 0.5
    fit_max_iterations: int = 2_000
    max_density_ratio: float = 1e12


@dataclass(frozen=True)
class PipelineSettings:
    """Options of the layer pipelines.

    Attributes
    ----------
    lanskod
        The region: a 2-digit länskod. Default ``"17"`` (Värmland). Kommun lists, extents,
        titles and aggregates all derive from the boundary data for this län.
    tatort_link_max_m
        Largest distance (m) at which an SCB 2020 tätort point that lies in no 2018 polygon
        is still linked to the nearest polygon. Default 1 500 m (the documented link of the
        development data: Norsbron 1 058 m is the farthest real match).
    service_thresholds_km
        Distances (km) beyond which the population share is reported per service category.
        Default 5 and 10 km (the project brief's default).
    service_thresholds_min
        Car travel times (min) beyond which the population share is reported (network only).
        Default 10 and 20 min.
    snap_speed_kmh
        Speed (km/h) on the straight leg between a point and its nearest road node. Default
        30 km/h (driveways and local streets; our choice).
    service_dedup_m
        Two service points of one category from different sources closer than this (m) are
        one place; the higher-priority source keeps it (Pipos, Skolverket, OSM). Default 100 m.
    service_border_km
        Service points of the sources that lie outside the region but within this distance
        (km) of its boundary are kept as destinations: people near the län border may have
        their nearest service in the neighbouring län. Default 20 km (our choice: beyond the
        largest service threshold, 10 km, with margin for roads that wind).
    befolkningsruta
        Kommun assignment and tätort allocation of the SCB population grid; see
        :class:`GridSettings` for each default. (The grid's year is not a setting: it is read
        from the file's name, and the latest year in the data directory is used.)
    stomlinje
        Service day, stomlinje rule and catchment radii; see
        :class:`StomlinjeSettings` for each default.
    """

    lanskod: str = "17"
    tatort_link_max_m: float = 1_500.0
    service_thresholds_km: tuple[float, ...] = (5.0, 10.0)
    service_thresholds_min: tuple[float, ...] = (10.0, 20.0)
    snap_speed_kmh: float = 30.0
    service_dedup_m: float = 100.0
    service_border_km: float = 20.0
    befolkningsruta: GridSettings = field(default_factory=GridSettings)
    stomlinje: StomlinjeSettings = field(default_factory=StomlinjeSettings)
