"""GTFS calendars on their boundary days: ``start_date`` and ``end_date`` are inclusive, and
calendar_dates removals and additions decide the day they name.

Expectations come from the raw ``calendar.txt`` / ``calendar_dates.txt`` read with ``csv``.
The real rail feeds have no weekly pattern (every ``calendar.txt`` row has all weekday flags
0, services run by calendar_dates additions only) and no removal, so weekly boundaries are
tested on the marked bus fixture and on small in-memory tables.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from data_sources import gtfs
from data_sources.errors import DataError
from layers import trafikdag

FIXTURE = Path(__file__).parents[1] / "fixtures" / "gtfs_buss_fixture.zip"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _raw(path: Path, table: str) -> list[dict[str, str]]:
    """Rows of one member table of a zipped or unpacked feed, as plain strings."""
    if path.is_dir():
        return list(csv.DictReader((path / f"{table}.txt").open(encoding="utf-8-sig")))
    with zipfile.ZipFile(path) as archive:
        text = archive.read(f"{table}.txt").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _day(stamp: str) -> date:
    return datetime.strptime(stamp, "%Y%m%d").date()


def _weekly_boundaries(path: Path) -> list[tuple[str, date, date]]:
    """(service, boundary day, the day beyond it) for every start/end date on a running
    weekday, from the raw calendar.txt."""
    out = []
    for row in _raw(path, "calendar"):
        for column, step in (("start_date", -1), ("end_date", 1)):
            day = _day(row[column])
            if row[DAYS[day.weekday()]] == "1":
                out.append((row["service_id"], day, day + timedelta(days=step)))
    return out


def test_a_weekly_service_runs_on_its_start_and_end_date_and_not_beyond():
    """Guards the inclusive calendar window (bug: ``start_date`` or ``end_date`` treated as
    exclusive — a service is lost on its first or last day)."""
    feed = gtfs.parse(FIXTURE)
    boundaries = _weekly_boundaries(FIXTURE)
    exceptions = {(r["service_id"], _day(r["date"])) for r in _raw(FIXTURE, "calendar_dates")}
    assert {(s, d.isoformat()) for s, d, _ in boundaries} >= {("WK", "2024-01-01"),
                                                            ("WK", "2024-12-31")}
    for service, day, beyond in boundaries:
        assert (service, day) not in exceptions and (service, beyond) not in exceptions
        assert service in trafikdag.active_services(feed, day), (service, day)
        assert service not in trafikdag.active_services(feed, beyond), (service, beyond)


def test_fixture_removal_and_addition_decide_their_day():
    """Guards calendar_dates on the analysed day: type 2 removes a weekly service, type 1
    adds one that has no calendar row (both from the raw fixture, on 2024-01-09)."""
    feed = gtfs.parse(FIXTURE)
    rows = _raw(FIXTURE, "calendar_dates")
    removed = {(r["service_id"], _day(r["date"])) for r in rows if r["exception_type"] == "2"}
    added = {(r["service_id"], _day(r["date"])) for r in rows if r["exception_type"] == "1"}
    assert removed == {("REM", date(2024, 1, 9))} and added == {("EXTRA", date(2024, 1, 9))}
    running = set(trafikdag.active_services(feed, date(2024, 1, 9)))
    assert running == {"WK", "EXTRA"}
    assert set(trafikdag.active_services(feed, date(2024, 1, 16))) == {"WK", "REM"}


def _calendar(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """A typed calendar from ``(service, weekday flags "1111100", start, end)`` rows."""
    frame = pd.DataFrame(
        [{"service_id": s, **{d: int(f) for d, f in zip(DAYS, flags, strict=True)},
          "start_date": start, "end_date": end} for s, flags, start, end in rows])
    for column in DAYS:
        frame[column] = frame[column].astype("int8")
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column], format="%Y%m%d")
    return frame


def _calendar_dates(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["service_id", "date", "exception_type"])
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    frame["exception_type"] = frame["exception_type"].astype("int8")
    return frame


@pytest.fixture(scope="module")
def small_feed() -> gtfs.Feed:
    """The fixture feed with a small calendar of boundary cases.

    ``JAN`` runs Monday–Friday 2024-01-01 (a Monday) … 2024-01-31 (a Wednesday) but is
    removed on its last day; ``ONE`` runs on one day only (start = end = Wednesday
    2024-01-10); ``SAT`` runs on Saturdays from 2024-01-06, its start; ``ADD`` has no
    calendar row and is added on 2024-02-01, the day after ``JAN`` ends.
    """
    return replace(
        gtfs.parse(FIXTURE),
        calendar=_calendar([("JAN", "1111100", "20240101", "20240131"),
                            ("ONE", "0010000", "20240110", "20240110"),
                            ("SAT", "0000010", "20240106", "20240127")]),
        calendar_dates=_calendar_dates([("JAN", "20240131", 2), ("ADD", "20240201", 1)]))


@pytest.mark.parametrize(("day", "running"), [
    (date(2023, 12, 29), set()),  # Friday before every window
    (date(2024, 1, 1), {"JAN"}),  # JAN's start date
    (date(2024, 1, 6), {"SAT"}),  # SAT's start date
    (date(2024, 1, 9), {"JAN"}),
    (date(2024, 1, 10), {"JAN", "ONE"}),  # ONE: start = end
    (date(2024, 1, 17), {"JAN"}),  # a Wednesday after ONE's one day
    (date(2024, 1, 27), {"SAT"}),  # SAT's end date
    (date(2024, 1, 30), {"JAN"}),
    (date(2024, 1, 31), set()),  # JAN's end date, removed by calendar_dates
    (date(2024, 2, 1), {"ADD"}),  # a Thursday after JAN's end: only the added service
    (date(2024, 2, 3), set()),  # the Saturday after SAT's end
])
def test_boundary_days_and_exceptions_of_a_small_calendar(small_feed, day, running):
    """Guards the inclusive window and the exceptions on the day (bug: start or end date
    exclusive, or a removal/addition on a boundary day ignored)."""
    assert set(trafikdag.active_services(small_feed, day)) == running
    assert trafikdag.activity(small_feed, [day]).iloc[:, 0].sum() == len(running)


def test_the_validity_window_includes_the_boundary_dates(small_feed):
    assert trafikdag.validity_window(small_feed) == (date(2024, 1, 1), date(2024, 2, 1))
    assert trafikdag.covers(small_feed, (date(2024, 1, 1), date(2024, 2, 1)))
    assert not trafikdag.covers(small_feed, (date(2024, 2, 2),))
    assert not trafikdag.covers(small_feed, (date(2023, 12, 31), date(2024, 1, 2)))


def test_common_day_prefers_more_feeds_running_to_more_services():
    """Guards the order of :func:`trafikdag.common_day`'s criteria (bugs: a feed with a single
    service on the day not counted as running, or services compared before feeds): Tuesday
    2024-01-02 has three services of one feed, Tuesday 2024-01-09 one service of each of two
    feeds; alone, the first feed's busiest Tuesday is 2024-01-02."""
    base = gtfs.parse(FIXTURE)
    no_dates = _calendar_dates([])
    one = replace(base, calendar_dates=no_dates, calendar=_calendar(
        [(f"X{n}", "0100000", "20240102", "20240102") for n in (1, 2, 3)]
        + [("X4", "0100000", "20240109", "20240109")]))
    other = replace(base, calendar_dates=no_dates,
                    calendar=_calendar([("Y1", "0100000", "20240109", "20240109")]))
    assert trafikdag.common_day([one, other], weekday=1) == date(2024, 1, 9)
    assert trafikdag.common_day([one], weekday=1) == date(2024, 1, 2)


