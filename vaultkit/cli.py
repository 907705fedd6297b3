"""The command line: a thin layer that parses options, calls the pipeline, and prints.

Exit codes: 0 ok, 1 problems found in notes, 2 usage error (click's own, and VaultkitError).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from vaultkit import __version__
from vaultkit.problems import Problem, VaultkitError


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _echo(text: str = "", **style: Any) -> None:
    colour = _colour()
    click.echo(click.style(text, **style) if colour and style else text, color=colour)


def _vault_path(value: str | None) -> Path:
    path = Path(value or os.environ.get("VAULTKIT_VAULT") or ".")
    if not path.is_dir():
        raise click.BadParameter(f"not a folder: {path}", param_hint="--vault")
    return path


def vault_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--vault", "vault", metavar="PATH", default=None,
                        help="The vault folder (default: $VAULTKIT_VAULT, else the current "
                             "folder).")(func)


def today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
                        metavar="YYYY-MM-DD",
                        help="Evaluate the vault as of this day (default: today).")(func)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn vaultkit's own errors into a message and an exit code; never show a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VaultkitError as exc:
            click.echo(f"vaultkit: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as exc:  # a bug in vaultkit, not in the notes
            if os.environ.get("VAULTKIT_DEBUG"):
                raise
            click.echo(f"vaultkit: internal error: {type(exc).__name__}: {exc}\n"
                       "This is a bug in vaultkit; rerun with VAULTKIT_DEBUG=1 for details.",
                       err=True)
            sys.exit(3)

    return wrapper


def _load(vault: str | None) -> Any:
    from vaultkit.config import load_config
    from vaultkit.load import load_vault

    return load_vault(load_config(_vault_path(vault)))


def _today(value: datetime | None, tz: Any) -> date:
    return value.date() if value else datetime.now(tz).date()


def _problem_summary(problems: list[Problem]) -> tuple[int, int]:
    errors = sum(p.severity == "error" for p in problems)
    return errors, len(problems) - errors


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vaultkit")
def cli() -> None:
    """Turn a folder of Markdown notes into a job-search follow-up system."""


@cli.command()
@vault_option
@today_option
@click.option("--days", type=click.IntRange(min=0), default=14, show_default=True,
              help="Show follow-ups due within this many days (and every overdue one).")
@click.option("--all", "everything", is_flag=True, help="Show every open follow-up.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of follow-ups.")
@friendly_errors
def agenda(vault: str | None, today: datetime | None, days: int, everything: bool,
           as_json: bool) -> None:
    """What is due: overdue, today, tomorrow, this week, later."""
    from vaultkit.agenda import agenda_items
    from vaultkit.render.terminal import format_agenda
    from vaultkit.rules import derive_followups

    model = _load(vault)
    tz = model.config.tz
    day = _today(today, tz)
    items = agenda_items(derive_followups(model, day), day, tz, days=days, everything=everything)
    if as_json:
        click.echo(json.dumps([item.to_json() for item in items], indent=2, ensure_ascii=False))
    else:
        click.echo(format_agenda(items, day, tz, colour=_colour()), color=_colour())
    errors, _ = _problem_summary(model.problems)
    if errors:
        click.echo(f"vaultkit: {errors} problem(s) in notes; what they affect was left out. "
                   "Run `vaultkit check` for details.", err=True)
        sys.exit(1)


@cli.command()
@vault_option
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON array.")
@friendly_errors
def check(vault: str | None, today: datetime | None, as_json: bool) -> None:
    """List every problem in the vault as `path:line: severity: message`."""
    from vaultkit.checks import check_vault

    model = _load(vault)
    problems = check_vault(model, _today(today, model.config.tz))
    errors, warnings = _problem_summary(problems)
    if as_json:
        click.echo(json.dumps([p.to_json() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            colour = "red" if problem.severity == "error" else "yellow"
            where = f"{problem.path}:{problem.line}" if problem.line else problem.path
            _echo(f"{where}: " + (click.style(problem.severity, fg=colour) if _colour()
                                  else problem.severity) + f": {problem.message}")
        notes = len(model.notes)
        summary = (f"{errors} error(s), {warnings} warning(s) in {notes} note(s)"
                   if problems else f"No problems in {notes} note(s).")
        _echo(summary, bold=True)
    if errors:
        sys.exit(1)


def main() -> None:
    cli(prog_name="vaultkit")
