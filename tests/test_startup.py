"""Lazy start-up: commands import only what they use."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import SAMPLE_VAULT

# jinja2 (and markupsafe, which it brings) load only when an HTML page is rendered.
HEAVY = ("icalendar", "watchdog", "markdown_it", "jinja2", "markupsafe")
PROBE = """
import json, sys
from click.testing import CliRunner
from vaultkit.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:])
print(json.dumps([result.exit_code, sorted(m for m in {heavy!r} if m in sys.modules)]))
"""


@pytest.mark.parametrize("command", [["--help"], ["agenda"], ["check"], ["agenda", "--json"]])
def test_agenda_and_check_import_no_renderer_or_watcher(command, tmp_path):
    vault = tmp_path / "sample-vault"  # a copy: a command may write the vault's .vaultkit/
    shutil.copytree(SAMPLE_VAULT, vault)
    args = (
        [*command]
        if command == ["--help"]
        else [*command, "--vault", str(vault), "--today", "2026-12-01", "--no-cache"]
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    exit_code, imported = json.loads(out.stdout.strip().splitlines()[-1])
    assert exit_code == 0
    assert imported == []