def test_service_day_is_the_configured_date_or_the_busiest_weekday(small_feed):
    """Guards :func:`trafikdag.service_day`: a configured ISO date is the day as given, none
    configured is the busiest ``weekday`` (in ``small_feed``: every Thursday has JAN only,
    except 2024-02-01 with ADD only, so the earliest, 2024-01-04, wins the tie), and a date
    that is not ISO is a ``DataError`` naming the setting and the text."""
    assert trafikdag.service_day(small_feed, configured="2024-01-31", weekday=3) == date(
        2024, 1, 31)
    assert trafikdag.service_day(small_feed, configured=None, weekday=3) == date(2024, 1, 4)
    assert trafikdag.service_day(small_feed, configured=None, weekday=5) == date(2024, 1, 6)
    with pytest.raises(DataError, match=r"stomlinje\.service_date: .* got '31/1 2024'"):
        trafikdag.service_day(small_feed, configured="31/1 2024", weekday=3)


def test_a_months_weekdays_are_averaged_from_its_first_to_its_last_day():
    """Guards :func:`trafikdag.period_days`: November 2023 begins on a Wednesday, so its
    Tuesdays–Thursdays are 4 + 5 + 5 = 14 days, the 1st and the 30th included; February
    2024 (a leap year, the 1st a Thursday) has five Thursdays, the 29th the last; the span
    of the label runs from the first to the last weekday asked, in whatever order given."""
    november = trafikdag.period_days("2023-11", (3, 1, 2))
    assert len(november.days) == 14 and november.average
    assert november.days[0] == date(2023, 11, 1) and november.days[-1] == date(2023, 11, 30)
    assert list(november.days) == sorted(november.days)
    assert {d.weekday() for d in november.days} == {1, 2, 3}
    assert november.label_sv == "medel tis–tors 2023-11 (14 dagar)"
    assert november.label_en == "mean Tue–Thu 2023-11 (14 days)"
    february = trafikdag.period_days("2024-02", (3,))
    assert february.days == tuple(date(2024, 2, d) for d in (1, 8, 15, 22, 29))
    assert february.label_en == "mean Thu–Thu 2024-02 (5 days)"
    sundays = trafikdag.period_days("2023-12", (6, 0))
    assert sundays.label_sv == "medel mån–sön 2023-12 (9 dagar)"  # Dec 2023: 4 Mon + 5 Sun


