"""Settings of the stomlinjenät pipelines: service day, classification rule and catchments.

Defaults follow the regional strategy ("Tågtrafik är alltid stomlinje") and SCB/Kolada's
"served stop" rule. :class:`layers.settings.PipelineSettings` holds one instance as
``stomlinje``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
