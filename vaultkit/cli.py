"""The command line: a thin layer that parses options, calls the pipeline, and prints.

Exit codes: 0 ok, 1 problems found in notes, 2 usage error (click's own, and VaultkitError).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from vaultkit import __version__
from vaultkit.errors import VaultkitError
from vaultkit.vault.problems import Problem, printable, printable_lines


def _colour() -> bool:
    from vaultkit.render.terminal import colour_wanted

    return colour_wanted(sys.stdout.isatty(), os.environ)


def _echo(text: str = "", **style: Any) -> None:
    colour = _colour()
    click.echo(click.style(text, **style) if colour and style else text, color=colour)


def _say(text: str = "", err: bool = False) -> None:
    """Print a message that may hold names from the file system or the notes: control
    characters and the bytes of names that are not UTF-8 are shown escaped (`\\x1b`, `\\xe9`)."""
    click.echo(printable_lines(text), err=err)


def _vault_path(value: str | None) -> Path:
    path = Path(value or os.environ.get("VAULTKIT_VAULT") or ".")
    if not path.is_dir():
        raise click.BadParameter(f"not a folder: {path}", param_hint="--vault")
    return path


def vault_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--vault",
        "vault",
        metavar="PATH",
        default=None,
        help="The vault folder (default: $VAULTKIT_VAULT, else the current folder).",
    )(func)


class DayParam(click.ParamType):
    """A day written YYYY-MM-DD, with a message that says which part is wrong."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.strptime(str(value).strip(), "%Y-%m-%d")
        except ValueError:
            shape = re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value).strip())
            self.fail(
                f"{value!r} is not a day on the calendar"
                if shape
                else f"{value!r} is not a day; write it as YYYY-MM-DD",
                param,
                ctx,
            )


