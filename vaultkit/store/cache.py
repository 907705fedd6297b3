"""The store: what vaultkit keeps between runs, in one SQLite database per vault.

It lives outside the vault, in the user's cache folder (`$XDG_CACHE_HOME/vaultkit` when that is
set, else the system's own: `~/.cache/vaultkit` on Linux, `~/Library/Caches/vaultkit` on macOS,
`%LOCALAPPDATA%\\vaultkit\\Cache` on Windows), and holds each note's parse and body under the
stamp of the file they were read from, the last answers of `agenda` and `check`, and the
rendered pieces of the outputs, each under a digest of its exact inputs. Deleting it is always
safe; `--no-cache` runs without.

It is never trusted blindly:

- the folder must be the user's own and writable by nobody else, and the database a regular
  file of the user's (0600 in a 0700 folder: it holds every note's properties and log lines);
  a folder that is not is left alone and the run goes on without a store; a file that is not
  (a FIFO, a symlink to `/dev/zero`, another user's file) is removed and the store rebuilt;
- every row carries a checksum and is decoded against the dataclasses' types (vaultkit/
  codec.py): a damaged, foreign or wrong-typed row is a miss, never a wrong answer or a crash;
- a database SQLite cannot read, or one written by another version of vaultkit or for another
  vault, is rebuilt from scratch;
- writes are transactions in SQLite's write-ahead log: a crash mid-write loses at most that
  write, never the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from vaultkit import __version__
from vaultkit.errors import CodecError, StoreRefused
from vaultkit.store.codec import decoder, encode

FORMAT = 3
"""The layout of the tables; a store of another format is rebuilt."""
SUFFIX = ".sqlite3"
BUSY_MS = 2000
"""How long to wait for another vaultkit (a running `watch`) to finish writing."""

_DECODE_ERRORS = (CodecError, ValueError, TypeError, KeyError, IndexError, RecursionError)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notes (
    path BLOB PRIMARY KEY, stamp TEXT NOT NULL,
    parsed BLOB NOT NULL, psum BLOB NOT NULL, body BLOB NOT NULL, bsum BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pieces (
    kind TEXT NOT NULL, key BLOB NOT NULL, digest BLOB NOT NULL, data BLOB NOT NULL,
    sum BLOB NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS results (
    kind TEXT PRIMARY KEY, key BLOB NOT NULL, data BLOB NOT NULL, sum BLOB NOT NULL);
"""


def cache_dir() -> Path:
    if base := os.environ.get("XDG_CACHE_HOME"):  # asked for by name, on any system
        return Path(base) / "vaultkit"
    if sys.platform == "linux":  # platformdirs' answer, without its 15 ms of imports
        return Path.home() / ".cache" / "vaultkit"
    import platformdirs

    return platformdirs.user_cache_path("vaultkit", appauthor=False)


def store_path(vault: Path) -> Path:
    key = hashlib.sha256(os.fsencode(vault.resolve())).hexdigest()[:16]
    return cache_dir() / f"{key}{SUFFIX}"


def checksum(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


def _private_folder(folder: Path) -> None:
    """Make sure `folder` exists, is the user's and only the user's; StoreRefused if not."""
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        status = os.lstat(folder)
        parent = os.stat(folder.parent)
    except OSError as exc:
        raise StoreRefused(f"cannot use {folder}: {exc.strerror or exc}") from exc
    if not stat.S_ISDIR(status.st_mode):
        raise StoreRefused(f"{folder} is not a folder")
    if status.st_uid != os.geteuid():
        raise StoreRefused(f"{folder} belongs to another user")
    if status.st_mode & 0o022:
        raise StoreRefused(f"{folder} can be written by other users")
    if parent.st_mode & 0o002 and not parent.st_mode & stat.S_ISVTX:
        raise StoreRefused(f"{folder.parent} can be written by anyone (so {folder} replaced)")
    if status.st_mode & 0o077:
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)  # ours, but readable by others: make it private


def _clear_foreign(path: Path) -> None:
    """Remove the database (and its log) where it is anything but a private file of ours."""
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            status = os.lstat(name)
        except FileNotFoundError:
            continue
        if (
            not stat.S_ISREG(status.st_mode)
            or status.st_uid != os.geteuid()
            or status.st_nlink != 1
            or status.st_mode & 0o077
        ):
            os.unlink(name)  # a FIFO, a link to /dev/zero, someone else's file: not ours


