"""maintenance.ics, read back with the iCalendar library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar

from conftest import DEMO_NOW, Repo
from factories import MAINT_FILE
from statusgen.render import calendar


def events(repo_site: Path) -> list[icalendar.Component]:
    raw = (repo_site / "maintenance.ics").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    return list(icalendar.Calendar.from_ical(raw).walk("VEVENT"))


def test_one_event_per_maintenance_window(repo: Repo) -> None:
    repo.incident(
        "2025-11-01-m1.md",
        MAINT_FILE.format(n=1, start="2025-11-06T02:00:00+01:00", end="2025-11-06T04:00:00+01:00", extra=""),
    )
    repo.incident(
        "2025-11-01-m3.md",
        MAINT_FILE.format(
            n=3,
            start="2025-11-07T02:00:00Z",
            end="2025-11-07T04:00:00Z",
            extra="  - at: 2025-11-02T09:00:00Z\n    status: cancelled\n    message: Not needed after all.\n",
        ),
    )
    assert repo.build("2025-11-05T00:00:00Z") == 0
    found = events(repo.site)
    assert [str(e["uid"]) for e in found] == ["2025-11-01-m1@status.example.com", "2025-11-01-m3@status.example.com"]
    first, cancelled = found
    assert first.decoded("dtstart") == datetime(2025, 11, 6, 1, 0, tzinfo=UTC)
    assert first.decoded("dtend") == datetime(2025, 11, 6, 3, 0, tzinfo=UTC)
    assert first["dtstart"].to_ical() == b"20251106T010000Z"
    assert str(first["status"]) == "CONFIRMED" and first["sequence"] == 0
    assert first.decoded("dtstamp") == datetime(2025, 11, 1, 9, 0, tzinfo=UTC)
    assert str(first["summary"]) == "Maintenance: Upgrade 1"
    assert str(first["url"]) == "https://status.example.com/incidents/2025-11-01-m1/"
    assert str(cancelled["status"]) == "CANCELLED" and cancelled["sequence"] == 1
    assert "Not needed after all." in str(cancelled["description"])
    assert "Status:" not in str(first["description"])  # nothing that changes by the clock alone


def test_sequence_bumps_when_the_maintenance_changes(repo: Repo) -> None:
    path = repo.incident(
        "2025-11-01-m1.md", MAINT_FILE.format(n=1, start="2025-11-06T02:00:00Z", end="2025-11-06T04:00:00Z", extra="")
    )
    assert repo.build("2025-11-10T00:00:00Z") == 0
    assert events(repo.site)[0]["sequence"] == 0
    path.write_text(
        path.read_text()
        .replace("---\n", "", 1)
        .replace(
            "message: Upgrade.\n",
            "message: Upgrade.\n  - at: 2025-11-03T09:00:00Z\n    status: scheduled\n    message: Moved by a day.\n",
        )
        .replace("2025-11-06T", "2025-11-07T")
        .join(["---\n", ""])
    )
    assert repo.build("2025-11-10T00:00:00Z") == 0
    event = events(repo.site)[0]
    assert event["sequence"] == 1
    assert event.decoded("dtstart") == datetime(2025, 11, 7, 2, 0, tzinfo=UTC)


def test_demo_calendar(tmp_path: Path, demo: Repo) -> None:
    out = tmp_path / "site"
    assert demo.build(DEMO_NOW, "--out", str(out)) == 0
    maintenance = [p for p in (demo.root / "incidents").iterdir() if "kind: maintenance" in p.read_text()]
    found = events(out)
    # Of the demo's four windows, September 2025's ended over a year before the demo's now.
    assert len(maintenance) == 4 and len(found) == 3
    assert sorted(str(e["status"]) for e in found) == ["CANCELLED", "CONFIRMED", "CONFIRMED"]
    assert len({str(e["uid"]) for e in found}) == 3
    assert 'href="webcal://status.example.com/maintenance.ics"' in (out / "subscribe/index.html").read_text()
    assert 'href="subscribe/#calendar"' in (out / "index.html").read_text()


def test_the_calendar_is_icalendars_own_serialization_byte_for_byte() -> None:
    """Lines around the 75 bytes a line may hold, with characters of several bytes and escapes
    where a fold would fall, come out as icalendar folds them."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//EN")
    for size in range(60, 90):
        for text in (
            "x" * size,
            "é" * (size // 2),
            "x" * (size - 3) + "€€",
            "x" * (size - 2) + "\\,;",
            "a," * (size // 2),
            "x" * (size - 1) + "\n" + "y" * size,
        ):
            event = icalendar.Event()
            event.add("summary", text)
            event.add("description", text)
            cal.add_component(event)
    assert calendar.serialized(cal) == cal.to_ical()


def test_the_calendar_says_how_often_to_look_again(repo: Repo) -> None:
    assert repo.build() == 0
    data = (repo.site / "maintenance.ics").read_bytes()
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in data
    parsed = icalendar.Calendar.from_ical(data)
    refresh = parsed["refresh-interval"]
    assert isinstance(refresh, icalendar.vDDDTypes) and refresh.dt == timedelta(hours=1)


# Windows around the cut a year before 2025-11-10T12:00Z, the build's "now" below.
WINDOWS = {
    "2024-10-01-old": ("2024-10-01T02:00:00Z", "2024-10-01T04:00:00Z"),  # ended 13 months before
    "2024-11-10-at-cut": ("2024-11-10T10:00:00Z", "2024-11-10T12:00:00Z"),  # ended the instant of the cut
    "2024-11-10-after-cut": ("2024-11-10T11:00:00Z", "2024-11-10T12:30:00Z"),  # ended 30 minutes after it
    "2025-06-01-recent": ("2025-06-01T02:00:00Z", "2025-06-01T04:00:00Z"),
    "2025-11-10-running": ("2025-11-10T11:00:00Z", "2025-11-10T13:00:00Z"),
    "2025-12-01-upcoming": ("2025-12-01T02:00:00Z", "2025-12-01T04:00:00Z"),
}


def write_windows(repo: Repo) -> None:
    for n, (name, (start, end)) in enumerate(WINDOWS.items()):
        repo.incident(f"{name}.md", MAINT_FILE.format(n=n, start=start, end=end, extra=""))


def uids(site: Path) -> list[str]:
    return [str(e["uid"]).split("@")[0] for e in events(site)]


def test_the_calendar_keeps_what_is_to_come_and_the_last_twelve_months(repo: Repo) -> None:
    write_windows(repo)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    assert uids(repo.site) == ["2024-11-10-after-cut", "2025-06-01-recent", "2025-11-10-running", "2025-12-01-upcoming"]
    # The pages still show every maintenance; only the calendar is cut.
    assert (repo.site / "incidents/2024-10-01-old/index.html").is_file()


def test_a_window_leaves_the_calendar_when_it_leaves_the_year_even_from_the_cache(repo: Repo) -> None:
    write_windows(repo)
    assert repo.build("2025-11-10T12:00:00Z") == 0
    assert "2024-11-10-after-cut" in uids(repo.site)
    # Nothing changed in the repository: only the clock, 45 minutes on.
    assert repo.build("2025-11-10T12:45:00Z") == 0
    assert uids(repo.site) == ["2025-06-01-recent", "2025-11-10-running", "2025-12-01-upcoming"]
    # And back, from the same cache: the calendar is the one a fresh build makes.
    assert repo.build("2025-11-10T12:00:00Z") == 0
    assert len(uids(repo.site)) == 4
