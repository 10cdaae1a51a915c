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

from layers.forvantad_trafik import VARMLAND, RegionTraffic

TUESDAY = 1
TUESDAY_TO_THURSDAY = (1, 2, 3)


@dataclass(frozen=True)
class StomlinjeSettings:
    """Options of the stomlinje classification.

    Attributes
    ----------
    service_date
        ISO date (``"2023-10-17"``) of the service day to analyse, for every feed; ``None``
        (default) picks the common representative weekday (see ``service_weekday``).
    service_weekday
        Weekday (Monday = 0) of the representative day: among the feeds' validity windows,
        the date with this weekday on which the most feeds run, then the most services.
        Default 1: Tuesday.
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
    average_month
        ``"YYYY-MM"``: analyse the mean day over the ``average_weekdays`` of that month
        instead of one service day, so a station served on some weekdays is not lost to one
        unlucky date. Default ``None`` (one service day). Overrides ``service_date``.
    average_weekdays
        Weekdays (Monday = 0) averaged over ``average_month``. Default Tuesday–Thursday: the
        ordinary midweek, without Monday's and Friday's extra and missing trains.
    each_direction
        Whether the rule holds for each direction of a segment on its own (the weaker
        direction decides), or for both directions added up. Default ``True``: 2 trains an
        hour one way and none back is not a 2/h service.
    station_match_m
        A timetable's station and a Trafikverket station this close (m) are the same
        station. Default 300 m (stations of the real feeds lie 2–180 m from their register
        point; neighbouring stations are kilometres apart).
    station_name_match_m
        With the same name (after dropping "station", "central" …) they may be this far
        apart (m). Default 1 500 m (Ottebol lies 505 m from its register point).
    rinf_match_m
        A station this close (m) to a RINF operational point is that point of the network.
        Default 400 m.
    rinf_snap_m
        A station farther from any operational point (a halt without switches) joins the
        nearest RINF section within this distance (m). Default 2 000 m (sections are drawn
        straight between their points; the track curves away from that line).
    max_detour
        A path over the network longer than this times the straight distance between two
        stops is not taken (the trip runs where the network here has no sections, e.g.
        abroad) and the stretch is drawn straight, flagged schematic. Default 2.5.
    duplicate_min_calls
        Two trips of different feeds that call at this many stations at the same minute are
        the same train, counted once (the first feed's). Default 2.
    tatort_access_m
        A tätort is "utan stomlinje" when its nearest stomlinje stop is farther than this
        (m). Default 2 000 m: the largest rail catchment (``rail_catchment_m``).
    expected_traffic
        Passenger stations and operators expected per län (see
        :mod:`layers.forvantad_trafik`); a län not listed has no expectations, and its
        coverage is then what the timetables show.
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
    average_month: str | None = None
    average_weekdays: tuple[int, ...] = TUESDAY_TO_THURSDAY
    each_direction: bool = True
    station_match_m: float = 300.0
    station_name_match_m: float = 1_500.0
    rinf_match_m: float = 400.0
    rinf_snap_m: float = 2_000.0
    max_detour: float = 2.5
    duplicate_min_calls: int = 2
    tatort_access_m: float = 2_000.0
    expected_traffic: tuple[RegionTraffic, ...] = (VARMLAND,)


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
        The tätort allocation stops when every tätort holding persons is within this many
        persons of its target, except one at ``max_density_ratio`` still short of it (it
        can take no more). Default 0.5 (whole persons).
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
        The region (:mod:`layers.region`): a 2-digit länskod, a comma-separated list of them
        or ``"all"``/``"SE"`` (every län). Default ``"17"`` (Värmland). Kommun lists, extents,
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
