"""Pipeline settings: every threshold and default of the layer pipelines, in one place.

Each field documents its default and where it comes from. The CLI and the web app pass a
:class:`PipelineSettings` to the pipelines; nothing else hard-codes these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from layers.stomlinje_settings import StomlinjeSettings


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
    befolkningsruta_ar
        Reference year (31 December) of the SCB population grid in ``befolkning/``; SCB
        publishes one grid per year and the file does not always say which. Default ``""``:
        the grid's indicators then carry "år okänt" until it is stated.
    stomlinje
        Service day, stomlinje rule and catchment radii; see
        :class:`layers.stomlinje_settings.StomlinjeSettings` for each default.
    """

    lanskod: str = "17"
    tatort_link_max_m: float = 1_500.0
    service_thresholds_km: tuple[float, ...] = (5.0, 10.0)
    service_thresholds_min: tuple[float, ...] = (10.0, 20.0)
    snap_speed_kmh: float = 30.0
    service_dedup_m: float = 100.0
    service_border_km: float = 20.0
    befolkningsruta_ar: str = ""
    stomlinje: StomlinjeSettings = field(default_factory=StomlinjeSettings)
