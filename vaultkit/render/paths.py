"""Where each note's page goes (`notes/<folder>/<slug>.html`) and how pages link to each other.

Slugs are ASCII, lower case and safe in any file system and URL; two notes whose slugs collide
both get a short hash of their path, so every page name is stable and unique.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath

_UNSAFE = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """`Émile Zola & Co.` -> `emile-zola-co`; empty when nothing ASCII is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", ascii_text.lower()).strip("-")[:80].strip("-")


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def page_paths(note_paths: list[str]) -> dict[str, str]:
    """Note path (`companies/Globex.md`) -> its page's path in the output (`notes/companies/
    globex.html`)."""
    wanted: dict[str, str] = {}
    for path in sorted(note_paths):
        parts = PurePosixPath(path[:-3] if path.lower().endswith(".md") else path).parts
        slugs = [slugify(p) or _short_hash(p) for p in parts]
        wanted[path] = "notes/" + "/".join(slugs)
    claims: dict[str, list[str]] = {}
    for path, page in wanted.items():
        claims.setdefault(page.lower(), []).append(path)
    out = {}
    for path, page in wanted.items():
        if len(claims[page.lower()]) > 1:
            page = f"{page}-{_short_hash(path)}"
        out[path] = page + ".html"
    return out


def relative(from_page: str, to_page: str) -> str:
    """The href from one output file to another, both relative to the output folder."""
    # Both are clean paths below the output folder: strip the folders they share, climb out
    # of the rest (posixpath.relpath does the same, ten times slower, on every link).
    here = from_page.split("/")[:-1]
    there = to_page.split("/")
    shared = 0
    while shared < len(here) and shared < len(there) - 1 and here[shared] == there[shared]:
        shared += 1
    return "/".join([".."] * (len(here) - shared) + there[shared:])
