"""Brute-force answers from a raw GTFS folder, read with the standard library only.

The GTFS calendar rule, written out day by day (independent of :mod:`layers.trafikdag`):
a service runs on a date when ``calendar.txt`` has it with ``start_date <= date <= end_date``
(both inclusive) and the weekday's flag ``1``, or when ``calendar_dates.txt`` adds the date
(``exception_type`` 1) — unless ``calendar_dates.txt`` removes it (``exception_type`` 2).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.raw import csv_rows

WEEKDAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                   "sunday")


def raw_rows(folder: Path, table: str) -> list[dict[str, str]]:
    """The rows of ``table``.txt in ``folder`` (an absent file has none)."""
    return csv_rows(Path(folder) / f"{table}.txt")


def _ymd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def runs(calendar: list[dict[str, str]], calendar_dates: list[dict[str, str]],
         service_id: str, day: date) -> bool:
    """Whether ``service_id`` runs on ``day`` by the rule in the module docstring."""
    stamp = day.strftime("%Y%m%d")
    for row in calendar_dates:
        if row["service_id"] == service_id and row["date"] == stamp:
            return row["exception_type"] == "1"
    return any(row["service_id"] == service_id and row["start_date"] <= stamp <= row["end_date"]
               and row[WEEKDAY_COLUMNS[day.weekday()]] == "1" for row in calendar)


def running_services(folder: Path, day: date) -> set[str]:
    """Every service id of the raw feed in ``folder`` that runs on ``day``."""
    calendar, dates = raw_rows(folder, "calendar"), raw_rows(folder, "calendar_dates")
    ids = {row["service_id"] for row in calendar} | {row["service_id"] for row in dates}
    return {sid for sid in ids if runs(calendar, dates, sid, day)}


def validity_window(folder: Path) -> tuple[date, date]:
    """First and last date on which any service of the raw feed can run."""
    calendar, dates = raw_rows(folder, "calendar"), raw_rows(folder, "calendar_dates")
    starts = [row["start_date"] for row in calendar]
    ends = [row["end_date"] for row in calendar]
    added = [row["date"] for row in dates if row["exception_type"] == "1"]
    return _ymd(min(starts + added)), _ymd(max(ends + added))


def days_between(first: date, last: date, weekday: int) -> list[date]:
    """Every date with ``weekday`` (Monday = 0) from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() == weekday]
