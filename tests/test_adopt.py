from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date

from conftest import SAMPLE_VAULT

from vaultkit.cli import cli
from vaultkit.pipeline import evaluate
from vaultkit.vault.config import load_config


def existing_vault(write_note, vault_dir):
    (vault_dir / "vaultkit.toml").unlink()
    for i, (stage, applied) in enumerate(
        [
            ("Reviewing", ""),
            ("Applied", "2026-11-02"),
            ("Recruiter_Screen", "2026-10-20"),
            ("Offered", "2026-10-01"),
            ("No-Go", ""),
            ("Limbo", ""),
        ]
    ):
        write_note(
            f"30 Records/Positions/Job {i}.md",
            f"""
            ---
            Job-Title: Job {i}
            App-Stage: {stage}
            Applied-Date: {applied}
            Follow-Up-Reminder-Date:
            tags: [position]
            ---
            """,
        )
    for name in ("Ann", "Bob", "Cy"):
        write_note(
            f"30 Records/People/{name}.md",
            f"---\nEmail: {name.lower()}@x.test\nPhone: 1\ntags: [person]\n---\n",
        )
    for i in range(3):
        write_note(
            f"30 Records/Logs/Call {i}.md",
            f"---\nComm_DateTime: 2026-11-0{i + 1}T10:00\nContacts: ['[[Ann]]']\n---\n",
        )


def test_adopt_writes_a_config_that_reads_the_vault(runner, vault_dir, write_note):
    existing_vault(write_note, vault_dir)
    before = {p: p.read_bytes() for p in vault_dir.rglob("*.md")}
    result = runner.invoke(cli, ["adopt", "--vault", str(vault_dir)])
    assert result.exit_code == 0, result.output
    assert "6 look like companies, 3 like contacts, 3 like interaction notes" in result.output
    assert "could not place: Limbo" in result.output
    config = tomllib.loads((vault_dir / "vaultkit.toml").read_text())
    assert config["types"]["company"]["folders"] == ["30 Records/Positions"]
    assert config["types"]["contact"]["folders"] == ["30 Records/People"]
    assert config["types"]["interaction"] == {
        "folders": ["30 Records/Logs"],
        "date": "Comm_DateTime",
        "with": "Contacts",
    }
    assert config["fields"]["stage"] == ["App-Stage"]
    assert config["fields"]["applied"] == ["Applied-Date"]
    assert config["fields"]["follow_up"] == ["Follow-Up-Reminder-Date"]
    assert config["stages"]["screening"] == ["Recruiter_Screen"]
    assert config["stages"]["offer"] == ["Offered"]
    assert config["stages"]["withdrawn"] == ["No-Go"]
    assert config["stages"]["lead"] == ["Reviewing"]
    assert {p: p.read_bytes() for p in vault_dir.rglob("*.md")} == before  # no note touched
    check = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--json"])
    assert "unknown stage 'limbo'" in check.output
    assert check.output.count("unknown stage") == 1


def test_adopt_never_overwrites_a_config(runner, vault_dir, write_note):
    existing_vault(write_note, vault_dir)
    (vault_dir / "vaultkit.toml").write_text("# mine\n")
    result = runner.invoke(cli, ["adopt", "--vault", str(vault_dir)])
    assert "left alone" in result.output and "[fields]" in result.output
    assert (vault_dir / "vaultkit.toml").read_text() == "# mine\n"


