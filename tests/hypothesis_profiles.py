"""Hypothesis settings profiles of the suite (loaded by tests/conftest.py).

Property tests: modest example counts keep the suite fast; in CI the examples are
derandomised (the same every run), locally each run explores new ones. Mutation runs
(scripts/mutate.py) load this module as a plugin (``-p tests.hypothesis_profiles
--hypothesis-profile=mutation``, without the conftest): fewer examples, the same every run, so
a mutant is killed or survives the same way each time.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("strukturbild", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("ci", parent=settings.get_profile("strukturbild"), derandomize=True,
                          database=None)
settings.register_profile("mutation", parent=settings.get_profile("ci"), max_examples=25)
