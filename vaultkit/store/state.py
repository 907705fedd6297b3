"""vaultkit's own files inside the vault: the hidden folder `.vaultkit/`.

It travels with the vault (a sync client, git), so every machine sees the same files, and it is
not a cache: deleting `~/.cache` never touches it. It holds

- `secret`: 32 random bytes (hex) that key the private and minimal feeds' UIDs; created on first
  use, readable by the owner only, never written into any output;
- `ids.json`: the identity of each note and open task (vaultkit/vault/identity.py), so that ids and
  UIDs survive renames, moves and small edits;
- `feed-state.json`: each feed event's SEQUENCE and LAST-MODIFIED (vaultkit/store/feedstate.py).

Every read is defensive (a regular file of bounded size, JSON of the expected shape, else as if
absent) and every write is atomic and best effort: a read-only vault still builds.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from vaultkit.store.atomic import atomic_write
from vaultkit.store.files import read_file

FOLDER = ".vaultkit"
SECRET = "secret"
MAX_STATE_BYTES = 32 * 1024 * 1024


def state_path(vault: Path, name: str) -> Path:
    return vault / FOLDER / name


def read_json(vault: Path, name: str) -> Any:
    """The JSON value stored as `name`, or None when it is missing, unreadable, too large,
    not a regular file (a FIFO is never waited on) or not JSON."""
    try:
        data = read_file(state_path(vault, name))
    except (OSError, ValueError):
        return None
    if len(data) > MAX_STATE_BYTES:
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def write_json(vault: Path, name: str, value: Any) -> bool:
    """Store `value` as `name`, atomically; False when the vault cannot be written to."""
    data = json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    try:
        _folder(vault)
        atomic_write(state_path(vault, name), data.encode("ascii") + b"\n", mode=0o600)
    except OSError:
        return False
    return True


def _folder(vault: Path) -> Path:
    folder = vault / FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise NotADirectoryError(f"{folder} is not a folder")
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def vault_secret(vault: Path, *, create: bool = True) -> bytes | None:
    """The vault's secret, made on first use (when `create`); None when there is none and it
    cannot be made. Two processes creating it at once agree: the first link wins."""
    path = state_path(vault, SECRET)
    found = _read_secret(path)
    if found is not None or not create:
        return found
    try:
        folder = _folder(vault)
        fd, tmp = tempfile.mkstemp(prefix=".secret.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_hex(32).encode("ascii") + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, path)  # never replaces a secret another process just made
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                with contextlib.suppress(FileExistsError):
                    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(out, "wb") as handle:
                        handle.write(Path(tmp).read_bytes())
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except OSError:
        return None
    return _read_secret(path)


def _read_secret(path: Path) -> bytes | None:
    try:
        text = read_file(path)[:200].decode("ascii").strip()
        secret = bytes.fromhex(text)
    except (OSError, ValueError):
        return None
    return secret if len(secret) >= 16 else None
