"""School units from Skolverket's Skolenhetsregistret open API v2 (``strukturbild fetch``).

``fetch --source skolverket`` asks the API for the active school units of the region's
kommuner (``GET /school-units?municipality_code=…&status=AKTIV``), then each unit's details
(``GET /school-units/{code}``: name, kommun, school forms, visiting address with WGS84
coordinates), and writes :data:`FILE`: one row per unit and school form in the columns of
the register export that :mod:`data_sources.skolor` reads, with ``e_sweref99tm`` /
``n_sweref99tm`` from the API's coordinates and the API's ``extract_date``. A unit whose
visiting address has no coordinates keeps empty ones: it is counted, never placed.

The response shapes read here are the ones seen in public clients of the API (cited in
``tests/fixtures/skolverket/README.md``); a field they do not confirm is not read, and a
field they do confirm that is missing or unreadable is a :class:`FetchError` naming it —
the previous file stays.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
from pyproj import Transformer

from data_sources._http import DownloadSettings, download_json
from data_sources._register import fallback_kommuner, known_lanskoder
from data_sources.atomic import write_bytes
from data_sources.base import SourceFile, SourceMeta, record_fetch
from data_sources.errors import FetchError

API = "https://api.skolverket.se/skolenhetsregistret/v2"
URL_ENV = "STRUKTURBILD_SKOLVERKET_URL"
FILE = SourceFile(
    path="skolverket/skolenheter_v2.csv",
    url=f"{API}/school-units",
    how_to_get="strukturbild fetch --source skolverket",
)
# API school-form codes -> the register export's SKOLFORM names (read by skolor/service).
SKOLFORM = {
    "GR": "Grundskola",
    "GRAN": "Grundsärskola",  # anpassad grundskola, named grundsärskola in the 2020 export
    "GY": "Gymnasieskola",
    "GYAN": "Gymnasiesärskola",
    "VUX": "Komm. vuxenutb.",
}
HUVUDMANNATYP = {"KOMMUN": "Kommunal", "ENSKILD": "Enskild"}
COLUMNS = ["SKOLFORM", "HUVUDMANNATYP", "KOMMUN", "SKOLENHETSKOD", "NAMN", "BESÖKSADRESS",
           "BESÖKSPOSTORT", "lat_wgs84", "lon_wgs84", "e_sweref99tm", "n_sweref99tm",
           "extract_date"]
_TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def api_url() -> str:
    """The API root: ``$STRUKTURBILD_SKOLVERKET_URL`` (a mirror, a test server) or Skolverket's."""
    return os.environ.get(URL_ENV, API).rstrip("/")


def _field(obj: object, path: str, url: str, kind: type | tuple[type, ...]) -> object:
    """``obj[a][b]…`` for ``path`` ``"a.b"``; missing or of another type is a named FetchError."""
    value = obj
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            msg = f"{url}: Skolenhetsregistret answer lacks {path!r}"
            raise FetchError(msg)
        value = value[key]
    if not isinstance(value, kind):
        msg = f"{url}: Skolenhetsregistret field {path!r} is {type(value).__name__}, unexpected"
        raise FetchError(msg)
    return value


def parse_list(payload: dict, url: str) -> tuple[str, list[str]]:
    """The extract date (ISO day) and the school-unit codes of a ``/school-units`` answer."""
    extract = str(_field(payload, "meta.extractDate", url, str))[:10]
    units = _field(payload, "data.attributes", url, list)
    codes = [str(_field(unit, "schoolUnitCode", url, str)) for unit in units]
    return extract, codes


def _coordinates(address: dict, url: str) -> tuple[float, float] | None:
    """WGS84 (lon, lat) of an address's ``geoCoordinates``; None when it has none."""
    geo = address.get("geoCoordinates")
    if not geo or not (geo.get("latitude") or geo.get("longitude")):
        return None
    try:
        return float(geo["longitude"]), float(geo["latitude"])
    except (KeyError, TypeError, ValueError):
        msg = f"{url}: unreadable geoCoordinates {geo!r} (expected latitude and longitude)"
        raise FetchError(msg) from None


