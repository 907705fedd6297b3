"""Golden outputs of the sample vault, as of 2026-12-01.

After an intended change, regenerate them and review the diff:

    VAULTKIT_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_VAULT as SAMPLE
from conftest import TODAY_ARG as TODAY

from vaultkit.cli import cli

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"


def compare(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("VAULTKIT_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {name}: run with VAULTKIT_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} differs from tests/golden/{name}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("golden") / "sample-vault"
    shutil.copytree(SAMPLE, copy)
    return copy


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("agenda.txt", ["agenda"]),
        ("agenda-all.json", ["agenda", "--all", "--json"]),
        ("check.txt", ["check"]),
        ("agenda-quickfix.txt", ["agenda", "--all", "--quickfix"]),
    ],
)
def test_terminal_output(runner, sample, name, args, monkeypatch):
    monkeypatch.chdir(sample)  # as a user runs it, in the vault: paths relative to it
    result = runner.invoke(cli, [*args, "--vault", str(sample), "--today", TODAY, "--no-cache"])
    assert result.exit_code == 0, result.output
    compare(name, result.output.encode())


def test_build_output(runner, sample, tmp_path):
    out = tmp_path / "site"
    result = runner.invoke(
        cli, ["build", "--vault", str(sample), "--today", TODAY, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in ("index.md", "agenda.md"):
        compare(f"site/{name}", (out / name).read_bytes())
    # Its stamps come from the feed state, a first build's from the day: no mtime in it.
    compare("site/followups.ics", (out / "followups.ics").read_bytes())
