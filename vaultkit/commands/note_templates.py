"""A new note made the way the vault makes its own (`vaultkit new`): in the folder where its
newest notes of that type go, from the vault's own template for that type, with the
placeholders of Obsidian's core Templates plugin and Templater's plain commands filled in; or,
without such a template, from the built-in one in the vault's own words (property names, stage
word, tag). Pure functions over the model and text; edit.py reads and writes the files.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath

from vaultkit.errors import VaultkitError
from vaultkit.vault.config import Config
from vaultkit.vault.fields import squash
from vaultkit.vault.model import Vault
from vaultkit.vault.obsidian import format_moment
from vaultkit.vault.scan import template_folders

# ------------------------------------------------------------------------------ the folder

# Folder names of a date (`2026-W40`, `2026-10`, `2026`, `10`, `Q4`, `October 2026`), each
# with the Moment format that writes today's.
_DATED_NAMES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\d{4}-W\d{2}"), "GGGG-[W]WW"),
    (re.compile(r"\d{4}-W\d{1,2}"), "GGGG-[W]W"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "YYYY-MM-DD"),
    (re.compile(r"\d{4}-\d{2}"), "YYYY-MM"),
    (re.compile(r"\d{4}-Q[1-4]"), "YYYY-[Q]Q"),
    (re.compile(r"Q[1-4]"), "[Q]Q"),
    (re.compile(r"\d{4}"), "YYYY"),
    (re.compile(r"\d{2}"), "MM"),
    (re.compile(r"\d{2}-[A-Z][a-z]+"), "MM-MMMM"),
    (re.compile(r"[A-Z][a-z]+ \d{4}"), "MMMM YYYY"),
]


def _dated_format(names: list[str]) -> str | None:
    """The Moment format all these sibling folder names are written in, if one is."""
    return next((f for p, f in _DATED_NAMES if all(p.fullmatch(n) for n in names)), None)


def _natural(path: str) -> list[object]:
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", path)]


def new_folder(vault: Vault, kind: str, day: date) -> str:
    """Where a new note of `kind` goes: where the vault's notes of that kind are (the folder,
    dated sub-folders aside, that holds most of them; a configured one first on a tie), and
    inside it where its newest notes go: a folder filed by date (a week, a month) gets
    today's, named as its siblings are (`Applications/2026-W40`). Without any such note, the
    first configured folder."""
    config = vault.config
    configured = [f.strip("/") for f in config.type_list(kind, "folders") if f.strip("/")]
    parents = Counter(
        str(PurePosixPath(n.path).parent) for n in vault.records(kind) if "/" in n.path
    )
    if not parents:
        if not configured:
            raise VaultkitError(
                f"no folder holds {kind} notes and none is configured "
                f"(`types.{kind}.folders` in vaultkit.toml)"
            )
        return configured[0]
    homes: Counter[str] = Counter()
    for parent, count in parents.items():
        homes[_undated(parent)] += count
    ranked = sorted(
        homes, key=lambda f: (-homes[f], configured.index(f) if f in configured else 99, f)
    )
    home = ranked[0]
    below = sorted((p for p in parents if p.startswith(home + "/")), key=_natural)
    if not below:
        return home
    # The dated levels below the home folder (`2026/10`): today's, named as they are.
    depth = max(p.count("/") for p in below) - home.count("/")
    deepest = [p for p in below if p.count("/") - home.count("/") == depth]
    levels = [p[len(home) + 1 :].split("/") for p in deepest]
    formats = [_dated_format(sorted({parts[i] for parts in levels})) for i in range(depth)]
    if all(formats):
        when = datetime(day.year, day.month, day.day)
        return "/".join([home, *(format_moment(f, when) for f in formats if f)])
    return below[-1]  # no date to follow: where the last (by name) went


def _undated(folder: str) -> str:
    """The folder without its dated tail (`Applications/2026-W40` -> `Applications`)."""
    parts = folder.split("/")
    while len(parts) > 1 and any(p.fullmatch(parts[-1]) for p, _ in _DATED_NAMES):
        parts.pop()
    return "/".join(parts)


# ---------------------------------------------------------------------------- the template

KIND_WORDS = {
    "company": {"company", "companies", "application", "applications", "job", "jobs"}
    | {"position", "positions", "opportunity", "opportunities", "role", "roles", "employer"},
    "contact": {"contact", "contacts", "person", "people", "recruiter", "recruiters"}
    | {"networking", "network", "hiring", "manager", "interviewer", "referral"},
}


def _front_keys(text: str) -> set[str]:
    """The property names of a template's frontmatter (read by line: a template's YAML need
    not parse before its placeholders are filled). A key is what comes before a line's first
    colon, when a space or the line's end follows it; found with `str.find`, as a pattern
    over the whole block took time quadratic in it."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return set()
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    keys = set()
    for line in lines[1:end]:
        colon = line.find(":")
        if colon <= 0 or line[0].isspace() or line[0] in "#-":
            continue
        if colon + 1 == len(line) or line[colon + 1].isspace():
            keys.add(squash(line[:colon]))
    return keys


