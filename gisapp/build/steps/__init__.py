"""The build steps, in dependency order: each wires source loaders to one pure layer pipeline.

A step may use layers built by the steps before it (``ctx.layer``); each family module
lists its own steps (``STEPS``), so adding a layer to a family touches that module only.
"""

from __future__ import annotations

from gisapp.build.pipeline import Step
from gisapp.build.steps import admin, indikatorer, service, tillganglighet, transit

STEPS: list[Step] = [
    *admin.STEPS,
    *service.STEPS,
    *transit.STEPS,
    *indikatorer.POPULATION_STEPS,
    *transit.CATCHMENT_STEPS,
    *tillganglighet.STEPS,
    *indikatorer.STEPS,
]