def parse_unit(payload: dict, url: str, extract: str) -> list[dict]:
    """Register rows (one per mapped school form) of a ``/school-units/{code}`` answer."""
    code = _field(payload, "data.schoolUnitCode", url, str)
    attributes = _field(payload, "data.attributes", url, dict)
    name = _field(attributes, "displayName", url, str)
    kommun = _field(attributes, "municipalityCode", url, str)
    forms = _field(attributes, "schoolTypes", url, list)
    addresses = _field(attributes, "addresses", url, list)
    organizer = _field(payload, "included.attributes.organizerType", url, str)
    visit = next((a for a in addresses if isinstance(a, dict) and a.get("type") == "BESOKSADRESS"),
                 {})
    point = _coordinates(visit, url)
    east, north = _TO_SWEREF.transform(*point) if point else (None, None)
    return [{
        "SKOLFORM": SKOLFORM[form], "HUVUDMANNATYP": HUVUDMANNATYP.get(organizer, organizer),
        "KOMMUN": kommun, "SKOLENHETSKOD": code, "NAMN": name,
        "BESÖKSADRESS": visit.get("streetAddress"), "BESÖKSPOSTORT": visit.get("locality"),
        "lat_wgs84": point[1] if point else None, "lon_wgs84": point[0] if point else None,
        "e_sweref99tm": round(east, 1) if point else None,
        "n_sweref99tm": round(north, 1) if point else None, "extract_date": extract,
    } for form in forms if form in SKOLFORM]


def fetch_units(data_dir: Path, settings: DownloadSettings | None = None, *,
                lanskod: str) -> list[str]:
    """Download the active school units of län ``lanskod``'s kommuner into :data:`FILE`.

    Every answer is read before anything is written: a failed or malformed answer raises
    :class:`FetchError` and the previous file stays. Returns one report line (units, rows,
    how many without coordinates, extract date, sha256).
    """
    if lanskod not in known_lanskoder():
        msg = f"län {lanskod!r}: not a länskod; expected one of {sorted(known_lanskoder())}"
        raise FetchError(msg)
    kommuner = fallback_kommuner().query("lanskod == @lanskod")["kommunkod"].tolist()
    root = api_url()
    query = urlencode([("municipality_code", k) for k in kommuner] + [("status", "AKTIV")])
    list_url = f"{root}/school-units?{query}"
    extract, codes = parse_list(download_json(list_url, settings), list_url)
    rows = []
    for code in codes:
        url = f"{root}/school-units/{code}"
        rows += parse_unit(download_json(url, settings), url, extract)
    table = pd.DataFrame(rows, columns=COLUMNS)
    digest = write_bytes(Path(data_dir) / FILE.path, table.to_csv(index=False).encode("utf-8"))
    record_fetch(Path(data_dir), SourceFile(path=FILE.path, url=list_url), digest)
    unplaced = table.drop_duplicates("SKOLENHETSKOD")["e_sweref99tm"].isna().sum()
    return [f"skolverket: {FILE.path} ({len(codes)} skolenheter, {len(table)} rader, "
            f"{unplaced} utan koordinater; uttag {extract}) sha256={digest}"]


def extract_date(data_dir: Path) -> str | None:
    """The API extract date written in :data:`FILE` (None when the file has no rows)."""
    dates = pd.read_csv(Path(data_dir) / FILE.path, usecols=["extract_date"],
                        dtype="string")["extract_date"].dropna()
    return str(dates.iloc[0]) if len(dates) else None


META = SourceMeta(
    name="skolverket",
    title="Skolenhetsregistret (öppet API v2)",
    publisher="Skolverket",
    licence="CC0 1.0",
    reference_year="the API's extract date",
    native_crs="EPSG:4326",
    landing_page="https://www.skolverket.se/skolutveckling/skolenhetsregistret",
    files=(FILE,),
    caveats=("Active units only; a unit whose visiting address has no coordinates is counted, "
             "not placed.",),
    fetcher=fetch_units,
    year_of=extract_date,
)
