"""`vaultkit.toml`: one spec table (CONFIG_SPEC) that validates the file and generates the docs.

Every setting has a default, so a vault without a config works. Unknown keys are warnings,
bad values are errors naming the key and the expected form; both go to `vaultkit check`.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vaultkit.errors import VaultkitError
from vaultkit.vault.obsidian import DailyNotes, daily_notes
from vaultkit.vault.problems import Problem, error, warning
from vaultkit.vault.rulebook import RULES

CONFIG_NAME = "vaultkit.toml"

DEFAULT_STAGES: dict[str, bool] = {
    # stage -> active?  The order is the pipeline's order, used by the board and the funnel.
    "lead": True,
    "applied": True,
    "screening": True,
    "interviewing": True,
    "offer": True,
    "accepted": False,
    "rejected": False,
    "withdrawn": False,
    "ghosted": False,
}


@dataclass(frozen=True)
class Setting:
    key: str
    """Dotted key; `<name>` stands for any key the user chooses (a field, a stage, a rule)."""
    kind: str
    """What the value must look like, as `_validate` checks it: str, timezone, bool, int, url,
    list, duration, or `choice:a,b,…`."""
    default: Any
    doc: str


def _rule_settings() -> list[Setting]:
    """Every rule's settings, from its record (vault/rulebook.py): `enabled`, then its own."""
    out = []
    for rule in RULES:
        out.append(Setting(f"rules.{rule.id}.enabled", "bool", True, f"run the `{rule.id}` rule"))
        out += [
            Setting(f"rules.{rule.id}.{o.name}", o.kind, o.default, o.doc) for o in rule.settings
        ]
    return out


CONFIG_SPEC: list[Setting] = [
    Setting(
        "timezone",
        "timezone",
        "",
        "IANA time zone for naive datetimes in notes and for the feed (empty: the machine's)",
    ),
    Setting(
        "output",
        "str",
        "_site",
        "folder of the site for you (every page, `vault.json`, the feed), relative to the vault; "
        "never publish it",
    ),
    Setting(
        "publish",
        "str",
        "_publish",
        "folder of what you may publish: the calendar feed at `feed.detail`, nothing else "
        "(relative to the vault, or absolute, `~` allowed; empty: none)",
    ),
    Setting(
        "exclude",
        "list",
        [],
        "glob patterns (relative to the vault) of files to skip, "
        'e.g. `["templates/**", "archive/*.md"]`',
    ),
    Setting(
        "exclude_templates",
        "bool",
        True,
        "skip the note templates: the folder set in "
        "Obsidian's Templates or Templater settings, and a top-level `templates/` folder",
    ),
    Setting(
        "daily_notes.folder",
        "str",
        "",
        "folder of the daily notes (empty: Obsidian's Daily notes or Periodic Notes setting, "
        "else anywhere)",
    ),
    Setting(
        "daily_notes.format",
        "str",
        "",
        "Moment format of a daily note's name, folders included, e.g. `YYYY/MM/DD.MM.YYYY` "
        "(empty: Obsidian's setting, else `YYYY-MM-DD`)",
    ),
    Setting(
        "date_format",
        "str",
        "",
        "Moment format of dates your properties write otherwise than ISO, e.g. `MM/DD/YYYY` or "
        "`DD.MM.YYYY` (`vaultkit adopt` proposes it; dates with the month's name, like "
        "`Dec 6, 2025`, are read without it)",
    ),
    Setting(
        "vault_name",
        "str",
        "",
        "Obsidian vault name for `obsidian://` links (empty: the name of the nearest folder "
        "at or above the vault with an `.obsidian/` folder; links then hold the path from it)",
    ),
    Setting(
        "site_url",
        "url",
        "",
        "public address of the built site (e.g. `https://me.example/"
        "jobs`): the feed's `URL` links there when `vault_name` is unknown",
    ),
    Setting(
        "types.company.folders",
        "list",
        ["companies"],
        "folders whose notes are companies (opportunities)",
    ),
    Setting("types.company.tags", "list", [], "tags that make a note a company"),
    Setting(
        "types.contact.folders", "list", ["contacts", "people"], "folders whose notes are contacts"
    ),
    Setting("types.contact.tags", "list", [], "tags that make a note a contact"),
    Setting(
        "types.interaction.folders", "list", [], "folders whose notes each record one interaction"
    ),
    Setting("types.interaction.tags", "list", [], "tags that make a note an interaction"),
    Setting("types.interaction.date", "str", "date", "field holding an interaction note's date"),
    Setting(
        "types.interaction.with", "str", "with", "field linking whom an interaction note was with"
    ),
    Setting(
        "types.interaction.direction",
        "str",
        "",
        "field saying who wrote: `Sent`/`Outgoing` (you), `Received`/`Incoming` (them), "
        "`Exchanged` (both); empty: read from tags and the note's words",
    ),
    Setting(
        "fields.<name>",
        "list",
        None,
        "vaultkit's field `<name>` is read from the first "
        'of these properties present, e.g. `applied = ["Applied-Date"]`',
    ),
    Setting(
        "types.company.fields.<name>",
        "list",
        None,
        "like `fields.<name>`, for companies only (they win over `[fields]`), "
        'e.g. `name = ["Company"]` where file names carry dates',
    ),
    Setting(
        "types.contact.fields.<name>",
        "list",
        None,
        "like `fields.<name>`, for contacts only (they win over `[fields]`)",
    ),
    Setting(
        "stages.<name>",
        "list",
        None,
        "values in the vault that mean stage `<name>`, "
        'e.g. `offer = ["Offered"]`; a new `<name>` adds a stage',
    ),
    Setting(
        "closed_stages",
        "list",
        [s for s, active in DEFAULT_STAGES.items() if not active],
        "stages that end an application: derived rules stop for them",
    ),
    *_rule_settings(),
    Setting(
        "drafts.signature",
        "str",
        "",
        "how drafts sign off, e.g. `Sam Rivera` (empty: a `[your name]` placeholder)",
    ),
    Setting("feed.name", "str", "Job search follow-ups", "calendar name shown by calendar apps"),
    Setting(
        "feed.todo",
        "bool",
        False,
        "write follow-ups as VTODO instead of VEVENT (most calendar apps do not show VTODOs)",
    ),
    Setting(
        "feed.alarm_minutes",
        "int",
        -1,
        "add a reminder this many minutes before each follow-up (-1: none)",
    ),
    Setting("feed.refresh_hours", "int", 1, "how often subscribers should refetch the feed"),
    Setting(
        "feed.detail",
        "choice:full,minimal,private",
        "full",
        "how much the feed says: `full`, `minimal` (rule and company only), "
        '`private` (only "Follow-up" and the date)',
    ),
    Setting(
        "feed.overdue_on_today",
        "bool",
        True,
        'show an open follow-up past its date on today, all day, "overdue since" that date',
    ),
    Setting(
        "feed.past_days",
        "int",
        30,
        "follow-ups overdue by more than this many days leave the feed (the agenda keeps them)",
    ),
]

