"""The docs say what the code does: generated tables match, every rule, field and command is
documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from vaultkit.cli import cli
from vaultkit.commands.serve import DEFAULT_PORT
from vaultkit.vault.config import setting_docs
from vaultkit.vault.fields import FIELDS
from vaultkit.vault.rulebook import RULE_IDS

DOCS = Path(__file__).resolve().parent.parent / "docs"
BEGIN = "<!-- BEGIN GENERATED: settings -->"
END = "<!-- END GENERATED: settings -->"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_configuration_table_is_generated_from_config_spec():
    text = _read("configuration.md")
    assert BEGIN in text and END in text, "docs/configuration.md lost its generated markers"
    block = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert block == setting_docs(), (
        "docs/configuration.md is out of date: replace the block between the markers with "
        'the output of `python -c "from vaultkit.vault.config import setting_docs; '
        'print(setting_docs())"`'
    )


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_section(rule_id):
    headings = re.findall(r"^#{2,3} `?([\w-]+)`?\s*$", _read("rules.md"), re.M)
    assert rule_id in headings, f"docs/rules.md has no `## {rule_id}` section"


@pytest.mark.parametrize("name", [f.name for f in FIELDS])
def test_every_field_is_in_the_note_format(name):
    assert f"`{name}`" in _read("note-format.md"), f"docs/note-format.md does not name `{name}`"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented_and_has_help(name):
    command = cli.commands[name]
    assert f"vaultkit {name}" in _read("cli.md"), f"docs/cli.md does not mention `vaultkit {name}`"
    assert (command.help or "").strip(), f"`vaultkit {name}` has no help text"
    if isinstance(command, click.Group):
        for sub in command.commands:
            assert f"vaultkit {name} {sub}" in _read("cli.md")
            assert (command.commands[sub].help or "").strip()


def test_generated_blocks_are_current():
    # docs/drafts.md's gallery is what `vaultkit draft` prints on the sample vault today.
    result = subprocess.run(
        [sys.executable, "scripts/generate_docs.py", "--check"],
        cwd=DOCS.parent,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        f"{result.stdout}{result.stderr}: run `python scripts/generate_docs.py` and review the diff"
    )


def test_the_port_the_docs_give_is_the_one_serve_listens_on():
    """docs/calendar.md once said 8000 while serve listened on 8765 (issue 15)."""
    root = DOCS.parent
    pages = [*DOCS.glob("*.md"), root / "README.md"]
    ports = {
        (page.name, int(port))
        for page in pages
        for port in re.findall(
            r"(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)", page.read_text(encoding="utf-8")
        )
    }
    assert ("calendar.md", DEFAULT_PORT) in ports
    assert {port for _page, port in ports} == {DEFAULT_PORT}, sorted(ports)
    default = next(p for p in cli.commands["serve"].params if p.name == "port").default
    assert default == DEFAULT_PORT


def test_architecture_lists_the_layers_the_import_contract_checks():
    import tomllib

    root = DOCS.parent
    contract = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    layers = contract["tool"]["importlinter"]["contracts"][0]["layers"]
    text = _read("architecture.md")
    block = text.split("## Layers", 1)[1].split("```", 2)[1]
    shown = [line.split()[0] for line in block.strip().splitlines()]
    names = [f"vaultkit.{name.removesuffix('/').removesuffix('.py')}" for name in shown]
    assert names == layers, "docs/architecture.md's layer list differs from the contract"


def test_architecture_names_every_module():
    package = DOCS.parent / "vaultkit"
    text = _read("architecture.md")
    missing = [
        path.relative_to(package).as_posix()
        for path in sorted(package.rglob("*.py"))
        if path.name not in ("__init__.py", "__main__.py") and f"`{path.name}`" not in text
    ]
    assert not missing, f"docs/architecture.md does not say what these modules do: {missing}"
