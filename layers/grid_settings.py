"""Settings of the population-grid pipelines: kommun assignment and the tätort allocation.

:class:`layers.settings.PipelineSettings` holds one instance as ``befolkningsruta``; the
methods are described in :mod:`layers.befolkningsruta`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GridSettings:
    """Options of the population-grid pipelines.

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