def _remove(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


N = TypeVar("N")


class Store:
    """One vault's store. Every method degrades to "nothing stored" on a database error
    instead of failing the run."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, vault: Path) -> Store | None:
        """The vault's store, made or rebuilt as needed; None when there can be none (a
        read-only cache folder). Raises StoreRefused when the cache folder is not trusted."""
        path = store_path(vault)
        _private_folder(path.parent)
        # The vault's folder as bytes (its name may not be UTF-8), written out in hex.
        where = os.fsencode(vault.resolve()).hex()
        identity = {"format": str(FORMAT), "version": __version__, "vault": where}
        for attempt in range(2):
            try:
                _clear_foreign(path)
                db = _connect(path)
                if _meta(db) == identity:
                    return cls(db, path)
                db.close()
                _remove(path)  # another version's, another vault's, or half made: start over
                db = _connect(path)
                with db:
                    db.executemany("INSERT INTO meta VALUES (?, ?)", identity.items())
                return cls(db, path)
            except (sqlite3.Error, OSError):
                if attempt:
                    return None  # cannot be had (a read-only cache folder): run without
                with contextlib.suppress(OSError):
                    _remove(path)  # damaged beyond reading: rebuild
        return None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------ parsed notes

    def parsed_notes(self, stamps: dict[str, str], kind: type[N]) -> Iterator[tuple[str, N]]:
        """The stored parse (a `kind`, the parser's dataclass) of each note whose stamp is as
        given; rows are streamed. The store is below the parser, so it is told the type."""
        decode = decoder(kind)
        try:
            rows = self.db.execute("SELECT path, stamp, parsed, psum FROM notes")
            for key, stamp, parsed, summed in rows:
                path = _path(key)
                if stamps.get(path) != stamp or checksum(stamp.encode(), parsed) != summed:
                    continue
                try:
                    note = decode(json.loads(parsed))
                except _DECODE_ERRORS:
                    continue
                if getattr(note, "path", None) != path:
                    continue
                yield path, note
        except sqlite3.Error:
            return

    def body(self, path: str, stamp: str) -> str | None:
        """The body stored with the note's parse, if it was read at `stamp`."""
        try:
            row = self.db.execute(
                "SELECT stamp, body, bsum FROM notes WHERE path = ?", (_key(path),)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or row[0] != stamp or checksum(row[0].encode(), row[1]) != row[2]:
            return None
        try:
            return bytes(row[1]).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None

    def put_notes(self, rows: Iterable[tuple[str, str, Any, str]]) -> bool:
        """Store (path, stamp, parse, body) rows, replacing what was there; False when the
        store could not keep them."""

        def encoded() -> Iterator[tuple[bytes, str, bytes, bytes, bytes, bytes]]:
            for path, stamp, note, body in rows:
                parsed = json.dumps(encode(note)).encode()  # ASCII: lone surrogates escaped
                data = body.encode("utf-8", "surrogatepass")
                key = stamp.encode()
                yield _key(path), stamp, parsed, checksum(key, parsed), data, checksum(key, data)

        return self._write("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?)", encoded())

    def forget_notes(self, keep: set[str]) -> None:
        """Drop the rows of notes that are gone."""
        try:
            rows = self.db.execute("SELECT path FROM notes")
            gone = [(key,) for (key,) in rows if _path(key) not in keep]
        except sqlite3.Error:
            return
        if gone:
            self._write("DELETE FROM notes WHERE path = ?", gone)

    # ----------------------------------------------------------------------------- results

    def result(self, kind: str, key: str) -> Any:
        """The `kind` of result saved under `key` (a digest of every input), or None."""
        try:
            row = self.db.execute(
                "SELECT key, data, sum FROM results WHERE kind = ?", (kind,)
            ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or bytes(row[0]) != _key(key) or checksum(_key(key), row[1]) != row[2]:
            return None
        try:
            return json.loads(row[1])
        except (ValueError, RecursionError):
            return None

    def put_result(self, kind: str, key: str, value: Any) -> None:
        data = json.dumps(value).encode()  # ASCII: lone surrogates escaped
        self._write(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
            [(kind, _key(key), data, checksum(_key(key), data))],
        )

    # ------------------------------------------------------------------------------ pieces

    def pieces(self, kind: str) -> dict[str, tuple[bytes, bytes]]:
        """The stored pieces of one kind (a feed event, ...): key -> (digest of the inputs
        they were made from, their bytes); a row whose checksum fails is left out."""
        found: dict[str, tuple[bytes, bytes]] = {}
        try:
            rows = self.db.execute(
                "SELECT key, digest, data, sum FROM pieces WHERE kind = ?", (kind,)
            )
            for key, digest, data, summed in rows:
                if checksum(bytes(key), bytes(digest), bytes(data)) == summed:
                    found[_path(key)] = (bytes(digest), bytes(data))
        except sqlite3.Error:
            return {}
        return found

    def put_pieces(self, kind: str, rows: Iterable[tuple[str, bytes, bytes]]) -> None:
        """Store (key, digest, bytes) pieces of one kind, replacing what was there."""
        self._write(
            "INSERT OR REPLACE INTO pieces VALUES (?, ?, ?, ?, ?)",
            (
                (kind, _key(key), digest, data, checksum(_key(key), digest, data))
                for key, digest, data in rows
            ),
        )

    def keep_pieces(self, kind: str, keys: set[str]) -> None:
        """Forget the pieces of one kind whose key is not in `keys` (gone)."""
        try:
            stored = [
                k for (k,) in self.db.execute("SELECT key FROM pieces WHERE kind = ?", (kind,))
            ]
        except sqlite3.Error:
            return
        gone = [(kind, k) for k in stored if _path(k) not in keys]
        if gone:
            self._write("DELETE FROM pieces WHERE kind = ? AND key = ?", gone)

    # ------------------------------------------------------------------------------ writes

    def _write(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> bool:
        """One transaction; a failure (a full disk, another writer) only costs the caching
        (False)."""
        try:
            with self.db:
                self.db.executemany(sql, rows)
        except sqlite3.Error:
            return False
        return True


def _key(path: str) -> bytes:
    """A note path (or a key naming one) as stored: its UTF-8, with the undecodable bytes of
    a file name kept."""
    return path.encode("utf-8", "surrogatepass")


def _path(key: bytes) -> str:
    return bytes(key).decode("utf-8", "surrogatepass")


def _connect(path: Path) -> sqlite3.Connection:
    fresh = not path.exists()
    if fresh:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        os.close(fd)
    db = sqlite3.connect(path, timeout=BUSY_MS / 1000, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
    except sqlite3.Error:
        db.close()
        raise
    return db


def _meta(db: sqlite3.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}
