"""The assertion the parameter property tests share: a request is answered or refused clearly."""

from __future__ import annotations

from hypothesis import event


def answered_or_refused(response, parameters: set[str]) -> None:
    """Assert a 200, or a 400 problem document naming one of ``parameters``; never a 5xx."""
    event(f"HTTP {response.status_code}")
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        problem = response.get_json()
        assert response.mimetype == "application/problem+json"
        assert problem["parameter"] in parameters and problem["detail"], problem
