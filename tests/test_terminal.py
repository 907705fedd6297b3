"""The agenda in a terminal and in vim: colour conventions, columns in display cells, paths that
work from the current folder, `gF` on names with spaces, the quickfix form."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY_ARG as TODAY
from site_helpers import write_files

from vaultkit.cli import cli
from vaultkit.render.terminal import colour_wanted, display_width, fit

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return write_files(
        tmp_path / "Jobs",
        {
            "vaultkit.toml": 'timezone = "Europe/Berlin"\n',
            "people/Jane Doe.md": "---\nfollow_up: 2026-12-02\n---\n",
            "people/Wang Fang.md": "---\n---\n- [ ] 给王芳发送作品集链接 📅 2026-12-03\n",
            "companies/Globex.md": "---\nstage: lead\n---\n- [ ] Send the 🚀 launch deck 📅 2026-11-28 ⏫\n",
        },
    )


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # empty: not set (no-color.org)
        (True, {"TERM": "dumb"}, False),
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": "true"}, True),
        (True, {"FORCE_COLOR": "1", "TERM": "dumb"}, True),
        (True, {"FORCE_COLOR": "0"}, True),  # not forced either way: the terminal decides
        (False, {"FORCE_COLOR": "0"}, False),
        (False, {"FORCE_COLOR": ""}, False),
        (False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # NO_COLOR wins
    ],
)
def test_colour_conventions(tty, env, expected):
    assert colour_wanted(tty, env) is expected


def run_agenda(vault: Path, *extra: str, env: dict[str, str | None] | None = None) -> str:
    runner = CliRunner(
        env={"NO_COLOR": None, "FORCE_COLOR": None, "VAULTKIT_VAULT": None, **(env or {})}
    )
    result = runner.invoke(cli, ["agenda", "--vault", str(vault), "--today", TODAY, *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_force_color_colours_piped_output_and_no_color_wins(vault, monkeypatch):
    monkeypatch.chdir(vault)
    assert not ANSI.search(run_agenda(vault))  # a pipe: plain
    forced = run_agenda(vault, env={"FORCE_COLOR": "1"})
    assert ANSI.search(forced)
    assert not ANSI.search(run_agenda(vault, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}))
    assert ANSI.sub("", forced) == run_agenda(vault)


def test_columns_line_up_in_display_cells(vault, monkeypatch):
    monkeypatch.chdir(vault)
    lines = [line for line in run_agenda(vault).splitlines() if ".md:" in line]
    assert len(lines) == 3
    # The path column starts at the same cell in every line, whatever the script of the title.
    starts = {
        display_width(line[: line.index(next(p for p in ("people", "companies") if p in line))])
        for line in lines
    }
    assert len(starts) == 1, lines
    assert any("给王芳发送作品集链接" in line for line in lines)
    assert fit("日本語のタイトル", 7) == "日本語…"  # 6 cells and the ellipsis: 7
    assert display_width(fit("🚀 launch", 12)) == 12
    assert fit("Send the deck", 9) == "Send the…" and fit("Send", 6) == "Send  "  # plain ASCII
    assert display_width("a\tb") == 2  # a control character takes no cell


def test_paths_work_from_the_current_folder(vault, tmp_path, monkeypatch):
    monkeypatch.chdir(vault)
    assert "people/Jane\\ Doe.md:2" in run_agenda(vault)
    monkeypatch.chdir(vault / "companies")
    assert "../people/Jane\\ Doe.md:2" in run_agenda(vault)
    assert "companies/Globex" not in run_agenda(vault) and "Globex.md:4" in run_agenda(vault)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    shown = str(vault / "people/Jane Doe.md").replace(" ", "\\ ")
    assert f"{shown}:2" in run_agenda(vault)


def test_quickfix_form(vault, monkeypatch):
    monkeypatch.chdir(vault / "people")
    out = run_agenda(vault, "--quickfix", "--all")
    lines = out.splitlines()
    assert lines[0].startswith(
        "../companies/Globex.md:4: overdue since 2026-11-28 ! Send the 🚀 launch deck ["
    )
    assert lines[1].startswith("Jane Doe.md:2: 2026-12-02 Follow up with Jane Doe [")
    assert lines[2].startswith("Wang Fang.md:3: 2026-12-03 给王芳发送作品集链接 [")
    assert all(re.fullmatch(r"[^:]+:\d+: .+ \[[0-9a-f]{10}\]", line) for line in lines)
    assert run_agenda(vault, "--quickfix", "--days", "0").count("\n") == 1  # the overdue one
    both = CliRunner().invoke(cli, ["agenda", "--vault", str(vault), "--json", "--quickfix"])
    assert both.exit_code == 2


VIM = shutil.which("vim")


def _vim(folder: Path, *commands: str) -> str:
    out = folder / "vim-out.txt"
    args = [VIM, "-u", "NONE", "-N", "-es", *[c for cmd in commands for c in ("-c", cmd)]]
    args += [
        "-c",
        f"redir! > {out}",
        "-c",
        'echo expand("%:p") . ":" . line(".")',
        "-c",
        "redir END",
        "-c",
        "qa!",
    ]
    subprocess.run(args, cwd=folder, timeout=30, capture_output=True)
    return out.read_text().strip()


@pytest.mark.skipif(VIM is None, reason="vim is not installed")
def test_vim_opens_what_the_agenda_names(vault, monkeypatch):
    monkeypatch.chdir(vault / "companies")
    (vault / "companies/agenda.txt").write_text(run_agenda(vault), encoding="utf-8")
    line, column = next(
        (n, text.index("Jane\\ Doe.md") + 2)
        for n, text in enumerate(run_agenda(vault).splitlines(), 1)
        if "Jane\\ Doe.md" in text
    )
    # gF on the name with a space opens that note at its line.
    found = _vim(vault / "companies", "e agenda.txt", f"call cursor({line}, {column})", "normal gF")
    assert found == f"{vault / 'people/Jane Doe.md'}:2"
    # The quickfix form: the first entry opens the overdue task's note at its line.
    (vault / "companies/qf.txt").write_text(run_agenda(vault, "--quickfix"), encoding="utf-8")
    assert _vim(vault / "companies", "cfile qf.txt", "cc 2") == f"{vault / 'people/Jane Doe.md'}:2"
    assert _vim(vault / "companies", "cfile qf.txt", "cc 1") == f"{vault / 'companies/Globex.md'}:4"
