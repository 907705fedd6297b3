"""Rebuild the output whenever the vault changes: `vaultkit watch` (and the half of `serve`).

The watchdog handler only records which paths changed and sets a flag under a
`threading.Condition`; one build thread builds on the first event (after `delay`, a few
hundredths of a second, for an editor's save sequence to finish) and takes the events that
come meanwhile into the next build: a burst (a `git checkout`, a sync client) costs a few
builds, not one per file. The builds are the live engine's (commands/engine.py): the vault's
evaluation is kept in memory and updated note by note, the feed is written first, and only
the outputs whose bytes changed are written. Every rebuild reloads `vaultkit.toml`; a changed
config (or a new day) starts a new engine. A failing build is reported and the loop goes on.
A small clock (vaultkit/commands/clock.py) also asks for a build at local midnight and after a wake
from sleep, with no file changed: the day's overdue follow-ups move onto the new day.

Ignored: hidden files and folders (`.obsidian/`, `.git/`, `.trash/`, vim's `.swp`/`.swx`,
Obsidian's `.~*` temporary files), the output folder, `~` backups, vim's `4913` probe, `*.tmp`,
and anything that is neither a `*.md` note nor `vaultkit.toml`.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from vaultkit.commands import build as build_module
from vaultkit.commands.build import BuildResult
from vaultkit.commands.clock import TICK, DayClock
from vaultkit.commands.engine import Engine
from vaultkit.errors import StoreRefused
from vaultkit.store.cache import Store
from vaultkit.vault.config import CONFIG_NAME, Config
from vaultkit.vault.problems import printable

ConfigLoader = Callable[[], Config]
TodayFn = Callable[[Config], date]


@dataclass
class Rebuild:
    """One run of the build loop, as reported to `on_rebuild`."""

    number: int
    """1 for the first build, then 2, 3, …"""
    changed: list[str]
    """The vault-relative paths that triggered it, in the order they changed (empty for #1)."""
    seconds: float
    """How long the build took."""
    result: BuildResult | None = None
    """The build's result, or None when it failed."""
    error: str | None = None
    """One line saying why the build failed, or None."""
    finished: datetime = field(default_factory=datetime.now)
    reason: str | None = None
    """Why it ran when no file changed: a new day, a wake from sleep (commands/clock.py)."""

    @property
    def ok(self) -> bool:
        return self.error is None


def ignored_name(name: str) -> bool:
    """Editor droppings and temporary files, judged by the file name alone."""
    return (
        name.startswith(".")
        or name.endswith("~")
        or name == "4913"
        or name.endswith((".tmp", ".swp", ".swx", ".swo", ".part", ".crdownload"))
    )


def relevant_path(
    path: str | Path, vault: Path, out_dir: Path | None, is_directory: bool = False
) -> str | None:
    """The vault-relative path of a change that can affect the build, else None."""
    try:
        rel = Path(path).absolute().relative_to(vault)
    except ValueError:
        return None  # outside the vault (a move in from elsewhere has its own dest event)
    if not rel.parts:
        return None
    if out_dir is not None and (
        Path(path).absolute() == out_dir or Path(path).absolute().is_relative_to(out_dir)
    ):
        return None
    if any(part.startswith(".") for part in rel.parts[:-1]) or ignored_name(rel.name):
        return None
    if is_directory:
        return rel.as_posix() + "/"  # a folder created, deleted or moved: its notes go with it
    if rel.as_posix() == CONFIG_NAME or rel.suffix.lower() == ".md":
        return rel.as_posix()
    return None


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        # A folder's "modified" event only says one of its entries changed: that entry has an
        # event of its own. Opening or reading a note changes nothing.
        if isinstance(event, DirModifiedEvent | FileOpenedEvent | FileClosedNoWriteEvent):
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        self.watcher.record([str(p) for p in paths if p], event.is_directory)


KEPT_BUILDS = 100


class Watcher:
    """Watch a vault and rebuild after each burst of changes.

    `config_loader()` is called for every build (so a change to `vaultkit.toml` takes effect);
    `today_fn(config)` gives the day to evaluate the vault on; `on_rebuild(rebuild)` is called
    after each build, from the build thread. Tests call `wait_for_build` instead of sleeping.
    """

    def __init__(
        self,
        config_loader: ConfigLoader,
        today_fn: TodayFn,
        out: Path | None = None,
        on_rebuild: Callable[[Rebuild], None] | None = None,
        delay: float = 0.05,
        max_delay: float = 5.0,
        force: bool = False,
        now_fn: Callable[[], datetime | None] = lambda: datetime.now(UTC),
        tick: float = TICK,
    ) -> None:
        self.config_loader = config_loader
        self.now_fn = now_fn
        """When a build runs, for the feed's LAST-MODIFIED (None with `--today`)."""
        self.tick = tick
        self._config: Config | None = None
        self._reasons: dict[str, None] = {}
        self._clock: DayClock | None = None
        self.force = force
        """Write into output folders that hold files vaultkit did not write (--force)."""
        self.today_fn = today_fn
        self.out = out
        self.on_rebuild = on_rebuild
        self.delay = delay
        self.max_delay = max(max_delay, delay)
        self.engine: Engine | None = None
        self.vault: Path | None = None
        self.out_dir: Path | None = None
        self.count = 0
        """Rebuilds so far (each one's `number`)."""
        self.builds: list[Rebuild] = []
        """The latest KEPT_BUILDS rebuilds, oldest first (a long `serve` run must not grow)."""
        self._cond = threading.Condition()
        self._done = threading.Condition()
        self._changed: dict[str, None] = {}
        self._want = False
        self._building = False
        self._stopping = False
        self._observer: BaseObserver | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ events (watchdog thread)

    def record(self, paths: list[str], is_directory: bool = False) -> None:
        """Note the paths that changed (the handler's only job) and wake the build loop."""
        assert self.vault is not None
        rels = [
            rel for p in paths if (rel := relevant_path(p, self.vault, self.out_dir, is_directory))
        ]
        if not rels:
            return
        with self._cond:
            for rel in rels:
                self._changed[rel] = None
            self._want = True
            self._cond.notify_all()

    def request(self, reason: str) -> None:
        """Rebuild although no file changed (the day changed, the machine woke up)."""
        with self._cond:
            self._reasons[reason] = None
            self._want = True
            self._cond.notify_all()

    def _today(self) -> date:
        config = self._config or self.config_loader()
        return self.today_fn(config)

    # ------------------------------------------------------------------------------ lifecycle

    def start(self) -> Rebuild:
        """Start watching, run the first build (in this thread), then start the build loop.

        Raises what `config_loader` raises if the vault cannot be read at all.
        """
        config = self.config_loader()
        self.vault = config.vault.resolve()
        self.out_dir = self._out_dir(config)
        # The first build runs before the observer starts (watchdog would race the creation of
        # the output folders); notes saved meanwhile are caught by their modification times.
        started = time.time() - 0.05  # file times use a coarser clock
        first = self._rebuild([], config)
        assert first is not None
        # watchdog warns when a folder appears while it adds watches (the output folder, during
        # a build); the watch is set up all the same, so the warning only alarms users.
        warnings.filterwarnings(
            "ignore", message="Callback with id", category=RuntimeWarning, module="watchdog"
        )
        observer = Observer()
        observer.schedule(_Handler(self), str(self.vault), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer
        self.record(_changed_since(self.vault, self.out_dir, started))
        self._thread = threading.Thread(target=self._loop, name="vaultkit-build", daemon=True)
        self._thread.start()
        self._clock = DayClock(self._today, self.request, tick=self.tick)
        self._clock.start()
        return first

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the observer and the build loop, and wait for both (a running build finishes)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._clock is not None:
            self._clock.stop()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_build(self, timeout: float = 10.0, after: int | None = None) -> Rebuild | None:
        """The first build numbered above `after` (default: the latest so far), waiting at most
        `timeout` seconds; None if there was none by then."""
        with self._done:
            target = self.count if after is None else after
            self._done.wait_for(lambda: self.count > target, timeout)
            return next((b for b in self.builds if b.number > target), None)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait (at most `timeout` seconds) until `predicate()` holds after some build."""
        deadline = time.monotonic() + timeout
        with self._done:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(min(left, 0.2))
        return True

    @property
    def pending(self) -> bool:
        """A build is running, or changes are recorded that no build has taken in yet."""
        with self._cond:
            return self._want or self._building

    # ------------------------------------------------------------------------- the build loop

    def _loop(self) -> None:
        burst = False  # events came while the last build ran: a checkout, a sync
        while True:
            with self._cond:
                if not self._want:
                    burst = False
                self._cond.wait_for(lambda: self._want or self._stopping)
                if self._stopping:
                    return
                # A save is built at once, after `delay` for the editor's save sequence (write
                # a new file, rename it over the note) to finish. In a burst the build waits
                # for `delay` without events (at most `max_delay`): a burst is a few builds.
                started = time.monotonic()
                while True:
                    self._want = False
                    self._cond.wait(self.delay)
                    if self._stopping:
                        return
                    if not (burst and self._want) or time.monotonic() - started >= self.max_delay:
                        break
                self._want = False
                changed = list(self._changed)
                self._changed.clear()
                reason = ", ".join(self._reasons) or None
                self._reasons.clear()
                self._building = True
            try:
                self._rebuild(changed, reason=reason)
            finally:
                with self._cond:
                    self._building = False
                    burst = self._want

    def _refresh(
        self, config: Config, today: date, out_dir: Path, changed: list[str]
    ) -> BuildResult | None:
        """Bring the outputs up to date: the engine's refresh, or a new engine's first build
        when the config, its vault name, the day or the output folder changed. None when
        nothing changed since the last good build. `changed`: the paths the events named
        (the engine reads those first, and scans the vault after the feed)."""
        engine = self.engine
        last_ok = bool(self.builds) and self.builds[-1].ok
        if (
            engine is None
            or engine.config != config
            or engine.vault_name != config.vault_name
            or engine.today != today
            or engine.out_dir != out_dir
        ):
            if engine is not None and engine.store is not None:
                engine.store.close()
            engine = Engine(config, today, out_dir, _store(config), force=self.force)
            self.engine = engine
        done = engine.refresh(now=self.now_fn(), pending=lambda: self._want, hint=changed or None)
        if last_ok and not done.changed and not done.written.written and not done.written.removed:
            return None
        return BuildResult(
            out_dir,
            done.written.written,
            done.written.unchanged,
            done.written.removed,
            done.problems,
            done.notes,
            done.followups,
        )

    def _out_dir(self, config: Config) -> Path:
        return build_module.resolve_out_dir(config, self.out).resolve()

    def _rebuild(
        self, changed: list[str], config: Config | None = None, reason: str | None = None
    ) -> Rebuild | None:
        """One build; None when the events changed nothing (a file closed after its write,
        a note saved with the bytes it had): nothing to report, no page to reload."""
        started = time.monotonic()
        result = None
        error = None
        try:
            if config is None:
                config = self.config_loader()
            self._config = config
            self.out_dir = self._out_dir(config)
            result = self._refresh(config, self.today_fn(config), self.out_dir, changed)
            if result is None:
                return None
        except Exception as exc:  # the loop never dies: report and wait for the next change
            self.engine = None  # half-way through: the next build starts afresh
            error = f"{type(exc).__name__}: {exc}" if not _is_ours(exc) else str(exc)
            error = " ".join(error.split())
        rebuild = Rebuild(
            self.count + 1, changed, time.monotonic() - started, result, error, reason=reason
        )
        if self.on_rebuild is not None:
            try:
                self.on_rebuild(rebuild)
            except Exception:  # a broken reporter must not stop the watching
                pass
        with self._done:
            self.count += 1
            self.builds.append(rebuild)
            del self.builds[:-KEPT_BUILDS]
            self._done.notify_all()
        return rebuild


def _store(config: Config) -> Store | None:
    try:
        return Store.open(config.vault)
    except StoreRefused:
        return None  # an untrusted cache folder: watch without a store


def _changed_since(vault: Path, out_dir: Path | None, since: float) -> list[str]:
    """The notes (and config) modified after `since`, skipping hidden folders and the output."""
    found = []
    for folder, dirs, files in os.walk(vault):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and (here / d) != out_dir]
        for name in files:
            path = here / name
            try:
                if path.stat().st_mtime > since and relevant_path(path, vault, out_dir):
                    found.append(str(path))
            except OSError:
                continue
    return found


def _is_ours(exc: Exception) -> bool:
    from vaultkit.errors import VaultkitError

    return isinstance(exc, VaultkitError)


def describe(rebuild: Rebuild) -> str:
    """The one line printed per rebuild."""
    stamp = rebuild.finished.strftime("%H:%M:%S")
    changed = rebuild.changed
    first = printable(changed[0]) if changed else ""  # a name from the file system
    if not changed:
        what = rebuild.reason or "first build"
    elif len(changed) == 1:
        what = f"{first} changed"
    else:
        what = f"{len(changed)} files changed ({first}, …)"
    if rebuild.result is None:
        return f"[{stamp}] {what}: build failed: {rebuild.error}"
    r = rebuild.result
    errors = r.errors
    return (
        f"[{stamp}] {what}: {len(r.written)} written, {len(r.unchanged)} unchanged, "
        f"{len(r.removed)} removed in {rebuild.seconds:.2f}s; "
        f"{len(r.problems)} problem(s) ({errors} error(s))"
    )


def fixed_or_real_today(pinned: date | None) -> TodayFn:
    """`--today` pins the day; otherwise each build asks the clock, in the vault's time zone."""
    if pinned is not None:
        return lambda _config: pinned
    return lambda config: datetime.now(config.tz).date()


def fixed_or_real_now(pinned: date | None) -> Callable[[], datetime | None]:
    """When a build runs, for the feed: the clock, or None (the start of the day) with `--today`,
    so that a build as of a given day gives the same bytes every time."""
    if pinned is not None:
        return lambda: None
    return lambda: datetime.now(UTC)


def run_until_interrupted(
    watcher: Watcher, echo: Callable[[str], None], extra_stop: Callable[[], None] | None = None
) -> None:
    """Block until Ctrl-C (or SIGTERM, as systemd and launchd stop services), then stop
    everything cleanly."""
    stopped = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        echo("Stopping.")
    finally:
        if extra_stop is not None:
            extra_stop()
        watcher.stop()


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def watch(
    config_loader: ConfigLoader,
    today: date | None,
    out: Path | None,
    echo: Callable[[str], None],
    delay: float = 0.05,
    force: bool = False,
) -> None:
    """`vaultkit watch`: build, then rebuild after every change until Ctrl-C."""
    watcher = Watcher(
        config_loader,
        fixed_or_real_today(today),
        out,
        lambda rebuild: echo(describe(rebuild)),
        delay,
        force=force,
        now_fn=fixed_or_real_now(today),
    )
    watcher.start()
    echo(f"Watching {watcher.vault} (output: {watcher.out_dir}); Ctrl-C stops.")
    run_until_interrupted(watcher, echo)
