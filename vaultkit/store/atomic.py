"""Write a file atomically: a temporary file in the same folder, fsync, then `os.replace`.

Readers see either the old file or the new one, never a half-written one, and a crash
leaves at worst a stray `.<name>.*.tmp` next to the file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from vaultkit.errors import WriteError


def atomic_write(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    before_replace: Callable[[], None] | None = None,
    last_check: Callable[[os.stat_result | None], None] | None = None,
) -> None:
    """Replace `path` with `data` atomically.

    `mode` gives the new file's permission bits; when it is None the file keeps the bits
    it has now, and a new file gets the usual ones (0o666 less the umask).
    `before_replace` runs once the new bytes are safely on disk, just before the rename; if it
    raises, the temporary file is removed and `path` is left as it was (the editing commands
    use it to refuse when the note changed meanwhile). `last_check` gets `path`'s `os.stat`
    (None when it is gone) as the very last step before the rename, and may raise likewise: the
    cheapest check, so that the window in which another program's save would be replaced
    unseen is as short as one system call.
    """
    path = Path(path)
    try:
        _atomic_write(path, data, mode, before_replace, last_check)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError.of(exc, path) from exc


def _atomic_write(
    path: Path,
    data: bytes,
    mode: int | None,
    before_replace: Callable[[], None] | None,
    last_check: Callable[[os.stat_result | None], None] | None,
) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        if before_replace is not None:
            before_replace()
        if last_check is not None:
            last_check(_stat_or_none(path))
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_folder(folder)


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def stage(path: Path, data: bytes | Iterable[bytes]) -> str:
    """Write `data` (bytes, or chunks written as they come) to a temporary file beside `path`
    (named as `atomic_write` names them), not yet synced nor renamed: `commit_staged` makes
    many such files durable with one sync instead of two fsyncs each (a cold build writes
    thousands), `commit_one` one file. A failure is a WriteError naming `path`."""
    try:
        return _stage(path, data)
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError.of(exc, path) from exc


def _stage(path: Path, data: bytes | Iterable[bytes]) -> str:
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in (data,) if isinstance(data, bytes) else data:
                handle.write(chunk)
        os.chmod(tmp_name, mode)
    except BaseException:  # a failed write, or the maker of the chunks gave up (Superseded)
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return tmp_name


def commit_one(tmp_name: str, path: Path) -> None:
    """Sync a staged file, rename it over `path`, and make the rename durable."""
    try:
        fd = os.open(tmp_name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise WriteError.of(exc, path) from exc
    _fsync_folder(path.parent)


def commit_staged(staged: list[tuple[str, Path]]) -> None:
    """Sync the staged files' file system once, then rename each over its target and sync
    each folder once: after a crash every target is whole, old or new."""
    if not staged:
        return
    _sync_file_system(staged[0][1].parent)
    for n, (tmp_name, path) in enumerate(staged):
        try:
            os.replace(tmp_name, path)
        except OSError as exc:
            discard_staged(staged[n:])  # those not in place stay as they were
            raise WriteError.of(exc, path) from exc
    for folder in sorted({path.parent for _, path in staged}):
        _fsync_folder(folder)


def discard_staged(staged: list[tuple[str, Path]]) -> None:
    """Remove staged files that will not be put in place (their targets keep their bytes)."""
    for tmp_name, _ in staged:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)


def _sync_file_system(folder: Path) -> None:
    """syncfs(2) of the file system holding `folder` (Linux), else sync(2)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(folder, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    os.sync()
