"""Pure schedules of scheduled actions, as Application Auto Scaling writes them.

- `at(2026-12-07T10:00:00)`: once, at that local time of the action's timezone.
- `rate(5 minutes)`: every period (minute(s), hour(s), day(s)) from the StartTime, or from the
  action's creation when it has none.
- `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: the six fields of AWS cron, with `*`,
  `?`, lists, ranges and `/` steps, month names (JAN-DEC) and day names (SUN-SAT, 1 = SUN); one of
  Day-of-month and Day-of-week must be `?`. `L`, `W` and `#` are refused.

`next_fire(schedule, after, tz)` is the first firing time strictly after `after`; an action is
due when that time is not later than now and lies within [StartTime, EndTime]. Times are seconds
since the epoch; nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CRON_HORIZON_DAYS = 366 * 5  # a cron that matches no day in five years never fires
_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


@dataclass(frozen=True)
class At:
    when: dt.datetime  # naive: local time of the action's timezone


@dataclass(frozen=True)
class Rate:
    seconds: int


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None: `?`
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # 1 = Sunday; None: `?`
    years: frozenset[int] | None  # None: every year


Schedule = At | Rate | Cron


def timezone(name: str) -> ZoneInfo:
    """The IANA zone (`""` is UTC); ValueError naming it when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone name (for example Europe/Paris)") from None


def parse(text: str) -> Schedule:
    """The schedule of an expression; ValueError saying what is wrong."""
    m = re.fullmatch(r"\s*(at|rate|cron)\((.*)\)\s*", text)
    if not m:
        raise ValueError(f"{text!r} is not at(...), rate(...) or cron(...)")
    kind, body = m.group(1), m.group(2).strip()
    if kind == "at":
        try:
            return At(dt.datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            raise ValueError(f"at({body}): the time must be yyyy-mm-ddThh:mm:ss") from None
    if kind == "rate":
        r = re.fullmatch(r"(\d{1,9})\s+([a-z]+)", body)
        if not r or r.group(2) not in _UNITS or int(r.group(1)) < 1:
            raise ValueError(f"rate({body}): give a positive whole number and minute(s), hour(s) or day(s)")
        n, unit = int(r.group(1)), r.group(2)
        if (n == 1) != (not unit.endswith("s")):
            raise ValueError(f"rate({body}): say 1 {unit.rstrip('s')} or {n} {unit.rstrip('s')}s")
        return Rate(n * _UNITS[unit])
    return _cron(body)


def _cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise ValueError(
            f"cron({body}): give six fields (Minutes Hours Day-of-month Month Day-of-week Year), "
            f"not {len(fields)}"
        )
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ValueError(f"cron({body}): exactly one of Day-of-month and Day-of-week must be ?")
    return Cron(
        minutes=_field(minute, 0, 59, "Minutes"),
        hours=_field(hour, 0, 23, "Hours"),
        days_of_month=None if dom == "?" else _field(dom, 1, 31, "Day-of-month"),
        months=_field(month, 1, 12, "Month", _MONTHS),
        days_of_week=None if dow == "?" else _field(dow, 1, 7, "Day-of-week", _DAYS),
        years=None if year == "*" else _field(year, 1970, 2199, "Year"),
    )


def _value(text: str, lo: int, hi: int, name: str, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise ValueError(f"cron {name} field: {text!r} is not a number" + (" or a name" if names else ""))
    n = int(text)
    if not lo <= n <= hi:
        raise ValueError(f"cron {name} field: {n} is out of range {lo} to {hi}")
    return n


def _field(text: str, lo: int, hi: int, name: str, names: dict[str, int] | None = None) -> frozenset[int]:
    names = names or {}
    if any(c in text.upper() for c in "LW#") and text.upper() not in names and not _is_named(text, names):
        raise ValueError(f"cron {name} field: {text!r}: L, W and # are not supported")
    out: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) < 1:
                raise ValueError(f"cron {name} field: step {step_text!r} is not a positive number")
            step = int(step_text)
        if part in ("*", "?"):
            start, end = lo, hi
        elif "-" in part:
            a, _, b = part.partition("-")
            start, end = _value(a, lo, hi, name, names), _value(b, lo, hi, name, names)
            if start > end:
                raise ValueError(f"cron {name} field: range {part!r} runs backwards")
        else:
            start = _value(part, lo, hi, name, names)
            end = hi if step > 1 else start
        out.update(range(start, end + 1, step))
    return frozenset(out)


def _is_named(text: str, names: dict[str, int]) -> bool:
    tokens = re.split(r"[,\-/]", text.upper())
    return bool(names) and all(t in names or t.isdigit() or t == "*" for t in tokens)


def next_fire(schedule: Schedule, after: float, tz: ZoneInfo, anchor: float = 0.0) -> float | None:
    """The first time strictly after `after` the schedule fires (None: never again). `anchor` is
    where a rate counts from (the StartTime, else the creation time)."""
    if isinstance(schedule, At):
        t = schedule.when.replace(tzinfo=tz).timestamp()
        return t if t > after else None
    if isinstance(schedule, Rate):
        if after < anchor:
            return anchor + schedule.seconds
        k = int((after - anchor) // schedule.seconds) + 1
        return anchor + k * schedule.seconds
    return _next_cron(schedule, after, tz)


def _day_matches(c: Cron, day: dt.date) -> bool:
    if c.years is not None and day.year not in c.years:
        return False
    if day.month not in c.months:
        return False
    if c.days_of_month is not None:
        return day.day in c.days_of_month
    assert c.days_of_week is not None
    return (day.isoweekday() % 7) + 1 in c.days_of_week  # Sunday = 1


def _next_cron(c: Cron, after: float, tz: ZoneInfo) -> float | None:
    start = dt.datetime.fromtimestamp(after, tz)
    day = start.date()
    hours, minutes = sorted(c.hours), sorted(c.minutes)
    for _ in range(CRON_HORIZON_DAYS):
        if c.years is not None and day.year > max(c.years):
            return None
        if _day_matches(c, day):
            for h in hours:
                for m in minutes:
                    t = dt.datetime(day.year, day.month, day.day, h, m, tzinfo=tz).timestamp()
                    if t > after:
                        return t
        day += dt.timedelta(days=1)
    return None


def due(
    schedule: Schedule,
    *,
    since: float,
    now: float,
    tz: ZoneInfo,
    start_time: float = 0.0,
    end_time: float = 0.0,
    anchor: float = 0.0,
) -> float | None:
    """The firing time in (since, now] when the action is due now, else None. `since` is when it
    last took effect (or its creation); outside [start_time, end_time] (0: unbounded) it never is."""
    if end_time and now > end_time:
        return None
    fire = next_fire(schedule, max(since, start_time - 1e-6 if start_time else since), tz, anchor)
    if fire is None or fire > now:
        return None
    if start_time and fire < start_time:
        return None
    return fire
