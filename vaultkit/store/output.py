"""Write a build's files into the output folder, safely.

- every file atomically (vaultkit.store.atomic), and only when its bytes changed;
- never outside the output folder (no `..`, no absolute paths, no symlinked folders out);
- a manifest (`.vaultkit-manifest.json`) lists what vaultkit generated, so a later build
  removes only its own stale files: anything else in the folder is the user's and stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vaultkit.errors import OutputError
from vaultkit.store.atomic import atomic_write, commit_one, commit_staged, discard_staged, stage
from vaultkit.store.files import read_file

MANIFEST = ".vaultkit-manifest.json"


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def check_relpath(rel: str) -> str:
    path = PurePosixPath(rel)
    if (
        not rel
        or path.is_absolute()
        or "\\" in rel
        or rel.startswith("/")
        or any(part in ("", ".", "..") for part in rel.split("/"))
        or rel == MANIFEST
        or "\0" in rel
    ):
        raise OutputError(f"refusing to write an output file named {rel!r}")
    return rel


def _target(out_dir: Path, rel: str, root: str) -> Path:
    """`out_dir / rel`, refused when its folder leads outside the output folder (`root`: that
    folder resolved) through a symlink. Only the folders below the output folder are looked
    at (an lstat each), and resolved only when one is a symlink: a build writes thousands of
    pages, and resolving each page's whole path cost two seconds at 10,000 notes."""
    target = out_dir / check_relpath(rel)
    folder = str(out_dir)
    for part in rel.split("/")[:-1]:
        folder = os.path.join(folder, part)
        if os.path.islink(folder):
            real = os.path.realpath(target.parent)
            if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
                raise OutputError(f"refusing to write {rel}: its folder leads outside {out_dir}")
            break
    return target


def read_manifest(out_dir: Path) -> list[str]:
    try:
        data = json.loads(read_file(out_dir / MANIFEST))  # a regular file only, never a FIFO
        files = data.get("files", []) if isinstance(data, dict) else []
    except (OSError, ValueError, RecursionError):
        return []
    out = []
    for rel in files:
        try:
            out.append(check_relpath(rel)) if isinstance(rel, str) else None
        except OutputError:
            continue  # a tampered manifest never makes vaultkit delete outside its files
    return out


def _write_manifest(out_dir: Path, files: list[str]) -> None:
    data = json.dumps({"generator": "vaultkit", "files": sorted(set(files))}, indent=2) + "\n"
    path = out_dir / MANIFEST
    try:
        if read_file(path) == data.encode():
            return
    except OSError:
        pass
    atomic_write(path, data.encode())


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = os.lstat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns, status.st_ino


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _same_file(path: Path, other: str) -> bool:
    """`path` is a regular file with the same bytes as the file `other` (read a block at a
    time: the files compared are tens of MB)."""
    try:
        if path.is_symlink() or not path.is_file():
            return False
        if path.stat().st_size != os.stat(other).st_size:
            return False
        with path.open("rb") as one, open(other, "rb") as two:
            while True:
                block = one.read(1 << 20)
                if block != two.read(1 << 20):
                    return False
                if not block:
                    return True
    except OSError:
        return False


def _hashed(chunks: Iterable[bytes], hasher: hashlib.blake2b) -> Iterator[bytes]:
    """`chunks`, each added to `hasher` as it passes."""
    for chunk in chunks:
        hasher.update(chunk)
        yield chunk


def _remove(out_dir: Path, rel: str) -> bool:
    path = out_dir / rel
    try:
        if not path.parent.resolve().is_relative_to(out_dir.resolve()):
            return False
        if path.is_symlink() or not path.is_file():
            return False
        path.unlink()
    except OSError:
        return False
    folder = path.parent
    while folder != out_dir and folder.is_relative_to(out_dir):
        try:
            folder.rmdir()  # only when empty: a user's file keeps its folder
        except OSError:
            break
        folder = folder.parent
    return True


_TEMP = re.compile(r"^\.(.+)\.[a-z0-9_]{8}\.tmp$")  # what atomic_write names its temporary files


def _remove_stale_temps(out_dir: Path, files: list[str], before: float) -> None:
    """Delete what a killed build left: the temporary files (`.<name>.<random>.tmp`) beside the
    files vaultkit generates, made before this build started. Nothing else is touched."""
    wanted: dict[Path, set[str]] = {}
    for rel in [*files, MANIFEST]:
        target = out_dir / rel
        wanted.setdefault(target.parent, set()).add(target.name)
    for folder, names in wanted.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            m = _TEMP.match(entry.name)
            if not m or m.group(1) not in names:
                continue
            with contextlib.suppress(OSError):
                if (
                    entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_mtime < before
                ):
                    os.unlink(entry.path)


def foreign_files(out_dir: Path) -> list[str]:
    """What a folder without vaultkit's manifest holds (hidden names aside: `.git`, `.DS_Store`):
    files vaultkit did not write, which it must not overwrite unasked."""
    if (out_dir / MANIFEST).is_file():
        return []
    try:
        return sorted(e.name for e in os.scandir(out_dir) if not e.name.startswith("."))
    except OSError:
        return []  # missing (made below) or unreadable (making it says why)


def refuse_foreign(out_dir: Path) -> None:
    foreign = foreign_files(out_dir)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        raise OutputError(
            f"{out_dir} holds files vaultkit did not write ({shown}); choose an empty or new "
            "folder, or pass --force to write into it anyway (files named like vaultkit's "
            "outputs are then replaced; nothing else is touched)"
        )


