"""statusgen.timeutil, table by table: every form a time or duration may be written in, every
refusal with its message, offsets and summer time, "now", and durations as shown. The expected
values are worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from statusgen.timeutil import format_duration, iso, parse_duration, parse_timestamp, resolve_now


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- parse_timestamp ------------------------------------------------------------------------------

ACCEPTED_TIMES = [
    ("2025-11-03T14:05:00Z", utc(2025, 11, 3, 14, 5)),
    ("2025-11-03T14:05:00+00:00", utc(2025, 11, 3, 14, 5)),
    ("2025-11-03T14:05:00-00:00", utc(2025, 11, 3, 14, 5)),
    ("2025-11-03T15:05:00+01:00", utc(2025, 11, 3, 14, 5)),
    ("2025-11-03T09:05:00-05:00", utc(2025, 11, 3, 14, 5)),
    ("2025-11-03T19:50:00+05:45", utc(2025, 11, 3, 14, 5)),  # Nepal: a quarter-hour offset
    ("2025-11-03T23:30:00-02:30", utc(2025, 11, 4, 2, 0)),  # the day after, in UTC
    ("2025-11-03T00:30:00+01:00", utc(2025, 11, 2, 23, 30)),  # the day before, in UTC
    ("2025-11-03T14:05Z", utc(2025, 11, 3, 14, 5)),  # without seconds
    ("2025-11-03 14:05:00Z", utc(2025, 11, 3, 14, 5)),  # a space for the T
    ("20251103T140500Z", utc(2025, 11, 3, 14, 5)),  # the basic format
    ("2025-11-03T14:05:00.999999Z", utc(2025, 11, 3, 14, 5)),  # to the second, cut, not rounded
    ("  2025-11-03T14:05:00Z\n", utc(2025, 11, 3, 14, 5)),
    # Summer time in Rome begins at 02:00 CET on 30 March 2025 (01:00Z) and ends at 03:00 CEST on
    # 26 October 2025 (01:00Z); the offset written says which of the two 02:30s is meant.
    ("2025-03-30T01:59:00+01:00", utc(2025, 3, 30, 0, 59)),
    ("2025-03-30T03:00:00+02:00", utc(2025, 3, 30, 1, 0)),
    ("2025-10-26T02:30:00+02:00", utc(2025, 10, 26, 0, 30)),
    ("2025-10-26T02:30:00+01:00", utc(2025, 10, 26, 1, 30)),
    ("1970-01-01T00:00:00Z", utc(1970, 1, 1)),
    ("1970-01-01T01:00:00+01:00", utc(1970, 1, 1)),
    ("2999-12-31T23:59:59Z", utc(2999, 12, 31, 23, 59, 59)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED_TIMES, ids=[t for t, _ in ACCEPTED_TIMES])
def test_a_time_with_an_offset_is_read_in_utc_to_the_second(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC and parsed.microsecond == 0


REFUSED_TIMES = [
    (20251103, "time must be text like 2025-11-03T14:05:00Z, not 20251103"),
    (None, "time must be text like 2025-11-03T14:05:00Z, not None"),
    (1.5, "time must be text like 2025-11-03T14:05:00Z, not 1.5"),
    ("", "unparsable time ''"),
    ("yesterday", "unparsable time 'yesterday'"),
    ("2025-11-03T14:05:00 UTC", "unparsable time '2025-11-03T14:05:00 UTC'"),
    ("2025-11-03T14:05:00 CET", "unparsable time '2025-11-03T14:05:00 CET'"),
    ("2025-13-03T14:05:00Z", "unparsable time '2025-13-03T14:05:00Z'"),
    ("2025-02-29T14:05:00Z", "unparsable time '2025-02-29T14:05:00Z'"),  # not a leap year
    ("2025-11-03T24:05:00Z", "unparsable time '2025-11-03T24:05:00Z'"),
    ("2025-11-03T14:05:00+24:00", "unparsable time '2025-11-03T14:05:00+24:00'"),
    ("03/11/2025 14:05", "unparsable time '03/11/2025 14:05'"),
    ("2025-11-03", "'2025-11-03' is a date, not a time"),
    ("20251103", "'20251103' is a date, not a time"),
    ("2025-11-03T14:05:00", "time '2025-11-03T14:05:00' has no UTC offset"),
    ("2025-11-03T14:05", "time '2025-11-03T14:05' has no UTC offset"),
    ("1969-12-31T23:59:59Z", "time '1969-12-31T23:59:59Z' is out of range (years 1970-2999)"),
    ("1970-01-01T00:30:00+01:00", "time '1970-01-01T00:30:00+01:00' is out of range (years 1970-2999)"),
    ("3000-01-01T00:00:00Z", "time '3000-01-01T00:00:00Z' is out of range (years 1970-2999)"),
    ("9999-12-31T23:00:00-02:00", "time '9999-12-31T23:00:00-02:00' is out of range"),  # past year 9999 in UTC
    ("0001-01-01T00:30:00+01:00", "time '0001-01-01T00:30:00+01:00' is out of range"),  # before year 1
]


@pytest.mark.parametrize(("value", "message"), REFUSED_TIMES, ids=[repr(v) for v, _ in REFUSED_TIMES])
def test_a_time_that_is_not_one_instant_is_refused_saying_why(value: object, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_timestamp(value)
    assert str(refused.value) == message


# --- parse_duration -------------------------------------------------------------------------------

ACCEPTED_DURATIONS = [
    ("30m", timedelta(minutes=30)),
    ("30min", timedelta(minutes=30)),
    ("90m", timedelta(hours=1, minutes=30)),
    ("1h", timedelta(hours=1)),
    ("2h30m", timedelta(hours=2, minutes=30)),
    ("2h 30m", timedelta(hours=2, minutes=30)),
    ("2h30min", timedelta(hours=2, minutes=30)),
    ("5d", timedelta(days=5)),
    ("1d2h3m", timedelta(days=1, hours=2, minutes=3)),
    ("1d 2h 3min", timedelta(days=1, hours=2, minutes=3)),
    ("0d1h", timedelta(hours=1)),
    ("48h", timedelta(days=2)),
    (" 45m ", timedelta(minutes=45)),
    ("3650d", timedelta(days=3650)),  # ten years, the longest
    ("87600h", timedelta(days=3650)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED_DURATIONS, ids=[t for t, _ in ACCEPTED_DURATIONS])
def test_a_duration_is_days_hours_and_minutes(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


REFUSED_DURATIONS = [
    ("", "unparsable duration ''"),
    ("   ", "unparsable duration '   '"),
    ("m", "unparsable duration 'm'"),
    ("30", "unparsable duration '30'"),
    ("30s", "unparsable duration '30s'"),
    ("1.5h", "unparsable duration '1.5h'"),
    ("-1h", "unparsable duration '-1h'"),
    ("1 h", "unparsable duration '1 h'"),
    ("30M", "unparsable duration '30M'"),
    ("1h2d", "unparsable duration '1h2d'"),  # largest unit first
    ("1w", "unparsable duration '1w'"),
    ("0m", "duration '0m' is zero"),
    ("0d0h0m", "duration '0d0h0m' is zero"),
    ("3651d", "duration '3651d' is longer than ten years"),
    ("3650d1m", "duration '3650d1m' is longer than ten years"),
    ("99999999999999999999d", "duration '99999999999999999999d' is longer than ten years"),  # past timedelta's range
]


@pytest.mark.parametrize(("text", "message"), REFUSED_DURATIONS, ids=[repr(t) for t, _ in REFUSED_DURATIONS])
def test_a_duration_that_is_not_one_is_refused_saying_why(text: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_duration(text)
    assert str(refused.value) == message


# --- format_duration ------------------------------------------------------------------------------

SHOWN_DURATIONS = [
    (timedelta(0), "under a minute"),
    (timedelta(seconds=29), "under a minute"),
    (timedelta(seconds=30), "1 min"),  # half a minute and more shows as a minute
    (timedelta(seconds=59), "1 min"),
    (timedelta(minutes=1), "1 min"),
    (timedelta(seconds=119), "1 min"),  # whole minutes, cut
    (timedelta(minutes=45), "45 min"),
    (timedelta(minutes=59, seconds=59), "59 min"),
    (timedelta(hours=1), "1 h"),
    (timedelta(hours=2, minutes=5), "2 h 5 min"),
    (timedelta(hours=23, minutes=59), "23 h 59 min"),
    (timedelta(days=1), "1 d"),
    (timedelta(days=1, minutes=59), "1 d"),  # minutes are not shown beside days
    (timedelta(days=3, hours=4, minutes=30), "3 d 4 h"),
    (timedelta(days=400), "400 d"),
]


@pytest.mark.parametrize(("delta", "shown"), SHOWN_DURATIONS, ids=[s + f" ({d})" for d, s in SHOWN_DURATIONS])
def test_a_duration_is_shown_in_its_two_largest_units(delta: timedelta, shown: str) -> None:
    assert format_duration(delta) == shown


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("2025-10-26T00:00:00+02:00", "2025-10-27T00:00:00+01:00", "1 d 1 h"),  # Rome's day of 25 hours
        ("2025-03-30T00:00:00+01:00", "2025-03-31T00:00:00+02:00", "23 h"),  # and of 23
        ("2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00", "1 h"),  # the same clock time, an hour apart
        ("2025-11-03T14:05:00Z", "2025-11-03T15:20:00+01:00", "15 min"),
    ],
    ids=["autumn day", "spring day", "the hour that repeats", "offsets differ"],
)
def test_a_duration_between_times_counts_real_time_across_offsets(start: str, end: str, shown: str) -> None:
    assert format_duration(parse_timestamp(end) - parse_timestamp(start)) == shown


# --- resolve_now and iso ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        ("2025-11-03T15:05:00+01:00", {}, utc(2025, 11, 3, 14, 5)),
        ("@1700000000", {}, utc(2023, 11, 14, 22, 13, 20)),
        ("1700000000", {}, utc(2023, 11, 14, 22, 13, 20)),
        ("@0", {}, utc(1970, 1, 1)),
        (None, {"SOURCE_DATE_EPOCH": "1700000000"}, utc(2023, 11, 14, 22, 13, 20)),
        (None, {"SOURCE_DATE_EPOCH": " 86400 "}, utc(1970, 1, 2)),
        ("@0", {"SOURCE_DATE_EPOCH": "1700000000"}, utc(1970, 1, 1)),  # --now wins
        ("", {"SOURCE_DATE_EPOCH": "86400"}, utc(1970, 1, 2)),  # an empty --now is none
    ],
    ids=[
        "a time",
        "epoch with @",
        "epoch",
        "epoch 0",
        "SOURCE_DATE_EPOCH",
        "spaces around it",
        "--now first",
        "empty --now",
    ],
)
def test_now_comes_from_the_option_then_source_date_epoch(
    option: str | None, environ: dict[str, str], expected: datetime
) -> None:
    assert resolve_now(option, environ) == expected


@pytest.mark.parametrize(
    ("option", "environ", "message"),
    [
        ("@99999999999999999999", {}, "99999999999999999999 seconds since 1970 is out of range"),
        ("32503680000", {}, "time '32503680000' is out of range (years 1970-2999)"),  # 3000-01-01
        ("yesterday", {}, "unparsable time 'yesterday'"),
        ("2025-11-03T14:05:00", {}, "time '2025-11-03T14:05:00' has no UTC offset"),
        (
            None,
            {"SOURCE_DATE_EPOCH": "yesterday"},
            "SOURCE_DATE_EPOCH must be whole seconds since 1970, not 'yesterday'",
        ),
        (None, {"SOURCE_DATE_EPOCH": "-1"}, "SOURCE_DATE_EPOCH must be whole seconds since 1970, not '-1'"),
        (None, {"SOURCE_DATE_EPOCH": "1.5"}, "SOURCE_DATE_EPOCH must be whole seconds since 1970, not '1.5'"),
    ],
    ids=["epoch too large", "epoch past 2999", "words", "naive", "words in the variable", "negative", "fraction"],
)
def test_a_now_that_is_no_instant_is_refused_saying_why(
    option: str | None, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError) as refused:
        resolve_now(option, environ)
    assert str(refused.value) == message


def test_without_option_or_variable_now_is_the_clock_to_the_second() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    now = resolve_now(None, {})
    assert before <= now <= datetime.now(UTC)
    assert now.tzinfo is UTC and now.microsecond == 0


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (utc(2025, 11, 3, 14, 5), "2025-11-03T14:05:00Z"),
        (datetime(2025, 11, 3, 14, 5, 9, 999_999, tzinfo=UTC), "2025-11-03T14:05:09Z"),
        (datetime(2025, 11, 3, 15, 5, tzinfo=timezone(timedelta(hours=1))), "2025-11-03T15:05:00+01:00"),
        (datetime(2025, 11, 3, 8, 20, tzinfo=timezone(timedelta(hours=-5, minutes=-45))), "2025-11-03T08:20:00-05:45"),
    ],
)
def test_iso_writes_z_for_utc_and_whole_seconds(moment: datetime, text: str) -> None:
    assert iso(moment) == text
