"""The draft templates: vaultkit's own, one per rule, and the vault's `templates/drafts/<rule>.md`
over them.

A vault's template is read only if it really is a file inside the vault: a symlink that leads
out of the vault, a FIFO or device, a file over MAX_BYTES or not UTF-8 is a warning, and the
built-in template is used instead. Templates are text; nothing in them runs.
"""

from __future__ import annotations

import functools
import os
import stat
from importlib import resources
from pathlib import Path

from vaultkit.vault.problems import Problem, warning
from vaultkit.views.drafts import DRAFT_RULES, Template, parse_template, unknown_variables

FOLDER = "templates/drafts"
MAX_BYTES = 64 * 1024


@functools.cache
def builtin(rule: str) -> Template:
    text = resources.files("vaultkit").joinpath("templates", "drafts", f"{rule}.md")
    return parse_template(text.read_text("utf-8"), "built-in")


def builtin_templates() -> dict[str, Template]:
    return {rule: builtin(rule) for rule in DRAFT_RULES}


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _read(path: Path) -> bytes:
    """The bytes of a regular file, opened without following a last-moment symlink and
    without blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // 1024} KB")
    return data


def _vault_template(root: Path, real_root: Path, entry: Path, rule: str) -> Template | Problem:
    rel = entry.relative_to(root).as_posix()
    real = Path(os.path.realpath(entry))
    if not _inside(real, real_root):
        return warning(
            rel,
            0,
            "leads outside the vault, so it is not read; the built-in draft template is used",
        )
    try:
        text = _read(real).decode("utf-8")
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return warning(
            rel, 0, f"cannot be read as a draft template ({reason}); the built-in one is used"
        )
    return parse_template(text, rel, builtin(rule).subject)


def templates_stamp(root: Path) -> str:
    """What the vault's draft templates look like on disk (names, sizes, change times): part
    of what a cached evaluation or build depends on."""
    try:
        entries = sorted((root / FOLDER).iterdir())
    except OSError:
        return ""
    stamps = []
    for entry in entries:
        try:
            st = entry.stat()
        except OSError:
            continue
        stamps.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    return "\0".join(stamps)


def load_templates(root: Path) -> tuple[dict[str, Template], list[Problem]]:
    """Each drafted rule's template, the vault's where it has one; and what was wrong."""
    templates = builtin_templates()
    problems: list[Problem] = []
    folder = root / FOLDER
    if not folder.is_dir():
        return templates, problems
    real_root = Path(os.path.realpath(root))
    if not _inside(Path(os.path.realpath(folder)), real_root):
        problems.append(
            warning(FOLDER, 0, "leads outside the vault, so its draft templates are not read")
        )
        return templates, problems
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        problems.append(warning(FOLDER, 0, f"cannot be listed: {exc.strerror or exc}"))
        return templates, problems
    by_name: dict[str, Path] = {}
    for entry in entries:
        by_name.setdefault(entry.name.lower(), entry)  # `Thank-You.md` works too
    for rule in DRAFT_RULES:
        if f"{rule}.md" not in by_name:
            continue
        found = _vault_template(root, real_root, by_name[f"{rule}.md"], rule)
        if isinstance(found, Problem):
            problems.append(found)
            continue
        templates[rule] = found
        unknown = unknown_variables(found)
        if unknown:
            names = ", ".join(f"{{{{{n}}}}}" for n in unknown)
            problems.append(
                warning(
                    found.source,
                    0,
                    f"unknown draft variable(s) {names}: "
                    "they stay as written (see docs/drafts.md for the list)",
                )
            )
    return templates, problems
