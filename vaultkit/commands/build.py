"""`vaultkit build`: evaluate the vault, render every output, write them.

`build(config, today)` evaluates (pipeline.evaluate: the notes with their bodies and stamps,
the follow-ups, the problems), renders every output in memory, then hands them to
`write_outputs`, and remembers what the feed said (vaultkit/store/feedstate.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vaultkit.errors import OutputError, VaultkitError
from vaultkit.pipeline import Bodies, Evaluation, evaluate, inputs_key, problem_from
from vaultkit.render.site import SiteData
from vaultkit.store.output import refuse_foreign
from vaultkit.vault.config import Config
from vaultkit.vault.problems import Problem


@dataclass
class BuildResult:
    out_dir: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: int = 0
    followups: int = 0
    store_refused: str | None = None
    """Why the cache folder was not used, for a warning."""

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


def site_data(evaluation: Evaluation) -> SiteData:
    """What the renderers need from an evaluation, and the drafts of its messages."""
    from vaultkit.views.draft_templates import load_templates
    from vaultkit.views.drafts import compose_all

    vault = evaluation.vault  # reads the notes (and fills `sources`) the first time
    sources = evaluation.sources
    templates, template_problems = load_templates(evaluation.config.vault)
    followups = evaluation.followups
    return SiteData(
        vault,
        followups,
        evaluation.today,
        Bodies(sources, evaluation.body),
        problems=sorted({*evaluation.problems, *template_problems}),
        drafts=compose_all(vault, followups, templates, evaluation.today),
    )


def feed_inputs(
    config: Config, today: date, now: datetime | None, published: Path | None, known: Any = None
) -> Any:
    """What the feed needs from outside the notes: the vault's secret (for the private and
    minimal feeds' UIDs) and what subscribers last saw (`known`, which the live engine keeps;
    else the feed state, raised to the feed already published at `published`)."""
    from vaultkit.render.ics import FeedInputs
    from vaultkit.store import feedstate
    from vaultkit.store.state import vault_secret

    secret = None
    if config.get("feed.detail") != "full":
        secret = vault_secret(config.vault)
        if secret is None:
            raise VaultkitError(
                f"a {config.get('feed.detail')} feed needs its secret in "
                f"{config.vault / '.vaultkit/secret'}, which cannot be created: make the vault "
                "writable once, or copy that file from a machine that has it"
            )
    if known is None:
        known = feedstate.load(config.vault, published)
    return FeedInputs(today, now, secret, known)


def resolve_out_dir(config: Config, out: Path | None) -> Path:
    out_dir = (out if out is not None else config.output_dir).absolute()
    vault = config.vault.resolve()
    if out_dir.resolve() == vault or vault.is_relative_to(out_dir.resolve()):
        raise OutputError(
            f"the output folder {out_dir} would contain the vault; "
            "choose a folder inside it such as `_site`"
        )
    return out_dir


def resolve_publish_dir(config: Config, out_dir: Path) -> Path | None:
    """The folder for what may be published (the `publish` setting), or None. It is kept apart
    from the site: neither may hold the other, nor the vault."""
    folder = config.publish_dir
    if folder is None:
        return None
    folder = folder.absolute()
    real, site = folder.resolve(), out_dir.resolve()
    if config.vault.resolve().is_relative_to(real):
        raise OutputError(f"the publish folder {folder} would contain the vault")
    if real.is_relative_to(site) or site.is_relative_to(real):
        raise OutputError(
            f"the publish folder {folder} and the output folder {out_dir} must be apart: "
            "the site holds everything, the publish folder only what `feed.detail` allows"
        )
    return folder


def check_folders(config: Config, out: Path | None, force: bool = False) -> None:
    """Raise OutputError now for what the first build would refuse (an output or publish
    folder holding files vaultkit did not write): `watch` and `serve` stop at once instead of
    watching a build that cannot succeed."""
    out_dir = resolve_out_dir(config, out)
    for folder in (out_dir, resolve_publish_dir(config, out_dir)):
        if folder is not None and not force:
            refuse_foreign(folder)


PUBLISHED = ("followups.ics",)
"""What the publish folder holds: the feed, at the level `feed.detail` sets."""


def keep_private(out_dir: Path, config: Config) -> None:
    """With `feed.detail` private or minimal, the site (every page, vault.json) is readable by
    its owner only: other users of the machine see no more than the published feed."""
    if config.get("feed.detail") != "full":
        with contextlib.suppress(OSError):
            os.chmod(out_dir, 0o700)


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
    force: bool = False,
    now: datetime | None = None,
) -> BuildResult:
    """Render and write every output: the site into the output folder, the feed alone into
    the publish folder. With the cache, a build whose inputs (notes, config, day, vaultkit)
    and outputs are exactly as the last build left them renders nothing. `progress(stage)`
    hears what the build is doing, for a progress line. `force` writes into folders that hold
    files vaultkit did not write (see `write_outputs`). `now` is when it runs (the
    LAST-MODIFIED of feed events that changed); None: the start of `today`."""
    from vaultkit.commands.engine import Engine

    tell = progress or (lambda _stage: None)
    out_dir = resolve_out_dir(config, out)
    publish_dir = resolve_publish_dir(config, out_dir)
    evaluation = evaluate(config, today, use_cache=use_cache)
    store = evaluation.store
    key = f"{inputs_key(config, evaluation.scan, today)}:{out_dir}:{publish_dir}" if store else ""
    if store and (unchanged := _unchanged(store.result("build", key), out_dir, publish_dir)):
        keep_private(out_dir, config)
        return unchanged
    tell(f"reading {len(evaluation.scan.notes)} notes")
    # The live engine, new: it reads the store's parses, pages and feed events, so a build
    # after an edit renders what the edit reached (and the first build everything).
    engine = Engine(config, today, out_dir, store, force=force, live=False)
    done = engine.refresh(now=now, progress=tell)
    written = done.written
    result = BuildResult(
        out_dir,
        written.written,
        written.unchanged,
        written.removed,
        done.problems,
        done.notes,
        done.followups,
    )
    if store:
        kept = sorted(done.files)
        store.put_result(
            "build",
            key,
            {
                "files": kept,
                "stamps": _outputs_stamp(out_dir, kept),
                "published": _outputs_stamp(publish_dir, list(PUBLISHED)) if publish_dir else None,
                "problems": [p.to_json() for p in result.problems],
                "notes": result.notes,
                "followups": result.followups,
            },
        )
    result.store_refused = evaluation.store_refused
    return result


def _unchanged(saved: Any, out_dir: Path, publish_dir: Path | None) -> BuildResult | None:
    """The last build's result, when its inputs are these and its outputs (the publish
    folder's too) are as it left them (a damaged or foreign record is as good as none)."""
    if saved is None:
        return None
    try:
        files = [f for f in saved["files"] if isinstance(f, str)]
        if files != saved["files"] or _outputs_stamp(out_dir, files) != saved["stamps"]:
            return None
        if publish_dir is not None and (
            _outputs_stamp(publish_dir, list(PUBLISHED)) != saved["published"]
        ):
            return None
        return BuildResult(
            out_dir,
            [],
            files,
            [],
            [problem_from(p) for p in saved["problems"]],
            int(saved["notes"]),
            int(saved["followups"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):  # CodecError is a ValueError
        return None


def feed(
    evaluation: Evaluation, *, now: datetime | None = None, published: Path | None = None
) -> tuple[bytes, list[Problem]]:
    """Just the calendar feed, as `vaultkit ics` prints it, and the vault's problems; the feed
    state remembers it (`published`: where it is written, if anywhere)."""
    from vaultkit.render import ics
    from vaultkit.render.site import draft_texts
    from vaultkit.store import feedstate

    data = site_data(evaluation)
    config = evaluation.config
    inputs = feed_inputs(config, evaluation.today, now, published)
    feed_bytes = ics.feed(data.vault, data.followups, data.pages, inputs, draft_texts(data.drafts))
    feedstate.save(config.vault, feed_bytes, inputs.moment(config.tz))
    too_big = ics.size_warning(feed_bytes)
    return feed_bytes, [*data.problems, *([too_big] if too_big else [])]
