"""The direct serialiser (vaultkit/render/ics_direct.py) writes exactly icalendar's bytes.

icalendar is the reference: every event is serialised both ways, by `ics._event_bytes` (which
builds icalendar components) and by `ics_direct.event`, and the bytes must be equal. The
fuzzing aims at what either could get wrong: TEXT escaping, folding at 75 octets around
multibyte characters and escapes, byte order marks, parameters, zones and durations.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import REPO, SAMPLE_VAULT, TODAY
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from icalendar.parser import Parameters

from vaultkit.commands.build import site_data
from vaultkit.pipeline import evaluate
from vaultkit.render import ics, ics_direct
from vaultkit.vault.config import load_config

# Characters that each test something: escapes (`\N` is one for icalendar), a parameter's
# RFC 6868 escape (`^`), line ends, 2-, 3- and 4-byte UTF-8, combining marks, a ZWJ emoji
# sequence, a byte order mark (dropped at a value's start), controls and Unicode line breaks.
TRICKY = [
    ",",
    ";",
    ":",
    "\\",
    "\\N",
    "\\n",
    "^",
    '"',
    "'",
    "’",
    "\n",
    "\r",
    "\r\n",
    "é",
    "ß",
    "€",
    "漢字",
    "한",
    "😀",
    "👩\u200d👩\u200d👧",
    "e\u0301",
    "\u0301",
    "\u20dd",
    "\ufeff",
    "\x00",
    "\x07",
    "\t",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\U0010ffff",
]
# Any code point but lone surrogates, which neither can encode.
CHARS = st.characters(exclude_categories=("Cs",))
PIECE = st.one_of(
    st.sampled_from(TRICKY),
    st.text(CHARS, max_size=12),
    # A run of ASCII puts the next multibyte character or escape at every offset of a fold.
    st.integers(0, 150).map(lambda n: "a" * n),
)
TEXT = st.lists(PIECE, max_size=12).map("".join)
LONG_TEXT = st.one_of(
    TEXT,
    st.tuples(TEXT, st.integers(1, 120)).map(lambda t: t[0] * t[1]),  # very long values
)
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/Argentina/Buenos_Aires",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Africa/Abidjan",
    "Etc/GMT+5",
    "Etc/UCT",  # equivalent to UTC in icalendar's table: written with a `Z`
    "UTC",
]
ZONE = st.sampled_from([UTC, *map(ZoneInfo, ZONES)])
DATETIME = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONE
)
WHEN = st.one_of(st.dates(), DATETIME)
FIELDS = st.tuples(
    st.booleans(),  # todo
    LONG_TEXT,  # uid
    WHEN,  # start
    WHEN,  # end
    LONG_TEXT,  # summary
    st.none() | LONG_TEXT,  # description
    st.none() | st.just("") | TEXT.filter(lambda u: "\r" not in u and "\n" not in u),  # url
    st.none() | st.integers(0, 9),  # priority
    st.none() | st.lists(LONG_TEXT, max_size=5).map(tuple),  # categories
    st.none() | st.integers(-(10**9), 10**9),  # alarm minutes
)


def _icalendar(fields: tuple) -> bytes:
    return ics._event_bytes(fields)


def _feed_like(
    start: date | datetime, summary: str, *, todo: bool = False, alarm: int | None = None
) -> tuple:
    end = start + (timedelta(minutes=30) if isinstance(start, datetime) else timedelta(days=1))
    return (todo, "uid-1@vaultkit", start, end, summary, "A\nB", "obsidian://x", 5, ("r",), alarm)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FIELDS)
@example(_feed_like(date(2026, 12, 3), "a" * 73 + "\\,"))  # an escape at the fold
@example(_feed_like(date(2026, 12, 3), "a" * 64 + "é" * 10))  # a 2-byte char across it
@example(_feed_like(date(2026, 12, 3), "\ufeffBOM", todo=True, alarm=0))
@example(_feed_like(datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Etc/UCT")), "x", alarm=1501))
def test_direct_bytes_are_icalendars(fields):
    direct = ics_direct.event(*fields)
    assert direct is not None  # every fuzzed event is one the direct path takes
    assert direct == _icalendar(fields)


@settings(max_examples=300, deadline=None)
@given(st.text(CHARS, max_size=400), st.sampled_from(["", "\\", "^", "é", "😀", "\\\\"]))
def test_folding_matches_at_every_boundary(text, tail):
    for pad in range(0, 80, 7):
        summary = "a" * pad + text + tail
        fields = _feed_like(date(2026, 1, 1), summary)
        assert ics_direct.event(*fields) == _icalendar(fields)


@settings(max_examples=500, deadline=None)
@given(TEXT.filter(lambda v: v != "UTC"))
def test_parameter_values_are_icalendars(value):
    # A zone's TZID is the only parameter value that varies; zone keys need no quoting or
    # RFC 6868 escapes, so the quoting is proved here on any text.
    expected = Parameters({"TZID": value}).to_ical().decode()
    assert "TZID=" + ics_direct._param(value) == expected


@pytest.mark.parametrize(
    "change",
    [
        {2: datetime(2026, 12, 3, 9, 0)},  # naive
        {2: datetime(2026, 12, 3, 9, 0, tzinfo=timezone(timedelta(hours=2)))},  # fixed offset
        {1: icalendar.vText("uid")},  # an icalendar value keeps its own parameters
        {4: None},
        {6: "https://x/\nsecond line"},  # icalendar refuses a URI with a line break
        {7: 10},  # outside RFC 5545's PRIORITY
        {7: True},
        {8: ("ok", 3)},
        {8: "not a list"},
        {9: 1.5},
    ],
)
def test_other_values_go_to_icalendar(change):
    fields = list(_feed_like(datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Europe/Berlin")), "x"))
    for index, value in change.items():
        fields[index] = value
    assert ics_direct.event(*fields) is None


def test_another_icalendar_version_falls_back(monkeypatch):
    fields = _feed_like(datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Europe/Berlin")), "x, y")
    assert ics_direct.event(*fields) is not None
    calls = []
    real = ics._event_bytes
    monkeypatch.setattr(ics, "_event_bytes", lambda f: calls.append(f) or real(f))
    assert ics.serialise(fields) == real(fields)
    assert calls == []  # the direct path answered
    # ics_direct reads `icalendar.__version__` on each call, so patching it there is enough.
    monkeypatch.setattr(icalendar, "__version__", "7.3.3")
    assert ics_direct.event(*fields) is None
    assert ics.serialise(fields) == real(fields)
    assert calls == [fields]


def _feed(vault: Path, overrides: dict | None = None) -> bytes:
    evaluation = evaluate(load_config(vault, overrides), TODAY, use_cache=False)
    data = site_data(evaluation)
    from vaultkit.render.site import draft_texts

    return ics.feed(
        data.vault, data.followups, data.pages, ics.FeedInputs(TODAY), draft_texts(data.drafts)
    )


def _both_ways(monkeypatch, vault: Path, overrides: dict | None = None) -> tuple[bytes, bytes]:
    direct = _feed(vault, overrides)
    with monkeypatch.context() as m:
        m.setattr(icalendar, "__version__", "0.0.0")  # every event through icalendar
        reference = _feed(vault, overrides)
    return direct, reference


@pytest.mark.parametrize(
    "overrides",
    [None, {"feed.todo": True, "feed.alarm_minutes": 90}, {"feed.alarm_minutes": 0}],
)
def test_sample_vault_feed_is_byte_identical(monkeypatch, overrides):
    direct, reference = _both_ways(monkeypatch, SAMPLE_VAULT, overrides)
    assert b"BEGIN:VEVENT" in direct or b"BEGIN:VTODO" in direct
    assert direct == reference


def test_generated_vault_feed_is_byte_identical(monkeypatch, tmp_path):
    vault = tmp_path / "generated"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks/generate.py"), str(vault), "--notes", "300"],
        check=True,
        capture_output=True,
    )
    direct, reference = _both_ways(monkeypatch, vault)
    assert direct.count(b"BEGIN:VEVENT") > 300
    assert direct == reference
