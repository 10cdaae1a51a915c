"""Which services run on a date, and which date represents a normal weekday of a feed.

Pure functions over a :class:`data_sources.gtfs.Feed`: ``calendar.txt`` gives weekly
patterns within a validity window, ``calendar_dates.txt`` adds (type 1) and removes
(type 2) single dates.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from data_sources.errors import DataError
from data_sources.gtfs import WEEKDAYS, Feed


def validity_window(feed: Feed) -> tuple[date, date]:
    """Return the first and last date any service of ``feed`` can run."""
    starts = pd.concat([feed.calendar["start_date"], feed.calendar_dates["date"]])
    ends = pd.concat([feed.calendar["end_date"], feed.calendar_dates["date"]])
    return starts.min().date(), ends.max().date()


def active_services(feed: Feed, day: date) -> pd.Index:
    """Return the ``service_id`` of every service running on ``day``.

    A calendar service runs when ``day`` lies in ``start_date..end_date`` and its weekday
    flag is 1, unless calendar_dates removes that date; calendar_dates type 1 adds services.
    """
    stamp = pd.Timestamp(day)
    cal = feed.calendar
    weekly = cal.loc[(cal["start_date"] <= stamp) & (cal["end_date"] >= stamp)
                     & (cal[WEEKDAYS[stamp.weekday()]] == 1), "service_id"]
    exceptions = feed.calendar_dates[feed.calendar_dates["date"] == stamp]
    added = exceptions.loc[exceptions["exception_type"] == 1, "service_id"]
    removed = exceptions.loc[exceptions["exception_type"] == 2, "service_id"]
    running = pd.Index(pd.concat([weekly, added]).unique())
    return running.difference(pd.Index(removed.unique()))


def representative_day(feed: Feed, *, weekday: int) -> date:
    """Return the date with ``weekday`` (Monday = 0) that has the most active services.

    Searches the feed's validity window; ties go to the earliest date. Raises ``DataError``
    when no such weekday lies in the window.
    """
    first, last = validity_window(feed)
    candidates = [d.date() for d in pd.date_range(first, last) if d.weekday() == weekday]
    if not candidates:
        msg = f"{feed.path}: no {WEEKDAYS[weekday]} between {first} and {last}"
        raise DataError(msg)
    counts = [len(active_services(feed, d)) for d in candidates]
    return candidates[counts.index(max(counts))]


def service_day(feed: Feed, *, configured: str | None, weekday: int) -> date:
    """Return the configured ISO date, or the representative ``weekday`` of the feed."""
    if configured is None:
        return representative_day(feed, weekday=weekday)
    try:
        return date.fromisoformat(configured)
    except ValueError as exc:
        msg = f"stomlinje.service_date: expected an ISO date like 2023-10-17, got {configured!r}"
        raise DataError(msg) from exc
