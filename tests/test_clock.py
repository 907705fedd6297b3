"""`watch` and `serve` rebuild at local midnight and after a wake, with no file changed."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from site_helpers import make_vault

from vaultkit.commands.clock import DayClock
from vaultkit.commands.watch import Watcher, describe
from vaultkit.vault.config import load_config

WAIT = 10.0


class FakeClocks:
    def __init__(self) -> None:
        self.day = date(2026, 12, 1)
        self.wall = 1_000_000.0
        self.mono = 50.0

    def run(self, seconds: float, *, asleep: bool = False) -> None:
        self.wall += seconds
        if not asleep:  # a suspended machine's monotonic clock stands still
            self.mono += seconds


def clock_with(fake: FakeClocks) -> DayClock:
    return DayClock(
        lambda: fake.day, lambda _r: None, wall=lambda: fake.wall, mono=lambda: fake.mono
    )


def test_the_clock_sees_a_new_day_and_a_wake_and_nothing_else():
    fake = FakeClocks()
    clock = clock_with(fake)
    fake.run(30)
    assert clock.check() is None
    fake.run(30)
    fake.day += timedelta(days=1)  # local midnight passed
    assert clock.check() == "a new day (2026-12-02)"
    assert clock.check() is None  # once
    fake.run(3 * 3600, asleep=True)
    assert clock.check() == "woke from sleep"
    fake.run(30)
    assert clock.check() is None
    fake.run(9 * 3600, asleep=True)  # slept through midnight: one rebuild says why
    fake.day += timedelta(days=1)
    assert clock.check() == "a new day (2026-12-03)"
    fake.run(-3600)  # the clock set back (a time zone trip): not a wake
    assert clock.check() is None


def test_watch_rebuilds_the_feed_when_the_day_changes(tmp_path: Path):
    vault = make_vault(tmp_path / "v")
    for note in vault.rglob("*"):  # written well before the watch starts
        os.utime(note, (1_700_000_000, 1_700_000_000))
    day = [date(2026, 12, 1)]
    w = Watcher(lambda: load_config(vault), lambda _c: day[0], None, None, delay=0.1, tick=0.05)
    assert w.start().ok
    try:
        feed = vault / "_site/followups.ics"
        assert b"overdue since" not in feed.read_bytes()
        day[0] = date(2026, 12, 4)  # midnight, three times: Jane and Globex are overdue now
        rebuild = w.wait_for_build(WAIT, after=1)
        assert rebuild is not None and rebuild.ok, rebuild
        assert rebuild.changed == [] and rebuild.reason == "a new day (2026-12-04)"
        assert "a new day (2026-12-04):" in describe(rebuild)
        data = feed.read_bytes()
        assert b"Follow up with Globex (overdue since 3 Dec)" in data
        assert b"DTSTART;VALUE=DATE:20261204\r\n" in data
        assert w.wait_for_build(0.5, after=2) is None  # and not again and again
    finally:
        w.stop()
    assert w._clock is not None and w._clock._thread is not None
    assert not w._clock._thread.is_alive()
