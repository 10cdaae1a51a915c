"""Pipeline settings: every threshold and default of the layer pipelines, in one place.

Each field documents its default and where it comes from. The CLI and the web app pass a
:class:`PipelineSettings` to the pipelines; nothing else hard-codes these values.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """

    lanskod: str = "17"
    tatort_link_max_m: float = 1_500.0