DURATION_RE = re.compile(r"^\s*(\d+)\s*(d|days?|w|weeks?|m|months?|y|years?)\s*$", re.I)
NAMED_DURATIONS = {
    "daily": (1, "d"),
    "weekly": (1, "w"),
    "biweekly": (2, "w"),
    "fortnightly": (2, "w"),
    "monthly": (1, "m"),
    "bimonthly": (2, "m"),
    "quarterly": (3, "m"),
    "yearly": (1, "y"),
    "annually": (1, "y"),
}


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_SPOKEN = re.compile(r"^(?:every|each)\s+(?:(other)\s+)?(.*)$")


def _spoken(text: str) -> str:
    """`every 3 weeks` -> `3 weeks`, `every two months` -> `2 months`, `every week` -> `1 week`,
    `every other week` -> `2 week`, as people write a cadence."""
    m = _SPOKEN.match(text)
    if not m:
        count, _, rest = text.partition(" ")
        return f"{_NUMBER_WORDS[count]} {rest}" if count in _NUMBER_WORDS and rest else text
    count, _, rest = m.group(2).partition(" ")
    if not rest:
        count, rest = "1", count
    count = _NUMBER_WORDS.get(count, count)
    if m.group(1):
        count = str(2 * int(count)) if count.isdigit() else count
    return f"{count} {rest}"


def parse_duration(value: str) -> tuple[int, str] | None:
    """`10d`, `3w`, `2m`, `1y`, `monthly`, `quarterly`, `every 3 weeks` … -> (count, unit in
    d/w/m/y), else None."""
    text = _spoken(" ".join(value.strip().lower().split()))
    if text in NAMED_DURATIONS:
        return NAMED_DURATIONS[text]
    m = DURATION_RE.match(text)
    if not m:
        return None
    count, unit = int(m.group(1)), m.group(2)[0].lower()
    if not 0 < count * _UNIT_DAYS[unit] <= MAX_DURATION_DAYS:
        return None
    return count, unit


