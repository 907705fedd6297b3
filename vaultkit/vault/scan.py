"""Find the notes of a vault: every `*.md` below it, minus hidden folders, the output and excludes.

Never parses, never follows a symlink out of the vault, never loops on a symlink cycle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vaultkit.vault.globs import Glob, compile_globs, escape, matches
from vaultkit.vault.obsidian import read_settings
from vaultkit.vault.problems import Problem, error, printable, warning


@dataclass(frozen=True)
class Scan:
    notes: list[str]
    """Paths relative to the vault, with `/`, sorted."""
    problems: list[Problem]
    files: list[str] = field(default_factory=list)
    """Every other file (attachments, canvases, bases, excluded notes such as templates),
    sorted: links may name them, as in Obsidian."""


def is_utf8(name: str) -> bool:
    """False for a file name that is not UTF-8 (Python reads its bytes as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NOT_UTF8 = (
    "the {what} name is not valid UTF-8 (copied from Windows or an old system?), so {effect}; "
    "rename it (e.g. `convmv -f latin1 -t utf-8 --notest`)"
)


def _excluded(rel: str, patterns: list[Glob]) -> bool:
    return matches(rel, patterns)


def scan_vault(
    vault: Path, output: str, exclude: list[str], generated: tuple[str, ...] = ()
) -> Scan:
    """The notes and other files below `vault`, minus the `output` folder and the other
    folders vaultkit writes (`generated`, relative to the vault), which hold no note of yours."""
    root = vault.resolve()
    notes: list[str] = []
    files: list[str] = []
    problems: list[Problem] = []
    output_rel = output.strip("/")
    seen_dirs: set[tuple[int, int]] = set()
    patterns = compile_globs(exclude)

    def walk(folder: Path, rel_folder: str, excluded: bool) -> None:
        """Notes into `notes` (none below an excluded folder), other files into `files`; what
        cannot be read below an excluded folder is no problem of the vault's."""
        try:
            st = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            if not excluded:
                problems.append(
                    warning(rel_folder or ".", 0, f"cannot read folder: {exc.strerror or exc}")
                )
            return
        if (st.st_dev, st.st_ino) in seen_dirs:  # a symlink loop
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        for entry in entries:
            name = entry.name
            rel = f"{rel_folder}/{name}" if rel_folder else name
            if name.startswith("."):
                continue
            if not is_utf8(name):
                if not excluded:
                    _not_utf8(entry, printable(rel), problems)
                continue
            try:
                is_link = entry.is_symlink()
                if is_link and not _inside(Path(entry.path), root):
                    if not excluded:
                        problems.append(
                            warning(rel, 0, "symlink points outside the vault (skipped)")
                        )
                    continue
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError as exc:
                if not excluded:
                    problems.append(warning(rel, 0, f"cannot read: {exc.strerror or exc}"))
                continue
            if is_dir:
                if rel != output_rel and rel not in generated:
                    skip = excluded or _excluded(rel, patterns) or _excluded(rel + "/", patterns)
                    walk(Path(entry.path), rel, skip)
            elif not is_file:
                continue
            elif not excluded and name.lower().endswith(".md") and not _excluded(rel, patterns):
                notes.append(rel)
            else:
                files.append(rel)

    walk(root, "", False)
    return Scan(notes=sorted(notes), problems=problems, files=sorted(files))


def _not_utf8(entry: os.DirEntry[str], shown: str, problems: list[Problem]) -> None:
    """One problem line, the path escaped, for a note or folder whose name is not UTF-8: such a
    name cannot be hashed, written to JSON or printed, so it is left out (not its neighbours)."""
    try:
        is_dir = entry.is_dir()
    except OSError:
        return
    if is_dir:
        problems.append(
            error(shown, 0, NOT_UTF8.format(what="folder", effect="its notes were not read"))
        )
    elif entry.name.lower().endswith(".md"):
        problems.append(error(shown, 0, NOT_UTF8.format(what="file", effect="it was not read")))


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on older Pythons
        return False


def template_excludes(vault: Path) -> list[str]:
    """`exclude` patterns for the template folders: their names taken literally (a folder
    called `*` or `[old]` in Obsidian's settings is that folder, not a glob)."""
    return [f"{escape(folder)}/**" for folder in template_folders(vault)]


def template_folders(vault: Path) -> list[str]:
    """Where the vault keeps note templates (Obsidian's core plugin, Templater, or a folder
    called templates): their empty properties are not notes to read."""
    found = []
    for settings, key in (
        (".obsidian/templates.json", "folder"),
        (".obsidian/plugins/templater-obsidian/data.json", "templates_folder"),
    ):
        try:
            folder = read_settings(vault / settings).get(key)
        except AttributeError:  # missing, unreadable, not JSON, not an object
            continue
        if isinstance(folder, str) and folder.strip("/"):
            found.append(folder.strip("/"))
    found += (
        [
            p.name
            for p in vault.iterdir()
            if p.is_dir() and p.name.lower() in ("templates", "template", "_templates")
        ]
        if vault.is_dir()
        else []
    )
    return sorted(set(found))
