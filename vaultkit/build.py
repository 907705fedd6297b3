"""The one pipeline entry: load the vault, derive the follow-ups, render, write.

`build(config, today)` reads the notes (and their bodies for the pages), renders every output
in memory, then hands them to `write_outputs`, and remembers what the feed said
(vaultkit/feedstate.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vaultkit.config import Config
from vaultkit.followup import FollowUp
from vaultkit.load import inputs_key, load_vault, scan_notes
from vaultkit.model import Vault
from vaultkit.output import OutputError, write_outputs
from vaultkit.parse import read_file
from vaultkit.problems import Problem, VaultkitError
from vaultkit.render.site import SiteData, render_site
from vaultkit.scan import Scan


@dataclass
class BuildResult:
    out_dir: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: int = 0
    followups: int = 0

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def note_bodies(vault: Vault) -> dict[str, str]:
    """Each note's Markdown without its frontmatter (as parsed: from the body's first line)."""
    out = {}
    for path, note in vault.notes.items():
        try:
            text = read_file(vault.config.vault / path).decode("utf-8-sig", "replace")
        except OSError:
            continue
        start = note.parsed.body_line - 1 if note.parsed else 0
        out[path] = "\n".join(text.splitlines()[start:])
    return out


def prepare(
    config: Config, today: date, *, use_cache: bool = False, scan: Scan | None = None
) -> tuple[SiteData, list[FollowUp]]:
    from vaultkit.checks import check_vault
    from vaultkit.rules import derive_followups

    vault = load_vault(config, use_cache=use_cache, scan=scan)
    # The site shows what `vaultkit check` shows, habit and mapping checks included.
    vault.problems[:] = check_vault(vault, today)
    followups = derive_followups(vault, today)
    data = SiteData(vault, followups, today, note_bodies(vault))
    return data, followups


def feed_inputs(config: Config, today: date, now: datetime | None, published: Path | None) -> Any:
    """What the feed needs from outside the notes: the vault's secret (for the private and
    minimal feeds' UIDs) and what subscribers last saw (the feed state, raised to the feed
    already published at `published`)."""
    from vaultkit import feedstate
    from vaultkit.render.ics import FeedInputs
    from vaultkit.state import vault_secret

    secret = None
    if config.get("feed.detail") != "full":
        secret = vault_secret(config.vault)
        if secret is None:
            raise VaultkitError(
                f"a {config.get('feed.detail')} feed needs its secret in "
                f"{config.vault / '.vaultkit/secret'}, which cannot be created: make the vault "
                "writable once, or copy that file from a machine that has it"
            )
    return FeedInputs(today, now, secret, feedstate.load(config.vault, published))


def resolve_out_dir(config: Config, out: Path | None) -> Path:
    out_dir = (out if out is not None else config.output_dir).absolute()
    vault = config.vault.resolve()
    if out_dir.resolve() == vault or vault.is_relative_to(out_dir.resolve()):
        raise OutputError(
            f"the output folder {out_dir} would contain the vault; "
            "choose a folder inside it such as `_site`"
        )
    return out_dir


def _outputs_stamp(out_dir: Path, files: list[str]) -> list[list[int]] | None:
    """Size and modification time of each output, None when one is missing."""
    stamps = []
    for rel in files:
        try:
            st = os.stat(out_dir / rel)
        except OSError:
            return None
        stamps.append([st.st_size, st.st_mtime_ns])
    return stamps


def build(
    config: Config,
    today: date,
    out: Path | None = None,
    *,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Render and write every output. With the cache, a build whose inputs (notes, config,
    day, vaultkit) and outputs are exactly as the last build left them renders nothing.
    `progress(stage)` hears what the build is doing, for a progress line. `now` is when it runs
    (the LAST-MODIFIED of feed events that changed); None: the start of `today`."""
    from vaultkit import feedstate
    from vaultkit.cache import load_result, save_result
    from vaultkit.render.ics import FEED_NAME, size_warning

    tell = progress or (lambda _stage: None)
    out_dir = resolve_out_dir(config, out)
    scan = scan_notes(config)
    key = f"{inputs_key(config, scan, today)}:{out_dir}" if use_cache else ""
    saved = load_result(config.vault, "build", key) if use_cache else None
    if saved is not None and _outputs_stamp(out_dir, saved["files"]) == saved["stamps"]:
        return BuildResult(
            out_dir,
            [],
            list(saved["files"]),
            [],
            [Problem(*p) for p in saved["problems"]],
            saved["notes"],
            saved["followups"],
        )
    tell(f"reading {len(scan.notes)} notes")
    data, followups = prepare(config, today, use_cache=use_cache, scan=scan)
    tell(f"rendering {len(data.vault.notes)} pages and {len(followups)} follow-ups")
    data.feed = feed_inputs(config, today, now, out_dir / FEED_NAME)
    files = render_site(data)
    tell(f"writing {len(files)} files")
    written = write_outputs(files, out_dir)
    feedstate.save(config.vault, files[FEED_NAME], data.feed.moment(config.tz))
    too_big = size_warning(files[FEED_NAME])
    result = BuildResult(
        out_dir,
        written.written,
        written.unchanged,
        written.removed,
        [*data.vault.problems, *([too_big] if too_big else [])],
        len(data.vault.notes),
        len(followups),
    )
    if use_cache:
        kept = sorted([*written.written, *written.unchanged])
        save_result(
            config.vault,
            "build",
            key,
            {
                "files": kept,
                "stamps": _outputs_stamp(out_dir, kept),
                "problems": [[p.path, p.line, p.severity, p.message] for p in result.problems],
                "notes": result.notes,
                "followups": result.followups,
            },
        )
    return result


def feed(
    config: Config, today: date, *, now: datetime | None = None, published: Path | None = None
) -> tuple[bytes, list[Problem]]:
    """Just the calendar feed, as `vaultkit ics` prints it, and the vault's problems; the feed
    state remembers it (`published`: where it is written, if anywhere)."""
    from vaultkit import feedstate
    from vaultkit.render import ics

    data, followups = prepare(config, today)
    inputs = feed_inputs(config, today, now, published)
    data_bytes = ics.feed(data.vault, followups, data.pages, inputs)
    feedstate.save(config.vault, data_bytes, inputs.moment(config.tz))
    too_big = ics.size_warning(data_bytes)
    return data_bytes, [*data.vault.problems, *([too_big] if too_big else [])]