_UNIT_DAYS = {"d": 1, "w": 7, "m": 31, "y": 366}
MAX_DURATION_DAYS = 100 * 366
"""A longer keep-in-touch interval is a typo, and would overflow date arithmetic."""


_URL = re.compile(r"https?://[^\s/?#\x00-\x1f\x7f]+[^\s\x00-\x1f\x7f]*", re.I)


def _check_timezone(value: str) -> str | None:
    if value == "":
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f'an IANA time zone such as "Europe/Berlin", got {value!r}'
    return None


def _validate(kind: str, value: Any) -> str | None:
    """None when `value` fits `kind`, else what was expected."""
    if kind in ("str", "timezone"):
        if not isinstance(value, str):
            return f"text, got {value!r}"
        return _check_timezone(value) if kind == "timezone" else None
    if kind == "bool":
        return None if isinstance(value, bool) else f"true or false, got {value!r}"
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 100_000
        return None if ok else f"a whole number from -100000 to 100000, got {value!r}"
    if kind == "url":  # goes into the feed and the pages: one http(s) address, nothing else
        if isinstance(value, str) and (value == "" or _URL.fullmatch(value)):
            return None
        return f'an http(s) address such as "https://me.example/jobs", got {value!r}'
    if kind == "list":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return None
        return f'a list of text such as ["a", "b"], got {value!r}'
    if kind == "duration":
        if isinstance(value, str) and (value == "" or parse_duration(value)):
            return None
        return f'a duration such as "10d", "3w", "2m" or "monthly", got {value!r}'
    if kind.startswith("choice:"):
        choices = kind.removeprefix("choice:").split(",")
        return None if value in choices else f"one of {', '.join(choices)}, got {value!r}"
    raise AssertionError(kind)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


_SPEC_PATTERNS = [
    (re.compile(re.escape(s.key).replace(re.escape("<name>"), r"[^.]+")), s) for s in CONFIG_SPEC
]


@functools.lru_cache(maxsize=1024)
def _spec_for(key: str) -> Setting | None:
    return next((setting for pattern, setting in _SPEC_PATTERNS if pattern.fullmatch(key)), None)


def machine_timezone() -> str:
    """The machine's IANA zone name: $TZ, else /etc/localtime's target, else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name and _check_timezone(name) is None:
        return name
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidate = target.split("zoneinfo/", 1)[1]
            if _check_timezone(candidate) is None:
                return candidate
    except OSError:
        pass
    return "UTC"


@dataclass(frozen=True)
class Config:
    vault: Path
    values: dict[str, Any] = field(default_factory=dict)
    """Flat dotted keys -> validated values, as written in the file (defaults not included)."""
    problems: tuple[Problem, ...] = ()
    timezone_name: str = "UTC"
    """The vault's IANA zone: `timezone`, else the machine's ($TZ, /etc/localtime)."""
    obsidian_root: Path | None = None
    """The Obsidian vault holding this one: the nearest folder at or above it with an
    `.obsidian/` folder (a job-search folder may live inside a larger Obsidian vault)."""
    # Both are read from the environment and the disk once, by load_config, so that nothing
    # downstream (a renderer above all) reads either.

    def get(self, key: str) -> Any:
        """The setting's value (the file's, an override's, else its default). A key that is
        not in CONFIG_SPEC is a programming error (a typo such as `feed.detial`), never None."""
        if key in self.values:
            return self.values[key]
        setting = _spec_for(key)
        if setting is None:
            raise KeyError(f"{key!r} is not a setting: CONFIG_SPEC has no such key")
        return setting.default

    def table(self, prefix: str) -> dict[str, Any]:
        """The user's entries under `prefix.` (for `<name>` keys such as fields or stages)."""
        dotted = prefix + "."
        return {
            k.removeprefix(dotted): v
            for k, v in self.values.items()
            if k.startswith(dotted) and "." not in k.removeprefix(dotted)
        }

    @functools.cached_property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone_name)

    @property
    def output_dir(self) -> Path:
        return self.vault / os.path.expanduser(self.get("output"))

    @property
    def publish_dir(self) -> Path | None:
        folder = self.get("publish")
        return self.vault / os.path.expanduser(folder) if folder else None

    @functools.cached_property
    def daily_notes(self) -> DailyNotes | None:
        """Where daily notes are and how they are named (vaultkit.toml, else the settings of
        the Obsidian vault this one is or lies in); None when neither says."""
        root = self.obsidian_root or self.vault
        inside = self.vault.relative_to(root).as_posix() if root != self.vault else ""
        return daily_notes(
            root,
            str(self.get("daily_notes.folder")),
            str(self.get("daily_notes.format")),
            inside,
        )

    @property
    def vault_name(self) -> str:
        name = self.get("vault_name")
        if name:
            return name
        root = self.obsidian_root
        return root.name if root is not None else ""

    @property
    def obsidian_folder(self) -> str:
        """Where this vault sits inside its Obsidian vault (`""` at its root, else a path with
        `/`), for `obsidian://` links."""
        root = self.obsidian_root
        if root is None or root == self.vault:
            return ""
        return self.vault.relative_to(root).as_posix()

    @functools.cached_property
    def stages(self) -> dict[str, bool]:
        """Every stage name (lower case) -> active?, in pipeline order."""
        closed = {s.lower() for s in self.get("closed_stages")}
        names = list(DEFAULT_STAGES) + [
            s.lower() for s in self.table("stages") if s.lower() not in DEFAULT_STAGES
        ]
        return {name: name not in closed for name in names}

    @functools.cached_property
    def stage_aliases(self) -> dict[str, str]:
        """Lower-cased value written in a note -> stage name."""
        aliases = {name: name for name in self.stages}
        for stage, values in self.table("stages").items():
            for value in values:
                aliases[value.strip().lower()] = stage.lower()
        return aliases

    def field_names(self, name: str, kind: str | None = None) -> list[str]:
        """The properties (lower case) that hold vaultkit's field `name` on notes of `kind`
        (`company`, `contact`), first present wins: `[types.<kind>.fields]`, else `[fields]`."""
        mapped = self.values.get(f"types.{kind}.fields.{name}") if kind else None
        mapped = mapped or self.values.get(f"fields.{name}")
        return [n.lower() for n in mapped] if mapped else [name]

    def line_of(self, key: str) -> int:
        return _line_of(self.vault / CONFIG_NAME, key)

    def rule(self, rule_id: str, key: str) -> Any:
        return self.get(f"rules.{rule_id}.{key}")

    def type_list(self, kind: str, key: str) -> list[str]:
        return list(self.get(f"types.{kind}.{key}"))


