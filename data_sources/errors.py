"""The project's exception types.

Every error a user can cause (a broken file, a wrong CRS, an unknown kommunkod, a bad query
parameter) is a :class:`StrukturbildError`. Subclasses also inherit the fitting built-in
exception and carry the HTTP status that the web app answers with, so one table in
``gisapp`` maps them to responses and the CLI prints them without a traceback.
"""

from __future__ import annotations


class StrukturbildError(Exception):
    """Base class of every error the project raises on purpose."""

    http_status = 500


class DataError(StrukturbildError, ValueError):
    """A source file exists but does not hold what its schema promises."""

    http_status = 500


class MissingDataError(StrukturbildError, FileNotFoundError):
    """A source file that a loader needs is not in the data directory."""

    http_status = 404


class FetchError(StrukturbildError, OSError):
    """A download from a publisher failed (network, truncation, checksum, timeout)."""

    http_status = 502


class BuildError(StrukturbildError, RuntimeError):
    """A build could not be completed; the previous build keeps serving."""

    http_status = 500


class RequestError(StrukturbildError, ValueError):
    """A request parameter is invalid; the message names the parameter.

    ``kind`` and ``values`` (e.g. ``unknown_value`` with the value and the allowed ones) let
    a page say the same in its own language; the message stays the API's English detail.
    """

    http_status = 400

    def __init__(self, parameter: str, message: str, *, kind: str = "",
                 values: dict[str, str] | None = None) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.kind = kind
        self.values = values or {}


class NotFoundError(StrukturbildError, LookupError):
    """A requested layer, feature or kommun does not exist."""

    http_status = 404


class LayerMissingError(NotFoundError):
    """The build lacks a layer a page needs; ``reason`` says why (and how to add its data)."""

    def __init__(self, layer_id: str, reason: str) -> None:
        super().__init__(f"the build has no {layer_id!r} layer: {reason}")
        self.layer_id = layer_id
        self.reason = reason


class ChecksumError(FetchError):
    """A downloaded file's sha256 differs from the pinned one; not retried."""