def write_outputs(files: dict[str, bytes], out_dir: Path, *, force: bool = False) -> WriteResult:
    """Make `out_dir` hold `files` (relative path -> bytes); see the module's docstring. A
    folder that holds files vaultkit did not write (no manifest) is refused unless `force`."""
    folder = OutputFolder(out_dir, force=force)
    folder.expect(files)
    for rel in sorted(files):
        folder.write(rel, files[rel])
    return folder.finish(files)


class OutputFolder:
    """The output folder, written a file at a time (the live engine writes the feed first,
    then what else changed): `expect` the files a build makes, `write` each (only when its
    bytes changed), then `finish` (the manifest, and the removal of stale generated files)."""

    def __init__(self, out_dir: Path, *, force: bool = False) -> None:
        if out_dir.is_symlink() and not out_dir.is_dir():
            raise OutputError(f"output folder {out_dir} is a dangling symlink")
        if not force:
            refuse_foreign(out_dir)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the output folder {out_dir}: {exc.strerror}") from exc
        self.out_dir = out_dir
        self.root = os.path.realpath(out_dir)
        self.started = time.time()
        self.result = WriteResult()
        self.listed = set(read_manifest(out_dir))
        self.finished = False
        self.wrote: dict[str, tuple[bytes, tuple[int, int, int] | None]] = {}
        self.staged: list[tuple[str, Path, str, bytes]] | None = None
        """Files written but not yet in place (see `stage`): temporary name, target, the
        file's name in the folder, digest."""

    def stage(self) -> None:
        """Until `commit`, write each file beside its target, unsynced: a build of many
        files syncs once (`commit`) instead of twice a file."""
        if self.staged is None:
            self.staged = []

    def commit(self) -> None:
        """Put the staged files in place, durably (store/atomic.py's commit_staged)."""
        staged, self.staged = self.staged, None
        if not staged:
            return
        commit_staged([(tmp, target) for tmp, target, _, _ in staged])
        for _, target, rel, digest in staged:
            self.wrote[rel] = (digest, _stamp(target))

    def discard(self) -> None:
        """Remove the files staged and not yet in place (a build that failed midway): the
        folder keeps the files it had, and no temporary file."""
        staged, self.staged = self.staged, None
        discard_staged([(tmp, target) for tmp, target, _, _ in staged or ()])

    def expect(self, files: Iterable[str]) -> None:
        """List the files about to be written in the manifest before they exist, so a build
        that stops half-way can still clean up next time."""
        wanted = set(files)
        for rel in wanted:
            check_relpath(rel)
        if not wanted <= self.listed:
            self.listed |= wanted
            _write_manifest(self.out_dir, list(self.listed))

    def write(self, rel: str, data: bytes | Iterable[bytes]) -> bool:
        """Write one file (atomically) unless it holds these bytes already; True if written.
        A file this folder wrote and nobody touched since (same size, modification time and
        inode) is known by the digest of what was written, without reading it back. `data`
        may come as chunks (a site-wide file of tens of MB, made as it is written): they are
        written beside the file, then put in place unless the file holds those bytes."""
        target = _target(self.out_dir, rel, self.root)
        if isinstance(data, bytes):
            digest = hashlib.blake2b(data, digest_size=16).digest()
            if self._unchanged(rel, target, digest, lambda: _same(target, data)):
                return False
            self._prepare(rel, target)
            tmp_name = stage(target, data)
        else:  # known only once written: staged first, dropped if the file holds those bytes
            self._prepare(rel, target)
            hasher = hashlib.blake2b(digest_size=16)
            tmp_name = stage(target, _hashed(data, hasher))
            digest = hasher.digest()
            if self._unchanged(rel, target, digest, lambda: _same_file(target, tmp_name)):
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
                return False
        self.result.written.append(rel)
        if self.staged is not None:
            self.staged.append((tmp_name, target, rel, digest))
            self.wrote.pop(rel, None)
            return True
        commit_one(tmp_name, target)
        self.wrote[rel] = (digest, _stamp(target))
        return True

    def _unchanged(self, rel: str, target: Path, digest: bytes, same: Callable[[], bool]) -> bool:
        """The file holds the bytes of `digest` already (`same()` reads it to tell, when this
        folder did not write it)."""
        known = self.wrote.get(rel)
        if known is not None and known[0] == digest and known[1] == _stamp(target):
            self.result.unchanged.append(rel)
            return True
        if known is None and same():
            self.result.unchanged.append(rel)
            self.wrote[rel] = (digest, _stamp(target))
            return True
        return False

    def _prepare(self, rel: str, target: Path) -> None:
        """Make the file's folder, and check again that it leads nowhere outside."""
        target.parent.mkdir(parents=True, exist_ok=True)
        _target(self.out_dir, rel, self.root)  # the folder just made is still inside
        if target.is_dir() and not target.is_symlink():
            raise OutputError(f"cannot write {rel}: a folder has that name")

    def finish(self, files: Iterable[str]) -> WriteResult:
        """Remove the generated files that are no longer made; the manifest lists `files`.
        (Temporary files a killed build left are removed the first time.)"""
        self.commit()
        kept = set(files)
        if kept != self.listed or not self.finished:
            for rel in sorted(self.listed - kept):
                if _remove(self.out_dir, rel):
                    self.result.removed.append(rel)
            _write_manifest(self.out_dir, sorted(kept))
            self.listed = kept
        if not self.finished:
            _remove_stale_temps(self.out_dir, sorted(kept), self.started)
            self.finished = True
        return self.result