def template_style_vault(write_note, vault_dir):
    """A vault in the style of a typical Obsidian job-hunt template: Positions, People and
    Companies folders, one note per communication, Title-Case-Hyphen keys, empty properties,
    its own stage names and tags in the body."""
    (vault_dir / "vaultkit.toml").unlink()
    (vault_dir / ".obsidian").mkdir()
    (vault_dir / ".obsidian/templates.json").write_text('{"folder": "99 Templates"}')
    write_note("99 Templates/Position.md", "---\nJob-Title:\nApp-Stage:\nApplied-Date:\n---\n")
    write_note("20 Records/Companies/Acme.md", "---\nIndustry: Widgets\nWebsite: x\n---\n")
    write_note(
        "20 Records/Positions/Acme SRE.md",
        """
        ---
        Job-Title: Acme SRE
        App-Stage: Submitted
        Applied-Date: 2026-11-20
        Follow-Up-Reminder-Date:
        Company: "[[Acme]]"
        ---
        #position
        """,
    )
    write_note(
        "20 Records/Positions/Beta Dev.md",
        """
        ---
        Job-Title: Beta Dev
        App-Stage: Recruiter_Screen
        Applied-Date: 2026-11-01
        Follow-Up-Reminder-Date:
        ---
        #position
        """,
    )
    write_note(
        "20 Records/People/Ann Lee.md",
        """
        ---
        Email: ann@beta.test
        Phone:
        Relationship: recruiter
        ---
        #person
        """,
    )
    write_note(
        "20 Records/Comms/Call Ann.md",
        """
        ---
        Comm-Date: 2026-11-15
        Contacts: ["[[Ann Lee]]", "[[Beta Dev]]"]
        ---
        Phone screen went well.
        """,
    )
    write_note(
        "20 Records/Comms/Mail Ann.md",
        """
        ---
        Comm-Date: 2026-11-24T09:30
        Contacts: ["[[Ann Lee]]"]
        ---
        """,
    )


def test_adopted_config_unedited_reads_a_template_style_vault(runner, vault_dir, write_note):
    template_style_vault(write_note, vault_dir)
    assert runner.invoke(cli, ["adopt", "--vault", str(vault_dir)]).exit_code == 0
    config = tomllib.loads((vault_dir / "vaultkit.toml").read_text())
    assert config["exclude"] == ["99 Templates/**"]
    assert config["types"]["interaction"]["date"] == "Comm-Date"
    check = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--json"])
    assert [p for p in json.loads(check.output) if p["severity"] == "error"] == []
    agenda = runner.invoke(
        cli, ["agenda", "--vault", str(vault_dir), "--today", "2026-12-01", "--json", "--all"]
    )
    items = json.loads(agenda.output)
    assert [(i["rule"], i["note"]) for i in items if i["rule"] == "application-follow-up"] == [
        ("application-follow-up", "20 Records/Positions/Acme SRE.md")
    ]
    vault = evaluate(load_config(vault_dir), date(2026, 12, 1)).vault
    ann = vault.notes["20 Records/People/Ann Lee.md"]
    assert ann.kind == "contact"
    assert ann.last_interaction(date(2026, 12, 1)).date == date(2026, 11, 24)
    beta = vault.notes["20 Records/Positions/Beta Dev.md"]
    assert (beta.kind, beta.stage) == ("company", "screening")
    assert vault.notes["20 Records/Companies/Acme.md"].kind == "note"


def test_adopt_on_the_sample_vault_reads_it_as_its_own_config_does(runner, tmp_path):
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE_VAULT, copy)
    own = evaluate(load_config(copy), date(2026, 12, 1)).vault
    (copy / "vaultkit.toml").unlink()
    assert runner.invoke(cli, ["adopt", "--vault", str(copy)]).exit_code == 0
    adopted = evaluate(load_config(copy), date(2026, 12, 1)).vault

    def reading(vault):
        return {p: (n.kind, n.name, n.stage, sorted(n.fields)) for p, n in vault.notes.items()}

    assert reading(adopted) == reading(own)


def test_adopt_maps_nothing_on_a_vault_that_uses_vaultkit_names(runner, vault_dir, write_note):
    (vault_dir / "vaultkit.toml").unlink()
    write_note("companies/Globex.md", "---\nstage: applied\napplied: 2026-11-20\n---\n")
    write_note("companies/Hooli.md", "---\nstage: screening\napplied: 2026-11-02\n---\n")
    for name in ("Jane Doe", "Raj Patel", "Ana Lima"):
        write_note(
            f"people/{name}.md",
            "---\ncompany: '[[Globex]]'\nemail: x@y.test\nrelationship: recruiter\n---\n",
        )
    assert runner.invoke(cli, ["adopt", "--vault", str(vault_dir)]).exit_code == 0
    config = tomllib.loads((vault_dir / "vaultkit.toml").read_text())
    assert "fields" not in config  # the vault already uses vaultkit's own property names
    vault = evaluate(load_config(vault_dir), date(2026, 12, 1)).vault
    assert vault.notes["people/Jane Doe.md"].name == "Jane Doe"
    assert [p for p in vault.problems if "claimed" in p.message] == []