def today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--today",
        type=DayParam(),
        default=None,
        metavar="YYYY-MM-DD",
        help="Evaluate the vault as of this day (default: today).",
    )(func)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn vaultkit's own errors into a message and an exit code; never show a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VaultkitError as exc:
            _say(f"vaultkit: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.exit(130)
        except OSError as exc:  # the machine's doing (a full disk, a read-only folder), not a bug
            if os.environ.get("VAULTKIT_DEBUG"):
                raise
            _say(f"vaultkit: {exc}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug in vaultkit, not in the notes
            if os.environ.get("VAULTKIT_DEBUG"):
                raise
            _say(
                f"vaultkit: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in vaultkit; rerun with VAULTKIT_DEBUG=1 for details.",
                err=True,
            )
            sys.exit(3)

    return wrapper


def cache_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Reparse every note instead of reusing the cache.",
    )(func)


def _evaluate(
    vault: str | None, today: datetime | None, no_cache: bool = False, config: Any = None
) -> Any:
    """The vault as of --today (or the real today): pipeline.evaluate, the one front door."""
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    config = config or load_config(_vault_path(vault))
    evaluation = evaluate(config, _today(today, config.tz), use_cache=not no_cache)
    _warn_store(evaluation.store_refused)
    return evaluation


def _warn_store(refused: str | None) -> None:
    if refused:
        click.echo(f"vaultkit: warning: not using the cache: {printable(refused)}", err=True)


@contextlib.contextmanager
def _progress_line(what: str, after: float = 0.3) -> Iterator[Callable[[str], None]]:
    """On a terminal, a line on stderr that says which stage a long job is in (shown only
    once it has taken `after` seconds, so quick runs do not flicker); erased at the end."""
    started = time.monotonic()
    shown = False
    show = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"  # it erases the line

    def report(stage: str) -> None:
        nonlocal shown
        if show and time.monotonic() - started >= after:
            sys.stderr.write(f"\r\033[K{what}: {stage}…")
            sys.stderr.flush()
            shown = True

    try:
        yield report
    finally:
        if shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _today(value: datetime | None, tz: Any) -> date:
    return value.date() if value else datetime.now(tz).date()


def _now(today: datetime | None) -> datetime | None:
    """When the command runs, for the feed's LAST-MODIFIED; with `--today` the start of that
    day instead (None), so that a build as of a given day gives the same bytes every time."""
    return None if today else datetime.now(UTC)


def _problem_summary(problems: list[Problem]) -> tuple[int, int]:
    errors = sum(p.severity == "error" for p in problems)
    return errors, len(problems) - errors


def _complete_notes(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Company and contact names for a NOTE argument (docs/completion.md)."""
    from vaultkit.commands.completion import note_names

    return [
        click.shell_completion.CompletionItem(name, help=what)
        for name, what in note_names(ctx.params.get("vault"), incomplete)
    ]


def _complete_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Open follow-up ids (with their titles) for `done`."""
    from vaultkit.commands.completion import followup_ids

    day = ctx.params.get("today")
    return [
        click.shell_completion.CompletionItem(fid, help=title)
        for fid, title in followup_ids(
            ctx.params.get("vault"), day.date() if day else None, incomplete
        )
    ]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultkit")
def cli() -> None:
    """Turn a folder of Markdown notes into a job-search follow-up system."""


@cli.command()
@vault_option
@today_option
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="Show follow-ups due within this many days (and every overdue one).",
)
@click.option("--all", "everything", is_flag=True, help="Show every open follow-up.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of follow-ups.")
@click.option(
    "--quickfix",
    is_flag=True,
    help="Print one `path:line: …` line per follow-up, for vim's quickfix list.",
)
@cache_option
@friendly_errors
def agenda(
    vault: str | None,
    today: datetime | None,
    days: int,
    everything: bool,
    as_json: bool,
    quickfix: bool,
    no_cache: bool,
) -> None:
    """What is due: overdue, today, tomorrow, this week, later."""
    from vaultkit.render.terminal import format_agenda, format_quickfix, shown_path
    from vaultkit.vault.config import CONFIG_NAME
    from vaultkit.views.agenda import agenda_items, unmapped

    if as_json and quickfix:
        raise click.UsageError("--json and --quickfix are two forms of the same list: pick one")
    result = _evaluate(vault, today, no_cache)
    here = Path.cwd().resolve()
    colour = _colour()
    configured = (result.config.vault / CONFIG_NAME).is_file()

    def printed() -> dict[str, Any]:
        """What the agenda prints: kept with the answers, for an unchanged vault."""
        tz = result.config.tz
        day = result.today
        items = agenda_items(result.followups, day, tz, days=days, everything=everything)
        hint = unmapped(result.notes, result.records, configured)
        shown: dict[str, str] = {}

        def where(rel: str) -> str:  # a note's path as it works from the current folder
            if rel not in shown:
                shown[rel] = shown_path(result.config.vault, rel, here)
            return shown[rel]

        out, err = None, None
        if as_json:
            out = json.dumps([item.to_json() for item in items], indent=2, ensure_ascii=False)
            if hint and not items:
                err = f"vaultkit: {hint}"
        elif quickfix:
            out = format_quickfix(items, day, tz, where) if items else None
        else:
            out = format_agenda(items, day, tz, colour=colour, where=where, empty=hint)
        errors, _ = _problem_summary(result.problems)
        return {"out": out, "err": err, "errors": errors}

    args = [days, everything, as_json, quickfix, colour, configured, os.fsencode(here).hex()]
    view = result.view("agenda", args, printed)
    if not (isinstance(view, dict) and isinstance(view.get("errors"), int)):
        view = printed()  # a damaged or foreign row: print afresh
    if isinstance(view.get("out"), str):
        click.echo(view["out"], color=colour)
    if isinstance(view.get("err"), str):
        click.echo(view["err"], err=True)
    errors = view["errors"]
    if errors:
        click.echo(
            f"vaultkit: {errors} problem(s) in notes; what they affect was left out. "
            "Run `vaultkit check` for details.",
            err=True,
        )
        sys.exit(1)


@cli.command()
@vault_option
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON array.")
@cache_option
@friendly_errors
def check(vault: str | None, today: datetime | None, as_json: bool, no_cache: bool) -> None:
    """List every problem in the vault as `path:line: severity: message`."""
    result = _evaluate(vault, today, no_cache)
    problems = result.problems
    errors, warnings = _problem_summary(problems)
    if as_json:
        click.echo(json.dumps([p.to_json() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            colour = "red" if problem.severity == "error" else "yellow"
            where = f"{problem.path}:{problem.line}" if problem.line else problem.path
            _echo(
                f"{printable(where)}: "
                + (click.style(problem.severity, fg=colour) if _colour() else problem.severity)
                + f": {printable(problem.message)}"
            )
        notes = result.notes
        summary = (
            f"{errors} error(s), {warnings} warning(s) in {notes} note(s)"
            if problems
            else f"No problems in {notes} note(s)."
        )
        _echo(summary, bold=True)
    if errors:
        sys.exit(1)


# ---------------------------------------------------------------- commands that edit notes
# (vaultkit/commands/edit.py does the work; docs/editing.md says which bytes each one changes)


@cli.command()
@click.argument(
    "directory",
    metavar="[DIR]",
    required=False,
    default=".",
    type=click.Path(file_okay=False, path_type=Path),
)
@today_option
@friendly_errors
def init(directory: Path, today: datetime | None) -> None:
    """Start a vault in DIR (default: here): vaultkit.toml and two example notes.

    Never overwrites: if any of those files exists, nothing is written.
    """
    from vaultkit.commands.edit import init_vault

    for rel in init_vault(directory, _today(today, None)):
        _say(str(directory / rel))


@cli.group()
def new() -> None:
    """Create a company or contact note from its template (templates/<type>.md in the vault,
    else the built-in one)."""


def _new_note(
    vault: str | None, today: datetime | None, kind: str, name: str, company: str | None = None
) -> None:
    from vaultkit.commands.edit import new_note

    evaluation = _evaluate(vault, today)
    created = new_note(evaluation.vault, kind, name, evaluation.today, company)
    if created.unused:
        _say(
            f"vaultkit: warning: the template {created.template} has no "
            f"{{{{{created.unused[0]}}}}} placeholder; --{created.unused[0]} was not "
            "used",
            err=True,
        )
    if created.unrun:
        _say(
            f"vaultkit: warning: the template {created.template} runs code vaultkit does not "
            f"run; left as written: {', '.join(created.unrun)}",
            err=True,
        )
    if created.clashes:
        _say(
            f"vaultkit: warning: {', '.join(created.clashes)} has the same name; links "
            f"to {name.strip()!r} are ambiguous now",
            err=True,
        )
    _say(str(_vault_path(vault) / created.path))


@new.command("company")
@click.argument("name")
@vault_option
@today_option
@friendly_errors
def new_company(name: str, vault: str | None, today: datetime | None) -> None:
    """Create companies/NAME.md (the first company folder) and print its path."""
    _new_note(vault, today, "company", name)


@new.command("contact")
@click.argument("name")
@click.option(
    "--company",
    metavar="COMPANY",
    default=None,
    help="The company they work at (fills {{company}} with a link to it).",
)
@vault_option
@today_option
@friendly_errors
def new_contact(name: str, company: str | None, vault: str | None, today: datetime | None) -> None:
    """Create a contact note in the first contact folder and print its path."""
    _new_note(vault, today, "contact", name, company)


@cli.command()
@click.argument("note", shell_complete=_complete_notes)
@click.argument("text")
@click.option(
    "--date",
    "--today",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="The log line's date (default: today).",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="Add #TAG to the line (repeatable), e.g. --tag thank-you.",
)
@vault_option
@friendly_errors
def log(
    note: str, text: str, day: datetime | None, tags: tuple[str, ...], vault: str | None
) -> None:
    """Append `- DATE TEXT #tags` to the `## Log` section of NOTE.

    NOTE is a name, an alias, a file name or a path in the vault. A vault that keeps one
    note per conversation (`[types.interaction]`) gets a new interaction note instead.
    """
    from vaultkit.commands.edit import note_by_file, record_touch, resolve_note
    from vaultkit.pipeline import scan_notes
    from vaultkit.vault.config import load_config

    config = load_config(_vault_path(vault))
    # A path or a file name finds the note without reading the vault (a 50 MB note costs the
    # edit, not a parse); only a name or an alias needs every note's properties.
    rel = note_by_file(config.vault, scan_notes(config).notes, note)
    model = None
    if rel is None:
        model = _evaluate(vault, day, config=config).vault
        rel = resolve_note(model, note)
    written = record_touch(config, rel, _today(day, config.tz), text, tags, model)
    _say(f"{written.path}: {written.line}")


@cli.command()
@click.argument("followup_id", metavar="ID", shell_complete=_complete_ids)
@click.option(
    "--sent",
    is_flag=True,
    help="You sent the message it asks for: log `Sent: …` tagged #sent too (an outbound touch).",
)
@vault_option
@today_option
@friendly_errors
def done(followup_id: str, sent: bool, vault: str | None, today: datetime | None) -> None:
    """Complete the follow-up ID (or a unique prefix of it, as `agenda` shows).

    A task is checked (`- [x] … ✅ DATE`); anything else is logged in its company's or
    contact's note with the rule's tag, which the rule counts as done.
    """
    from vaultkit.commands.edit import complete, find_followup, recheck_is_quick
    from vaultkit.store.state import vault_secret
    from vaultkit.vault.identity import feed_uid

    evaluation = _evaluate(vault, today)
    items = evaluation.followups
    secret = vault_secret(evaluation.config.vault, create=False)
    private = {feed_uid(f.id, "private", secret): f for f in items} if secret else {}
    item = find_followup(items, followup_id, private)
    notes = evaluation.scan.notes
    result = complete(evaluation.config, set(notes), item, evaluation.today, sent=sent)
    _say(f"{result.path}: {result.line}")
    for line in result.more:  # a recurring task's next occurrence, a notice
        _say(f"{result.path}: {line}")
    if not recheck_is_quick(evaluation.config.vault, notes):
        click.echo(
            "vaultkit: note: the vault's notes are too large to read again quickly; "
            "`vaultkit agenda` shows what is next",
            err=True,
        )
        return
    after = _evaluate(vault, today, config=evaluation.config)
    again = next((f for f in after.followups if f.id == item.id), None)
    if again is not None and again.due != item.due:
        # A rule that rolls forward (keep-in-touch, engage, share-expertise): it is done for now.
        click.echo(f"Next one due {again.due_date(evaluation.config.tz).isoformat()}.")
    elif again is not None:
        click.echo(
            f"vaultkit: note: the {item.rule} follow-up is still open; "
            "see docs/rules.md for what closes it",
            err=True,
        )


@cli.command()
@click.argument("followup_id", metavar="ID", shell_complete=_complete_ids)
@click.option("--to", "show", flag_value="to", help="Print only the address (the contact's email).")
@click.option(
    "--mailto", "show", flag_value="mailto", help="Print a mailto: URL with subject and body."
)
@click.option(
    "--json",
    "show",
    flag_value="json",
    help="Print subject, body, to and the missing details as JSON.",
)
@vault_option
@today_option
@cache_option
@friendly_errors
def draft(
    followup_id: str, show: str | None, vault: str | None, today: datetime | None, no_cache: bool
) -> None:
    """Print a draft of the message the follow-up ID asks you to write, from your notes.

    A detail your notes lack is a visible [placeholder]; the lines after the draft (on
    stderr) say which note to fill in. The vault's templates/drafts/<rule>.md overrides the
    built-in template.
    """
    from vaultkit.commands.edit import find_followup
    from vaultkit.views.draft_templates import load_templates
    from vaultkit.views.drafts import DRAFT_RULES, compose

    evaluation = _evaluate(vault, today, no_cache)
    item = find_followup(evaluation.followups, followup_id)
    templates, problems = load_templates(evaluation.config.vault)
    found = compose(evaluation.vault, item, templates, evaluation.today)
    if found is None:
        kinds = ", ".join(sorted(DRAFT_RULES))
        raise VaultkitError(
            f"the {item.rule} follow-up {item.id} asks for no message, so it has no draft; "
            f"these rules do: {kinds}"
        )
    _print_problems(problems)
    if show == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
        return
    if show == "mailto":
        click.echo(found.mailto)
        return
    if show == "to":
        if found.to is None:
            hint = next((m for m in found.missing if m.variable == "email"), None)
            why = (
                f"{hint.note}: {hint.how}"
                if hint
                else "it is a LinkedIn note: send it on LinkedIn "
                f"({found.linkedin or 'their note has no `linkedin:` URL'})"
            )
            click.echo(printable(f"vaultkit: no email address for this draft; {why}"), err=True)
            sys.exit(1)
        click.echo(printable(found.to))
        return
    click.echo("\n".join(printable(line) for line in found.as_text().split("\n")), nl=False)
    if found.missing:
        click.echo("\nTo make this draft better, fill in:", err=True)
        for gap in found.missing:
            click.echo(printable(f"  {gap.placeholder}  {gap.note}: {gap.how}"), err=True)
    click.echo(f"\nWhen it is sent: vaultkit done {item.id} --sent", err=True)


def _config_with_out(vault: str | None, out: str | None) -> tuple[Any, Path | None]:
    """The vault's config; an `--out` inside the vault also becomes the folder scans skip."""
    from vaultkit.vault.config import load_config

    root = _vault_path(vault)
    if out is None:
        return load_config(root), None
    out_path = Path(out).absolute()
    try:
        rel = out_path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return load_config(root), out_path
    return load_config(root, {"output": rel}), out_path


def force_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--force",
        is_flag=True,
        help="Write into an output or publish folder that holds files vaultkit did not write "
        "(files named like its outputs are replaced).",
    )(func)


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@cli.command()
@vault_option
@today_option
@click.option(
    "--out",
    metavar="DIR",
    default=None,
    help="Output folder (default: the `output` setting, `_site` in the vault).",
)
@cache_option
@force_option
@friendly_errors
def build(
    vault: str | None, today: datetime | None, out: str | None, no_cache: bool, force: bool
) -> None:
    """Write the site (pages, agenda, calendar feed, vault.json) into the output folder, and
    the feed alone into the publish folder."""
    from vaultkit.commands.build import build as run_build

    started = time.monotonic()
    config, out_path = _config_with_out(vault, out)
    with _progress_line("building") as progress:
        result = run_build(
            config,
            _today(today, config.tz),
            out_path,
            use_cache=not no_cache,
            progress=progress,
            force=force,
            now=_now(today),
        )
    _warn_store(result.store_refused)
    _print_problems(result.problems)
    errors, warnings = _problem_summary(result.problems)
    _echo(
        f"Built {printable(str(result.out_dir))}: {result.notes} note(s), "
        f"{result.followups} follow-up(s); "
        f"{len(result.written)} file(s) written, {len(result.unchanged)} unchanged, "
        f"{len(result.removed)} removed; {errors} error(s), {warnings} warning(s) "
        f"in {time.monotonic() - started:.2f}s.",
        bold=True,
    )
    if errors:
        sys.exit(1)


@cli.command()
@vault_option
@today_option
@click.option(
    "-o",
    "--output",
    "output",
    metavar="FILE",
    default=None,
    help="Write the feed to FILE (atomically) instead of standard output.",
)
@friendly_errors
def ics(vault: str | None, today: datetime | None, output: str | None) -> None:
    """Print the calendar feed of open follow-ups (or write it with -o)."""
    from vaultkit.commands.build import feed

    config, _ = _config_with_out(vault, None)
    target = None if output is None or output == "-" else Path(output)
    evaluation = _evaluate(vault, today, config=config)
    data, problems = feed(evaluation, now=_now(today), published=target)
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        from vaultkit.store.atomic import atomic_write

        atomic_write(target, data)
    errors, _ = _problem_summary(problems)
    if errors:
        _print_problems(problems)
        sys.exit(1)
    _print_problems([p for p in problems if p.line == 0 and p.path.endswith(".ics")])


@cli.command()
@vault_option
@friendly_errors
def adopt(vault: str | None) -> None:
    """Read a vault with its own conventions and propose a vaultkit.toml for it."""
    from vaultkit.commands.adopt import propose, render_toml, summary
    from vaultkit.store.atomic import atomic_write
    from vaultkit.vault.config import CONFIG_NAME

    root = _vault_path(vault)
    proposal = propose(root)
    _say(summary(proposal))  # names and values from the notes: no raw control characters
    text = render_toml(proposal)
    target = root / CONFIG_NAME
    if target.exists():
        click.echo(f"\n{CONFIG_NAME} exists already and was left alone. The proposal:\n")
        _say(text)
    else:
        atomic_write(target, text.encode())
        click.echo(f"\nWrote {CONFIG_NAME}; edit it, then run `vaultkit check`.")


# ---------------------------------------------------------------- watch and serve
# (commands/watch.py and commands/serve.py do the work; docs/watch-and-serve.md explains)


def _watch_args(
    vault: str | None, out: str | None, force: bool
) -> tuple[Callable[[], Any], Path | None]:
    from vaultkit.commands.build import check_folders

    config, out_path = _config_with_out(vault, out)  # fails early on a bad --vault
    check_folders(config, out_path, force)  # and on an output folder it must not write
    return (lambda: _config_with_out(vault, out)[0]), out_path


@cli.command()
@vault_option
@today_option
@click.option(
    "--out",
    metavar="DIR",
    default=None,
    help="Output folder (default: the `output` setting, `_site` in the vault).",
)
@force_option
@friendly_errors
def watch(vault: str | None, today: datetime | None, out: str | None, force: bool) -> None:
    """Build, then rebuild after every change to the vault's notes or vaultkit.toml (Ctrl-C
    stops)."""
    from vaultkit.commands.watch import watch as run_watch

    loader, out_path = _watch_args(vault, out, force)
    run_watch(loader, today.date() if today else None, out_path, _say, force=force)


@cli.command()
@vault_option
@today_option
@click.option(
    "--out",
    metavar="DIR",
    default=None,
    help="Output folder (default: the `output` setting, `_site` in the vault).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; other machines see the feed (and the site only at "
    "feed.detail = full).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--token",
    default=None,
    metavar="TOKEN",
    envvar="VAULTKIT_TOKEN",
    help="The feed address's secret (default: one kept for the vault); also $VAULTKIT_TOKEN.",
)
@click.option("--verbose", is_flag=True, help="Log one line per request.")
@force_option
@friendly_errors
def serve(
    vault: str | None,
    today: datetime | None,
    out: str | None,
    host: str,
    port: int,
    token: str | None,
    verbose: bool,
    force: bool,
) -> None:
    """Watch and rebuild, and serve the site and the calendar feed over HTTP, with live
    reload of open pages."""
    from vaultkit.commands.serve import serve as run_serve

    loader, out_path = _watch_args(vault, out, force)
    run_serve(
        loader,
        today.date() if today else None,
        out_path,
        _say,
        host=host,
        port=port,
        token=token,
        verbose=verbose,
        force=force,
    )


# ---------------------------------------------------------------- stats and show
# (vaultkit/views/stats.py and vaultkit/views/show.py compute; docs/stats.md defines every figure)


@cli.command()
@vault_option
@today_option
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Count only applications started and activity on or after this day.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as a JSON object.")
@cache_option
@friendly_errors
def stats(
    vault: str | None, today: datetime | None, since: datetime | None, as_json: bool, no_cache: bool
) -> None:
    """The search in numbers: funnel, response rates, time to reply, activity, who is waiting
    on you."""
    from vaultkit.render.terminal_stats import format_stats
    from vaultkit.views.stats import compute_stats

    evaluation = _evaluate(vault, today, no_cache)
    figures = compute_stats(
        evaluation.vault,
        evaluation.followups,
        evaluation.today,
        since.date() if since else None,
    )
    if as_json:
        click.echo(json.dumps(figures.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_stats(figures, colour=_colour()), color=_colour())
    _exit_on_note_errors(evaluation.problems)


@cli.command()
@click.argument("note", shell_complete=_complete_notes)
@vault_option
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as a JSON object.")
@cache_option
@friendly_errors
def show(
    note: str, vault: str | None, today: datetime | None, as_json: bool, no_cache: bool
) -> None:
    """One company or contact as a timeline: fields, every interaction, open follow-ups.

    NOTE is a name, an alias, a file name or a path in the vault.
    """
    from vaultkit.commands.edit import resolve_note
    from vaultkit.render.terminal_stats import format_show
    from vaultkit.views.show import timeline

    evaluation = _evaluate(vault, today, no_cache)
    model = evaluation.vault
    item = timeline(model, evaluation.followups, resolve_note(model, note), evaluation.today)
    if as_json:
        click.echo(json.dumps(item.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_show(item, colour=_colour(), tz=model.config.tz), color=_colour())
    _exit_on_note_errors(evaluation.problems)


def _exit_on_note_errors(problems: list[Problem]) -> None:
    errors, _ = _problem_summary(problems)
    if errors:
        click.echo(
            f"vaultkit: {errors} problem(s) in notes; what they affect was left out. "
            "Run `vaultkit check` for details.",
            err=True,
        )
        sys.exit(1)


def main() -> None:
    # Reading a vault makes millions of small objects and almost no garbage cycles: with the
    # default thresholds the collector walks the growing heap over and over (a third of a
    # cold `agenda` at 10,000 notes). Collect rarely instead.
    gc.set_threshold(50_000, 20, 100)
    cli(prog_name="vaultkit")