def template_candidates(root: Path) -> list[Path]:
    """The note templates of the vault: `.md` files in its templates folders (Obsidian's core
    plugin, Templater, a folder called templates), not the draft templates of
    `templates/drafts/`."""
    found = []
    for folder in template_folders(root):
        base = root / folder
        if base.is_dir():
            found += [
                p
                for p in sorted(base.rglob("*.md"))
                if "drafts" not in p.relative_to(base).parts[:-1]
            ]
    return found


def choose_template(vault: Vault, kind: str, candidates: dict[Path, str]) -> Path | None:
    """The vault's template for `kind` among `candidates` (path -> text): the one whose name
    says the kind (`Company.md`, `Job Application.md`, `Recruiter.md`) and whose properties
    are those the vault's notes of that kind have; None when none is clearly for it."""
    other = "contact" if kind == "company" else "company"
    used: Counter[str] = Counter()
    for note in vault.records(kind):
        if note.parsed is not None:
            used.update(
                {squash(k) for k in note.parsed.meta} | {squash(k) for k in note.parsed.inline}
            )
    common = {k for k, n in used.items() if n * 2 >= max(1, len(vault.records(kind)))}
    tags = {t.lower().lstrip("#") for t in vault.config.type_list(kind, "tags")}
    best: tuple[float, str, Path] | None = None
    for path, text in candidates.items():
        words = set(re.findall(r"[a-z]+", path.stem.lower()))
        score = 0.0
        if path.stem.lower() == kind:
            score += 5
        elif words & KIND_WORDS[kind]:
            score += 3
        if words & KIND_WORDS[other]:
            score -= 3
        keys = _front_keys(text)
        if keys and common:
            score += 4 * len(keys & common) / len(keys | common)
        if any(re.search(rf"(?<![\w/-])#?{re.escape(t)}\b", text, re.I) for t in tags):
            score += 1
        if score >= 3 and (best is None or (score, path.as_posix()) > best[:2]):
            best = (score, path.as_posix(), path)
    return best[2] if best else None


# ------------------------------------------------------------------------ the placeholders

_CORE = re.compile(r"\{\{\s*+(title|name|company|date|time)\s*+(?::([^{}]*+))?\}\}")
"""A core placeholder; its format is stripped in code. Possessive, and a format holds no `{`:
`{{date:` and spaces that never close, or `{{date:` by the thousand, cost one pass each
(they took minutes: cubic, then quadratic)."""
_TP_TITLE = re.compile(r"^tp\.file\.title$")
_TP_DATE = re.compile(
    r"""^tp\.(?:date\.(now|today|tomorrow|yesterday)|file\.creation_date)"""
    r"""\(\s*+(?:(["'])(.*?)\2)?\s*+(?:,\s*+(-?\d{1,5})\s*+)?\)$"""
)
"""An offset of at most 99,999 days (273 years): a larger one is left as written, not an
overflow."""


