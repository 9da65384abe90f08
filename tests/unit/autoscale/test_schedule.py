"""Schedules of scheduled actions: parsing (with errors that say what is wrong) and firing times."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.autoscale.schedule import Cron, Rate, due, next_fire, parse, timezone

UTC = timezone("")


def ts(text: str, tz: str = "UTC") -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=timezone(tz)).timestamp()


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("every 5 minutes", "is not at(...), rate(...) or cron(...)"),
        ("at(2026-13-01T00:00:00)", "yyyy-mm-ddThh:mm:ss"),
        ("rate(0 minutes)", "positive whole number"),
        ("rate(5 weeks)", "positive whole number"),
        ("rate(1 minutes)", "say 1 minute"),
        ("rate(5 minute)", "5 minutes"),
        ("cron(0 12 * * ?)", "six fields"),
        ("cron(0 12 * * * *)", "exactly one of Day-of-month and Day-of-week must be ?"),
        ("cron(0 25 * * ? *)", "Hours field: 25 is out of range 0 to 23"),
        ("cron(0 12 L * ? *)", "L, W and # are not supported"),
        ("cron(0 12 ? * 2#1 *)", "L, W and # are not supported"),
        ("cron(0 12 ? * FOO *)", "Day-of-week field: 'FOO' is not a number or a name"),
        ("cron(0/0 12 * * ? *)", "step '0' is not a positive number"),
        ("cron(0 12-10 * * ? *)", "runs backwards"),
    ],
)
def test_bad_schedules_say_what_is_wrong(expr: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        parse(expr)


def test_unknown_timezone() -> None:
    with pytest.raises(ValueError, match="not an IANA time zone"):
        timezone("Mars/Olympus")


def test_at_fires_once_in_its_timezone() -> None:
    s = parse("at(2026-12-07T10:00:00)")
    paris = timezone("Europe/Paris")
    t = next_fire(s, 0, paris)
    assert t == ts("2026-12-07T10:00:00", "Europe/Paris") == ts("2026-12-07T09:00:00")
    assert next_fire(s, t, paris) is None  # type: ignore[arg-type]


def test_rate_counts_from_its_anchor() -> None:
    s = parse("rate(5 minutes)")
    assert s == Rate(300)
    assert next_fire(s, 1000, UTC, anchor=1000) == 1300
    assert next_fire(s, 1299, UTC, anchor=1000) == 1300
    assert next_fire(s, 1300, UTC, anchor=1000) == 1600
    assert next_fire(s, 0, UTC, anchor=1000) == 1300
    assert parse("rate(1 day)") == Rate(86400)


@pytest.mark.parametrize(
    ("expr", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", "2026-12-07T11:00:00", "2026-12-07T12:00:00"),
        ("cron(0 12 * * ? *)", "2026-12-07T12:00:00", "2026-12-08T12:00:00"),
        ("cron(*/15 * * * ? *)", "2026-12-07T11:07:00", "2026-12-07T11:15:00"),
        ("cron(30 8 ? * MON-FRI *)", "2026-12-05T09:00:00", "2026-12-07T08:30:00"),  # Sat -> Mon
        ("cron(0 0 ? * 1 *)", "2026-12-07T00:00:00", "2026-12-13T00:00:00"),  # 1 = Sunday
        ("cron(0 0 1 JAN,JUL ? *)", "2026-12-07T00:00:00", "2027-01-01T00:00:00"),
        ("cron(0 0 29 2 ? *)", "2026-03-01T00:00:00", "2028-02-29T00:00:00"),
        ("cron(15 10 1 * ? 2027)", "2026-12-07T00:00:00", "2027-01-01T10:15:00"),
        ("cron(5,10 9-10 7 12 ? *)", "2026-12-07T09:07:00", "2026-12-07T09:10:00"),
    ],
)
def test_cron_next_fire(expr: str, after: str, expected: str) -> None:
    assert next_fire(parse(expr), ts(after), UTC) == ts(expected)


def test_cron_in_a_timezone_and_one_that_never_fires() -> None:
    s = parse("cron(0 9 * * ? *)")
    assert next_fire(s, ts("2026-06-01T00:00:00"), timezone("America/New_York")) == ts("2026-06-01T13:00:00")
    assert next_fire(parse("cron(0 0 31 2 ? *)"), 0, UTC) is None
    assert next_fire(parse("cron(0 0 1 1 ? 2020)"), ts("2026-01-01T00:00:00"), UTC) is None


def test_due_window() -> None:
    s = parse("rate(1 minute)")
    assert due(s, since=1000, now=1059, tz=UTC, anchor=1000) is None
    assert due(s, since=1000, now=1060, tz=UTC, anchor=1000) == 1060
    assert due(s, since=1060, now=1100, tz=UTC, anchor=1000) is None
    assert due(s, since=1000, now=5000, tz=UTC, anchor=1000, end_time=4000) is None  # over
    at = parse("at(1970-01-01T00:20:00)")
    assert due(at, since=0, now=1199, tz=UTC) is None
    assert due(at, since=0, now=1300, tz=UTC) == 1200
    assert due(at, since=1200, now=1300, tz=UTC) is None  # once
    assert due(at, since=0, now=1300, tz=UTC, start_time=1250) is None  # before its start


@settings(max_examples=200, deadline=None)
@given(
    minute=st.integers(0, 59),
    hour=st.integers(0, 23),
    after=st.floats(0, 4e9),
)
def test_cron_fires_at_its_minute_and_hour_strictly_later(minute: int, hour: int, after: float) -> None:
    s = parse(f"cron({minute} {hour} * * ? *)")
    assert isinstance(s, Cron)
    t = next_fire(s, after, UTC)
    assert t is not None and after < t <= after + 86400
    when = dt.datetime.fromtimestamp(t, UTC)
    assert (when.minute, when.hour, when.second) == (minute, hour, 0)
