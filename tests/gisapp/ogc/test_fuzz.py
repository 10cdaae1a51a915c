"""Schemathesis fuzzes the OGC API from its own OpenAPI document: no 5xx, every response valid.

Bounded and reproducible: a fixed Hypothesis seed, derandomised generation and a small number
of examples per operation. (The operations are driven through Hypothesis directly:
schemathesis' pytest plugin does not run under pytest 9.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as fixed_seed
from schemathesis.checks import positive_data_acceptance

from gisapp import create_app

MAX_EXAMPLES = 20
SEED = 20261127


def _fuzz(operation) -> None:
    """Run ``operation`` on generated cases; each must pass schemathesis' checks."""

    @fixed_seed(SEED)
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case) -> None:
        # The WSGI transport does not decompress (compression is tested elsewhere). Rules
        # that OpenAPI cannot express (bbox corners in order, CRS84 ranges) are refused with
        # a documented 400, so "every schema-valid request is accepted" is not checked.
        response = case.call_and_validate(headers={"Accept-Encoding": "identity"},
                                          excluded_checks=[positive_data_acceptance])
        assert response.status_code < 500

    run()


def test_ogc_api_conforms_to_its_openapi_document(build_dir):
    app = create_app({"BUILD_DIR": str(build_dir), "TESTING": True})
    schema = schemathesis.openapi.from_wsgi("/ogc/api?f=json", app)
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        _fuzz(operation)
    assert "GET /collections/kommuner/items" in labels
    assert len(labels) == 3 + 3 * len(app.extensions["store"].current().layer_ids())
