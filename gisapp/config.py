"""The app's configuration: where data and builds live, and every Flask config default.

The one typed home of the app's settings (pipeline options live in :mod:`layers.settings`,
download limits with the downloader in :mod:`data_sources._http`). :class:`AppConfig`
documents every Flask config key the app reads and its default; ``create_app(config)``
starts from these defaults and applies ``config`` on top (tests override keys this way).

Data directory, first that applies: ``--data-dir``; ``$STRUKTURBILD_DATA``; ``../shared/data``
beside the working directory or beside the project checkout (development and CI); the
user cache that ``strukturbild fetch`` fills, when it holds files. Otherwise there is no data
directory and the app runs on the embedded fallback boundaries.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from data_sources.errors import MissingDataError
from messages import text

DATA_ENV = "STRUKTURBILD_DATA"
BUILD_ENV = "STRUKTURBILD_BUILD_DIR"
STORE_ENV = "STRUKTURBILD_STORE"
PUBLIC_URL_ENV = "STRUKTURBILD_PUBLIC_URL"
TRUSTED_HOSTS_ENV = "STRUKTURBILD_TRUSTED_HOSTS"
TRUSTED_PROXIES_ENV = "STRUKTURBILD_TRUSTED_PROXIES"
KEEP_BUILDS_ENV = "STRUKTURBILD_KEEP_BUILDS"
OGC_CACHE_ENV = "STRUKTURBILD_OGC_CACHE_MB"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DataDir:
    """A resolved data directory (``None`` when none was found) and how it was chosen."""

    path: Path | None
    reason: str


def user_cache_data_dir() -> Path:
    """The per-user directory that ``strukturbild fetch`` fills by default."""
    return Path(platformdirs.user_cache_dir("strukturbild")) / "data"


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> DataDir:
    """Resolve the data directory following the order in the module docstring.

    A directory asked for explicitly (``--data-dir``, ``$STRUKTURBILD_DATA``) must exist: a
    typo must not build (and serve) a map with every source "saknar data".
    """
    for value, reason in ((cli_value, "--data-dir"), (os.environ.get(DATA_ENV), f"${DATA_ENV}")):
        if value:
            path = Path(value).resolve()
            if not path.is_dir():
                msg = f"{reason} {path}: no such directory (is the path right?)"
                raise MissingDataError(msg)
            return DataDir(path, reason)
    for base in (Path.cwd(), PROJECT_ROOT):
        shared = (base / ".." / "shared" / "data").resolve()
        if shared.is_dir():
            return DataDir(shared, "../shared/data (development data)")
    cache = user_cache_data_dir()
    if cache.is_dir() and any(cache.iterdir()):
        return DataDir(cache, "user cache filled by `strukturbild fetch`")
    return DataDir(None, "no data directory found")


def resolve_build_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """Resolve the build directory: ``--build-dir``, ``$STRUKTURBILD_BUILD_DIR``, ``./builds``."""
    if cli_value:
        return Path(cli_value).resolve()
    if os.environ.get(BUILD_ENV):
        return Path(os.environ[BUILD_ENV]).resolve()
    return (Path.cwd() / "builds").resolve()


STORE_HELP = (f"where builds are stored: a postgresql:// URL (the PostGIS store) or a "
              f"directory (default: ${STORE_ENV}, else --build-dir)")


def resolve_store(cli_store: str | None = None,
                  cli_build_dir: str | os.PathLike | None = None) -> str:
    """Resolve where builds are stored: ``--store``, ``$STRUKTURBILD_STORE``, else the build dir.

    A ``postgresql://`` URL names the PostGIS store; anything else is the directory of the
    file store (``--build-dir`` and :func:`resolve_build_dir`'s order when no store is named).
    """
    location = cli_store or os.environ.get(STORE_ENV)
    return location or str(resolve_build_dir(cli_build_dir))


def user_export_dir() -> Path:
    """Where downloads of a build in a database are cached by default (per user)."""
    return Path(platformdirs.user_cache_dir("strukturbild")) / "exports"


NO_DATA_HELP_SV = text("page.no_data", "sv")
NO_DATA_HELP_EN = text("page.no_data", "en")


def _env_hosts() -> tuple[str, ...]:
    """Trusted host names from ``$STRUKTURBILD_TRUSTED_HOSTS`` (empty: the default set)."""
    return tuple(h.strip() for h in os.environ.get(TRUSTED_HOSTS_ENV, "").split(",")
                 if h.strip())


@dataclass(frozen=True)
class AppConfig:
    """Flask configuration of the app (keys are the upper-case field names).

    Attributes
    ----------
    build_dir
        Directory of the builds (``BUILD_DIR``). Default: ``--build-dir``,
        ``$STRUKTURBILD_BUILD_DIR`` or ``./builds`` (:func:`resolve_build_dir`).
    store
        Where the builds are (``STORE``; ``$STRUKTURBILD_STORE``): a ``postgresql://`` URL
        serves from the PostGIS store, shared by several app instances. Default ``""``: the
        file store in ``build_dir``.
    export_dir
        Where generated downloads are cached, one folder per build id (``EXPORT_DIR``).
        Default ``""``: ``exports/`` inside each build's own directory (file store), or
        :func:`user_export_dir` (PostGIS store). Either way the
        folder is created mode 0700 and refused unless it is a real directory owned by the
        serving user and closed to others (a planted folder is never served from).
    public_url
        The site's public address, e.g. ``https://karta.example.se`` (``PUBLIC_URL``;
        ``$STRUKTURBILD_PUBLIC_URL``). Every absolute link (OGC API links, the QGIS address)
        is built from it; unset, from the request's ``Host``, which must then be trusted.
    trusted_hosts
        Host names the app answers (``TRUSTED_HOSTS``; ``$STRUKTURBILD_TRUSTED_HOSTS``,
        comma-separated). Default: loopback names plus the host of ``public_url``; a request
        with any other ``Host`` header gets 400.
    trusted_proxies
        How many reverse proxies in front of the app set ``X-Forwarded-For/-Proto/-Host``
        (``TRUSTED_PROXIES``; ``$STRUKTURBILD_TRUSTED_PROXIES``; default 0: the headers are
        ignored and cannot be spoofed). With 1 behind nginx, rate limits count per real
        client instead of one bucket for everyone.
    keep_builds
        How many complete builds are kept on disk (``KEEP_BUILDS``;
        ``$STRUKTURBILD_KEEP_BUILDS``; default 3); older ones are pruned after each build.
    ogc_cache_mb
        Memory per server process for OGC items answers kept per build and request,
        compressed once (``OGC_CACHE_MB``; ``$STRUKTURBILD_OGC_CACHE_MB``; default 64; ``0``
        switches the cache off: every request queries the store and compresses its answer).
    compute_slots, compute_wait_s, compute_retry_after_s
        The global cap on request-time computation per server process (page renders on a
        cache miss, exports, scenarios, GeoTIFFs): how many at once (default 2), how long a
        request waits for a slot (1 s) and the ``Retry-After`` of the 503 beyond (5 s).
    rate_limit_per_minute
        Requests per client IP per minute; ``0`` (default) switches the limit off. Counted per
        process, keyed on the client address (behind a reverse proxy set ``trusted_proxies``).
    expensive_rate_limit_per_minute
        A separate, default-on limit (30 per client IP per minute) for the endpoints in
        ``expensive_endpoints``, which compute on request; ``0`` switches it off.
    expensive_endpoints
        Endpoint names under the expensive limit (default: the scenario API and the
        server-rendered PNG/PDF maps and kommunblad).
    rate_limit_max_clients
        How many client IPs the limiters remember (bounded memory; oldest forgotten first).
    embed_frame_ancestors
        Who may frame the embeddable endpoints: ``*`` (default) or a space-separated
        allow-list of origins. Every other page refuses framing.
    frameable_endpoints
        Endpoint names that may be framed (default: the embed map).
    max_content_length, max_query_bytes
        Largest request body and query string accepted (413 / 414 beyond).
    json_sort_keys
        Flask's JSON key sorting; off, so documents keep their designed order.
    compress_mimetypes
        Media types sent compressed (:mod:`gisapp.web.compression`).
    """

    build_dir: str = field(default_factory=lambda: str(resolve_build_dir()))
    store: str = field(default_factory=lambda: os.environ.get(STORE_ENV, ""))
    export_dir: str = ""
    public_url: str = field(default_factory=lambda: os.environ.get(PUBLIC_URL_ENV, ""))
    trusted_hosts: tuple[str, ...] = field(default_factory=lambda: _env_hosts())
    trusted_proxies: int = field(
        default_factory=lambda: int(os.environ.get(TRUSTED_PROXIES_ENV, "0") or 0))
    keep_builds: int = field(
        default_factory=lambda: int(os.environ.get(KEEP_BUILDS_ENV, "3") or 3))
    ogc_cache_mb: int = field(
        default_factory=lambda: int(os.environ.get(OGC_CACHE_ENV, "64") or 64))
    compute_slots: int = 2
    compute_wait_s: float = 1.0
    compute_retry_after_s: int = 5
    rate_limit_per_minute: int = 0
    expensive_rate_limit_per_minute: int = 30
    expensive_endpoints: tuple[str, ...] = ("scenario_api.scenario_view", "map_exports.karta",
                                            "map_exports.kommunblad")
    rate_limit_max_clients: int = 10_000
    embed_frame_ancestors: str = "*"
    frameable_endpoints: tuple[str, ...] = ("maps.embed",)
    max_content_length: int = 64 * 1024
    max_query_bytes: int = 4096
    json_sort_keys: bool = False
    compress_mimetypes: tuple[str, ...] = (
        "text/html", "text/css", "text/csv", "application/json", "application/geo+json",
        "application/javascript", "text/javascript", "application/vnd.mapbox-vector-tile")

    def flask(self) -> dict[str, object]:
        """The settings as Flask config keys (upper case)."""
        return {key.upper(): value for key, value in asdict(self).items()}


def trusted_hosts(config: Mapping[str, object]) -> list[str]:
    """The host names to answer: ``TRUSTED_HOSTS``, else loopback plus ``PUBLIC_URL``'s host."""
    configured = list(config.get("TRUSTED_HOSTS") or ())
    if configured:
        return configured
    public = urlsplit(str(config.get("PUBLIC_URL") or "")).hostname
    return [*LOCAL_HOSTS, *([public] if public else [])]