@pytest.mark.parametrize(("month", "weekdays", "message"), [
    ("2023-13", (1,), r"^stomlinje\.average_month: expected a month like 2023-11, "
                      r"got '2023-13'$"),
    ("november", (1,), r"got 'november'$"),
    ("2023-11", (), r"^stomlinje\.average_weekdays: no such weekday in 2023-11 \(\(\)\)$"),
    ("2023-11", (7,), r"^stomlinje\.average_weekdays: no such weekday in 2023-11 \(\(7,\)\)$"),
])
def test_a_bad_month_or_no_weekday_in_it_is_refused_by_name(month, weekdays, message):
    with pytest.raises(DataError, match=message):
        trafikdag.period_days(month, weekdays)


def test_the_analysis_day_is_the_month_then_the_configured_date_then_the_common_day(
        small_feed):
    """Guards :func:`trafikdag.analysis_days`' order: a month given wins over a date; a
    date given is the day; neither gives the common day (in ``small_feed`` the busiest
    Thursday, 2024-01-04, see above). One day is not an average; its labels are its date."""
    month = trafikdag.analysis_days([small_feed], service_date="2024-01-31", weekday=3,
                                    average_month="2024-01", average_weekdays=(3,))
    assert month.days == tuple(date(2024, 1, d) for d in (4, 11, 18, 25))
    configured = trafikdag.analysis_days([small_feed], service_date="2024-01-31", weekday=3,
                                         average_month=None, average_weekdays=(3,))
    assert configured == trafikdag.Analysdag((date(2024, 1, 31),), "2024-01-31", "2024-01-31")
    assert not configured.average
    common = trafikdag.analysis_days([small_feed], service_date=None, weekday=3,
                                     average_month=None, average_weekdays=(3,))
    assert common == trafikdag.Analysdag((date(2024, 1, 4),), "2024-01-04", "2024-01-04")


def test_an_analysis_of_two_days_or_more_is_an_average_and_cannot_be_changed():
    """Guards :class:`trafikdag.Analysdag`: two days are already a mean (not only three or
    more), and the analysis a build records is immutable (frozen, so hashable)."""
    two = trafikdag.Analysdag((date(2024, 1, 2), date(2024, 1, 3)), "medel", "mean")
    assert two.average
    assert hash(two) == hash(trafikdag.Analysdag(two.days, "medel", "mean"))
    with pytest.raises(AttributeError):
        two.days = (date(2024, 1, 2),)
