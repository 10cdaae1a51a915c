"""Which services run on a date, and which date represents a normal weekday of a feed.

Pure functions over a :class:`data_sources.gtfs.Feed`: ``calendar.txt`` gives weekly
patterns within a validity window, ``calendar_dates.txt`` adds (type 1) and removes
(type 2) single dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from data_sources.errors import DataError
from data_sources.gtfs import WEEKDAYS, Feed


def validity_window(feed: Feed) -> tuple[date, date]:
    """Return the first and last date any service of ``feed`` can run."""
    starts = pd.concat([feed.calendar["start_date"], feed.calendar_dates["date"]])
    ends = pd.concat([feed.calendar["end_date"], feed.calendar_dates["date"]])
    return starts.min().date(), ends.max().date()


def activity(feed: Feed, days: list[date]) -> pd.DataFrame:
    """Return a boolean table ``service_id × day`` telling whether the service runs.

    A calendar service runs when the day lies in ``start_date..end_date`` and its weekday
    flag is 1, unless calendar_dates removes that date; calendar_dates type 1 adds services.
    """
    stamps = pd.DatetimeIndex([pd.Timestamp(d) for d in days])
    cal = feed.calendar
    services = pd.Index(pd.concat([cal["service_id"], feed.calendar_dates["service_id"]])
                        .dropna().unique())
    flags = cal[list(WEEKDAYS)].to_numpy()[:, stamps.day_of_week]
    in_range = ((cal["start_date"].to_numpy()[:, None] <= stamps.to_numpy()[None, :])
                & (cal["end_date"].to_numpy()[:, None] >= stamps.to_numpy()[None, :]))
    table = pd.DataFrame(False, index=services, columns=stamps)
    weekly = pd.DataFrame((flags == 1) & in_range, index=cal["service_id"], columns=stamps)
    weekly = weekly.groupby(level=0).any()
    table.loc[weekly.index] = weekly
    exceptions = feed.calendar_dates[feed.calendar_dates["date"].isin(stamps)]
    for kind, running in ((1, True), (2, False)):
        rows = exceptions[exceptions["exception_type"] == kind]
        rows_i = services.get_indexer(rows["service_id"])
        cols_i = stamps.get_indexer(rows["date"])
        values = table.to_numpy(copy=True)
        values[rows_i, cols_i] = running
        table = pd.DataFrame(values, index=services, columns=stamps)
    return table


def active_services(feed: Feed, day: date) -> pd.Index:
    """Return the ``service_id`` of every service running on ``day`` (see :func:`activity`)."""
    column = activity(feed, [day]).iloc[:, 0]
    return pd.Index(column.index[column.to_numpy()])


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
    counts = activity(feed, candidates).sum(axis=0).to_numpy()
    return candidates[int(counts.argmax())]


def service_day(feed: Feed, *, configured: str | None, weekday: int) -> date:
    """Return the configured ISO date, or the representative ``weekday`` of the feed."""
    if configured is None:
        return representative_day(feed, weekday=weekday)
    try:
        return date.fromisoformat(configured)
    except ValueError as exc:
        msg = f"stomlinje.service_date: expected an ISO date like 2023-10-17, got {configured!r}"
        raise DataError(msg) from exc


WEEKDAY_SV = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Analysdag:
    """The day(s) a build analyses: one service day, or the mean over several weekdays.

    ``label_sv`` / ``label_en`` say which, for the map and the provenance (e.g.
    ``"2023-11-07"`` or ``"medel tis–tors 2023-11 (13 dagar)"``).
    """

    days: tuple[date, ...]
    label_sv: str
    label_en: str

    @property
    def average(self) -> bool:
        """Whether counts are means over several days."""
        return len(self.days) > 1


def covers(feed: Feed, days: tuple[date, ...]) -> bool:
    """Return whether every one of ``days`` lies in ``feed``'s validity window."""
    first, last = validity_window(feed)
    return all(first <= d <= last for d in days)


def period_days(month: str, weekdays: tuple[int, ...]) -> Analysdag:
    """The ``weekdays`` (Monday = 0) of ``month`` (``"YYYY-MM"``) as one averaged analysis."""
    try:
        start = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        msg = f"stomlinje.average_month: expected a month like 2023-11, got {month!r}"
        raise DataError(msg) from exc
    days = tuple(d.date() for d in pd.date_range(start, start + pd.offsets.MonthEnd(0))
                 if d.weekday() in weekdays)
    if not days:
        msg = f"stomlinje.average_weekdays: no such weekday in {month} ({weekdays})"
        raise DataError(msg)
    span_sv = "–".join(WEEKDAY_SV[w] for w in (min(weekdays), max(weekdays)))
    span_en = "–".join(WEEKDAY_EN[w] for w in (min(weekdays), max(weekdays)))
    return Analysdag(days, f"medel {span_sv} {month} ({len(days)} dagar)",
                     f"mean {span_en} {month} ({len(days)} days)")


def common_day(feeds: list[Feed], *, weekday: int) -> date:
    """The ``weekday`` on which the most feeds run, then the most services (earliest on ties).

    Candidates are the dates with that weekday in any feed's validity window; with one feed
    this is :func:`representative_day`. Raises ``DataError`` when there is none.
    """
    windows = [validity_window(feed) for feed in feeds]
    first, last = min(w[0] for w in windows), max(w[1] for w in windows)
    candidates = [d.date() for d in pd.date_range(first, last) if d.weekday() == weekday]
    if not candidates:
        msg = f"no {WEEKDAYS[weekday]} between {first} and {last} in any timetable"
        raise DataError(msg)
    running = [activity(feed, candidates).sum(axis=0).to_numpy() for feed in feeds]
    feeds_on = sum((counts > 0).astype(int) for counts in running)
    services = sum(running)
    best = max(range(len(candidates)), key=lambda i: (feeds_on[i], services[i], -i))
    return candidates[best]


def analysis_days(feeds: list[Feed], *, service_date: str | None, weekday: int,
                  average_month: str | None, average_weekdays: tuple[int, ...]) -> Analysdag:
    """The day(s) to analyse: the month's mean day, the configured date or the common day.

    ``average_month`` wins over ``service_date``; without either, :func:`common_day` of
    ``feeds`` is the day.
    """
    if average_month is not None:
        return period_days(average_month, average_weekdays)
    if service_date is not None:
        day = service_day(feeds[0], configured=service_date, weekday=weekday)
    else:
        day = common_day(feeds, weekday=weekday)
    return Analysdag((day,), day.isoformat(), day.isoformat())
