"""Property tests of the GTFS calendar arithmetic (layers/trafikdag.py) against a brute-force
oracle (tests/gtfs_oracle.py): for any calendar.txt and calendar_dates.txt, a service runs
on a date iff the date is in [start_date, end_date] (both inclusive) with its weekday flag
set, plus the dates added (type 1), minus the dates removed (type 2).

Guards among others: a boundary date treated as exclusive, a removal ignored, an added date
outside the weekly pattern lost, a weekday flag read for the wrong day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_sources import gtfs
from data_sources.errors import DataError
from data_sources.gtfs import tables
from layers import trafikdag
from tests import gtfs_oracle

START = date(2024, 1, 1)
SPAN = 42  # days: six weeks, every weekday six times
SERVICES = ("A", "B", "C", "D")

days = st.integers(0, SPAN - 1).map(lambda n: START + timedelta(days=n))


@st.composite
def calendar_rows(draw) -> list[dict[str, str]]:
    """calendar.txt rows as text: one per service (as GTFS requires), any weekday flags."""
    rows = []
    for service in draw(st.lists(st.sampled_from(SERVICES), unique=True)):
        first, last = sorted([draw(days), draw(days)])
        flags = draw(st.lists(st.sampled_from("01"), min_size=7, max_size=7))
        rows.append({"service_id": service, **dict(zip(gtfs_oracle.WEEKDAY_COLUMNS, flags,
                                                       strict=True)),
                     "start_date": f"{first:%Y%m%d}", "end_date": f"{last:%Y%m%d}"})
    return rows


exception_rows = st.lists(
    st.tuples(st.sampled_from(SERVICES), days, st.sampled_from("12")),
    unique_by=lambda row: row[:2],  # one exception per service and date (GTFS)
).map(lambda rows: [{"service_id": s, "date": f"{d:%Y%m%d}", "exception_type": kind}
                    for s, d, kind in rows])


@pytest.fixture(scope="module")
def base_feed() -> gtfs.Feed:
    """A parsed feed (the marked GTFS fixture) whose calendar tables each example replaces."""
    return gtfs.parse(Path(__file__).parents[1] / "fixtures" / "gtfs_buss_fixture.zip")


def _feed(base: gtfs.Feed, calendar: list[dict[str, str]],
          dates: list[dict[str, str]]) -> gtfs.Feed:
    """``base`` with the two tables, typed by the reader from their raw text."""
    cal_columns = ["service_id", *gtfs_oracle.WEEKDAY_COLUMNS, "start_date", "end_date"]
    raw_cal = pd.DataFrame(calendar, columns=cal_columns, dtype=str)
    raw_dates = pd.DataFrame(dates, columns=["service_id", "date", "exception_type"], dtype=str)
    return replace(base, calendar=tables._calendar(raw_cal, "calendar.txt"),
                   calendar_dates=tables._calendar_dates(raw_dates, "calendar_dates.txt"))


@given(calendar=calendar_rows(), dates=exception_rows)
def test_activity_equals_the_day_by_day_rule(base_feed, calendar, dates) -> None:
    every_day = [START + timedelta(days=n) for n in range(-1, SPAN + 1)]  # and one beyond
    table = trafikdag.activity(_feed(base_feed, calendar, dates), every_day)
    services = {row["service_id"] for row in calendar} | {row["service_id"] for row in dates}
    assert set(table.index) == services
    for day, column in zip(every_day, table.columns, strict=True):
        ours = set(table.index[table[column].to_numpy()])
        expected = {s for s in services if gtfs_oracle.runs(calendar, dates, s, day)}
        assert ours == expected, day


@given(calendar=calendar_rows(), dates=exception_rows, weekday=st.integers(0, 6))
def test_representative_day_is_the_busiest_of_its_weekdays(base_feed, calendar, dates,
                                                            weekday) -> None:
    if not calendar and not dates:
        return  # no calendar at all: nothing to choose from
    feed = _feed(base_feed, calendar, dates)
    first, last = trafikdag.validity_window(feed)
    candidates = gtfs_oracle.days_between(first, last, weekday)
    if not candidates:
        with pytest.raises(DataError, match="no tuesday|no monday|no wednesday|no thursday|"
                                            "no friday|no saturday|no sunday"):
            trafikdag.representative_day(feed, weekday=weekday)
        return
    services = {row["service_id"] for row in calendar} | {row["service_id"] for row in dates}
    running = [sum(gtfs_oracle.runs(calendar, dates, s, d) for s in services)
               for d in candidates]
    assert trafikdag.representative_day(feed, weekday=weekday) == candidates[
        running.index(max(running))]  # earliest of the busiest


@given(calendar=calendar_rows(), dates=exception_rows)
def test_every_running_day_lies_in_the_validity_window(base_feed, calendar, dates) -> None:
    feed = _feed(base_feed, calendar, dates)
    running = [START + timedelta(days=n) for n in range(SPAN)
               if any(gtfs_oracle.runs(calendar, dates, row["service_id"],
                                       START + timedelta(days=n))
                      for row in [*calendar, *dates])]
    if not running:
        return
    first, last = trafikdag.validity_window(feed)
    assert first <= min(running) and max(running) <= last
    assert trafikdag.covers(feed, tuple(running))


def _window(calendar: list[dict[str, str]], dates: list[dict[str, str]]) -> tuple[str, str]:
    """First and last date (``YYYYMMDD``) any row names: ``validity_window`` counts every
    calendar_dates date, removals included."""
    starts = [row["start_date"] for row in calendar] + [row["date"] for row in dates]
    ends = [row["end_date"] for row in calendar] + [row["date"] for row in dates]
    return min(starts), max(ends)


@given(feeds=st.lists(st.tuples(calendar_rows(), exception_rows), min_size=1, max_size=3),
       weekday=st.integers(0, 6))
def test_common_day_runs_the_most_feeds_then_the_most_services(base_feed, feeds,
                                                               weekday) -> None:
    """Guards :func:`trafikdag.common_day` (bugs: the window of one feed only, or its first
    date taken from the wrong end; feeds or services counted wrongly; ties not to the
    earliest): the oracle counts, on every ``weekday`` in the union of the feeds' windows,
    the feeds that run at least one service and the services running."""
    feeds = [(calendar, dates) for calendar, dates in feeds if calendar or dates]
    if not feeds:
        return
    parsed = [_feed(base_feed, calendar, dates) for calendar, dates in feeds]
    windows = [_window(calendar, dates) for calendar, dates in feeds]
    first = datetime.strptime(min(w[0] for w in windows), "%Y%m%d").date()
    last = datetime.strptime(max(w[1] for w in windows), "%Y%m%d").date()
    candidates = gtfs_oracle.days_between(first, last, weekday)
    if not candidates:
        with pytest.raises(DataError, match="in any timetable"):
            trafikdag.common_day(parsed, weekday=weekday)
        return
    ranked = []
    for day in candidates:
        per_feed = [sum(gtfs_oracle.runs(calendar, dates, s, day) for s in
                        {r["service_id"] for r in calendar} | {r["service_id"] for r in dates})
                    for calendar, dates in feeds]
        ranked.append((sum(n > 0 for n in per_feed), sum(per_feed)))
    assert trafikdag.common_day(parsed, weekday=weekday) == candidates[ranked.index(max(ranked))]
