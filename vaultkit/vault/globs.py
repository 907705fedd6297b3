"""`exclude` globs, matched in time linear in the path (a pattern can never hang a command).

The syntax is .gitignore's: `*` any characters within a folder, `?` one, `**` as a whole
segment any number of folders (`**/x`, `a/**/b`, `a/**`), `dir/` a folder and everything in
it, and a pattern without a `/` (other than a trailing one) matches a name at any depth; a
backslash makes the next character plain (`\\*`). `**` inside a segment (`a**b`) is a `*`.

A regular expression with several `[^/]*` backtracks exponentially on a path that almost
matches (`*a*a*a*a*a*a*a*a*a*a*a*a*b`), so patterns are not compiled to one. A path is
matched segment by segment: within a segment, each `*` takes the shortest text up to the next
plain run and never gives it back (an atomic group; with one kind of star per segment that
is always the right choice); across segments, `**` is matched by the greedy two-pointer
wildcard algorithm, at most (path segments x pattern segments) steps.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

GLOBSTAR = "**"


def escape(text: str) -> str:
    """`text` as a pattern that matches exactly it (a folder's name from Obsidian's settings)."""
    return re.sub(r"([*?\\\[])", r"\\\1", text)


def _split(pattern: str) -> list[str]:
    """Split on `/`, keeping escapes (`\\/` is not a separator)."""
    parts, current, i = [], "", 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            current += pattern[i : i + 2]
            i += 2
        elif pattern[i] == "/":
            parts.append(current)
            current, i = "", i + 1
        else:
            current, i = current + pattern[i], i + 1
    parts.append(current)
    return parts


@functools.lru_cache(maxsize=1024)
def _segment(glob: str) -> re.Pattern[str]:
    """One segment's glob as a regex that cannot backtrack: `c0 (?>.*?c1) … .*ck`."""
    chunks: list[str] = [""]
    i = 0
    while i < len(glob):
        char = glob[i]
        if char == "\\" and i + 1 < len(glob):
            chunks[-1] += re.escape(glob[i + 1])
            i += 2
            continue
        if char == "*":
            chunks.append("")
            while i < len(glob) and glob[i] == "*":
                i += 1
            continue
        chunks[-1] += "." if char == "?" else re.escape(char)
        i += 1
    if len(chunks) == 1:
        return re.compile(chunks[0], re.S)
    middle = "".join(f"(?>.*?{chunk})" for chunk in chunks[1:-1])
    return re.compile(f"{chunks[0]}{middle}.*{chunks[-1]}", re.S)


@dataclass(frozen=True)
class Glob:
    segments: tuple[str, ...]
    """Each `**`, or a segment's own glob."""

    @classmethod
    def compile(cls, pattern: str) -> Glob | None:
        """None for a pattern that matches nothing (empty)."""
        p = pattern.strip().lstrip("/")
        if not p:
            return None
        anchored = "/" in p.rstrip("/")
        if p.endswith("/"):
            p += GLOBSTAR
        parts = [s for s in _split(p) if s != ""]
        if not anchored:
            parts = [GLOBSTAR, *parts]
        return cls(tuple(parts))

    def match(self, path: str) -> bool:
        """Whether the vault-relative `path` (with `/`) matches."""
        names = path.split("/")
        pats = self.segments
        i = j = 0
        star_i, star_j = -1, 0
        while j < len(names):
            if i < len(pats) and pats[i] == GLOBSTAR:
                star_i, star_j = i, j
                i += 1
            elif i < len(pats) and _segment(pats[i]).fullmatch(names[j]):
                i += 1
                j += 1
            elif star_i >= 0:  # let the last `**` take one more folder, and go on from there
                star_j += 1
                i, j = star_i + 1, star_j
            else:
                return False
        while i < len(pats) and pats[i] == GLOBSTAR:
            i += 1
        return i == len(pats)


def compile_globs(patterns: list[str]) -> list[Glob]:
    return [g for p in patterns if (g := Glob.compile(p)) is not None]


def matches(path: str, globs: list[Glob]) -> bool:
    return any(g.match(path) for g in globs)
