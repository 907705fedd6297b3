"""The day changing under a long-running `watch` or `serve`: at local midnight, and when the
machine wakes from sleep, the outputs must be rebuilt although no note changed (yesterday's
"today" is now overdue, the feed moves it onto the new day).

A small thread looks every `tick` seconds. The day changed when `today()` says another day;
the machine slept when the wall clock moved much further than the monotonic one, which stands
still while the machine is suspended.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

TICK = 30.0
"""Seconds between looks: a rebuild comes at most this long after midnight or a wake."""
SLEPT = 60.0
"""How far the wall clock must run ahead of the monotonic one to count as a sleep."""


class DayClock:
    """Calls `on_change(reason)` (from its own thread) when the day changes or the machine
    wakes. `today()` gives the day in the vault's zone; `wall` and `mono` are the clocks."""

    def __init__(
        self,
        today: Callable[[], date],
        on_change: Callable[[str], None],
        *,
        tick: float = TICK,
        wall: Callable[[], float] = time.time,
        mono: Callable[[], float] = time.monotonic,
    ) -> None:
        self.today = today
        self.on_change = on_change
        self.tick = tick
        self.wall = wall
        self.mono = mono
        self._day = today()
        self._wall = wall()
        self._mono = mono()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> str | None:
        """One look: why to rebuild now, or None."""
        day, wall, mono = self.today(), self.wall(), self.mono()
        slept = (wall - self._wall) - (mono - self._mono) > SLEPT
        reason = None
        if day != self._day:
            reason = f"a new day ({day.isoformat()})"
        elif slept:
            reason = "woke from sleep"
        self._day, self._wall, self._mono = day, wall, mono
        return reason

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                reason = self.check()
            except Exception:  # a vault that cannot be read right now: look again later
                continue
            if reason is not None:
                self.on_change(reason)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="vaultkit-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)