def _templater_commands(text: str) -> list[tuple[int, int, str]]:
    """Where each `<% … %>` is (start, end) and its command, found with `str.find`: a pattern
    tried from every `<%` of a template that never closes one took time quadratic in it, and
    `<%` and spaces cubic."""
    found, at = [], 0
    while (start := text.find("<%", at)) >= 0:
        end = text.find("%>", start + 2)
        if end < 0:
            break
        inner = text[start + 2 : end]
        inner = inner[1:] if inner[:1] in ("-", "_") else inner
        inner = inner[:-1] if inner[-1:] in ("-", "_") else inner
        found.append((start, end + 2, inner.strip()))
        at = end + 2
    return found


def fill(
    template: str,
    values: dict[str, str],
    when: datetime,
    date_format: str = "YYYY-MM-DD",
    time_format: str = "HH:mm",
) -> tuple[str, list[str]]:
    """The template with its placeholders filled, and the Templater commands it left as they
    are (vaultkit runs no code). Core: `{{title}}` (also `{{name}}`), `{{date}}`,
    `{{date:FORMAT}}`, `{{time}}`, `{{time:FORMAT}}`, and vaultkit's `{{company}}`; Templater:
    `<% tp.file.title %>`, `<% tp.date.now("FORMAT") %>` (with an offset in days too),
    `tomorrow`, `yesterday` and `tp.file.creation_date()`. Any other `{{…}}` stays."""

    def core(m: re.Match[str]) -> str:
        key, fmt = m.group(1), (m.group(2) or "").strip()
        if key in ("title", "name"):
            return values.get("name", m.group())
        if key == "company":
            return values.get("company", m.group())
        default = date_format if key == "date" else time_format
        return format_moment(fmt or default, when)

    left: list[str] = []

    def templater(written: str, command: str) -> str:
        if _TP_TITLE.match(command):
            return values.get("name", written)
        if d := _TP_DATE.match(command):
            shift = {"tomorrow": 1, "yesterday": -1}.get(d.group(1) or "", 0)
            shift += int(d.group(4) or 0)
            return format_moment(d.group(3) or "YYYY-MM-DD", when + timedelta(days=shift))
        left.append(written)
        return written

    text = _CORE.sub(core, template)
    out, at = [], 0
    for start, end, command in _templater_commands(text):
        out += [text[at:start], templater(text[start:end], command)]
        at = end
    return "".join([*out, text[at:]]), left


# -------------------------------------------------------------- the built-in template's words


def in_vault_words(text: str, config: Config, kind: str) -> str:
    """The built-in template in the vault's words: its property names (`[fields]`,
    `[types.<kind>.fields]`), its word for the first stage (`status: Not Applied`), and the
    type's tag in `tags:`, so the note shows in the vault's own views."""
    out = []
    lines = text.split("\n")
    end = (
        next((i for i in range(1, len(lines)) if lines[i] == "---"), 0)
        if lines[:1] == ["---"]
        else 0
    )
    stages = config.table("stages")
    lead = next((v for k, vs in stages.items() if k.lower() == "lead" for v in vs), None)
    tag = next(iter(config.type_list(kind, "tags")), None)
    for i, line in enumerate(lines):
        m = re.match(r"^([A-Za-z_][\w-]*)(\s*:)(.*)$", line) if 0 < i < end else None
        if m is None:
            out.append(line)
            continue
        field, rest = m.group(1).lower(), m.group(3)
        mapped = config.values.get(f"types.{kind}.fields.{field}") or config.values.get(
            f"fields.{field}"
        )
        if field == "stage" and lead and rest.strip().lower() == "lead":
            rest = f" {_yaml_text(lead)}"
        if field == "tags" and tag and rest.strip() in ("[]", ""):
            rest = f" [{_yaml_text(tag.lstrip('#'))}]"
        out.append((mapped[0] if mapped else m.group(1)) + m.group(2) + rest)
    return "\n".join(out)


def has_company_placeholder(template: str) -> bool:
    return any(m.group(1) == "company" for m in _CORE.finditer(template))


def _yaml_text(value: str) -> str:
    plain = re.fullmatch(r"[A-Za-z0-9][\w .&/-]*", value) and not value.endswith(" ")
    return value if plain else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