def load_config(vault: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read `vaultkit.toml` (if any); never raises for a bad file, it collects problems instead."""
    if not vault.is_dir():
        raise VaultkitError(f"vault folder not found: {vault}")
    path = vault / CONFIG_NAME
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
            problems.append(error(CONFIG_NAME, line, f"not valid TOML: {exc}"))
        except OSError as exc:
            problems.append(error(CONFIG_NAME, 0, f"cannot read: {exc.strerror}"))
    values: dict[str, Any] = {}
    for key, value in {**_flatten(raw), **(overrides or {})}.items():
        setting = _spec_for(key)
        if setting is None:
            problems.append(
                warning(CONFIG_NAME, _line_of(path, key), f"unknown setting `{key}` (ignored)")
            )
            continue
        expected = _validate(setting.kind, value)
        if expected:
            problems.append(error(CONFIG_NAME, _line_of(path, key), f"`{key}` must be {expected}"))
            continue
        values[key] = value
    root = vault.resolve()
    return Config(
        vault=root,
        values=values,
        problems=tuple(problems),
        timezone_name=values.get("timezone") or machine_timezone(),
        obsidian_root=_obsidian_root(root),
    )


def _obsidian_root(vault: Path) -> Path | None:
    for folder in (vault, *vault.parents):
        if (folder / ".obsidian").is_dir():
            return folder
    return None


def _line_of(path: Path, dotted: str) -> int:
    """Best-effort line of a key in the TOML file, for messages."""
    last = dotted.rsplit(".", 1)[-1]
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    pattern = re.compile(rf"^\s*\"?{re.escape(last)}\"?\s*=")
    return next((i for i, text in enumerate(lines, 1) if pattern.match(text)), 0)


def setting_docs() -> str:
    """The body of docs/configuration.md's reference table, generated from CONFIG_SPEC."""
    rows = ["| key | kind | default | meaning |", "|---|---|---|---|"]
    for s in CONFIG_SPEC:
        default = "" if s.default is None else f"`{_toml_repr(s.default)}`"
        rows.append(f"| `{s.key}` | {s.kind.split(':')[0]} | {default} | {s.doc} |")
    return "\n".join(rows)


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_repr(v) for v in value) + "]"
    return str(value)
