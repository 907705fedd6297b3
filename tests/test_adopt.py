from __future__ import annotations

import tomllib

from vaultkit.cli import cli


def existing_vault(write_note, vault_dir):
    (vault_dir / "vaultkit.toml").unlink()
    for i, (stage, applied) in enumerate([("Reviewing", ""), ("Applied", "2026-11-02"),
                                           ("Recruiter_Screen", "2026-10-20"),
                                           ("Offered", "2026-10-01"), ("No-Go", ""),
                                           ("Limbo", "")]):
        write_note(f"30 Records/Positions/Job {i}.md", f"""
            ---
            Job-Title: Job {i}
            App-Stage: {stage}
            Applied-Date: {applied}
            Follow-Up-Reminder-Date:
            tags: [position]
            ---
            """)
    for name in ("Ann", "Bob", "Cy"):
        write_note(f"30 Records/People/{name}.md",
                   f"---\nEmail: {name.lower()}@x.test\nPhone: 1\ntags: [person]\n---\n")
    for i in range(3):
        write_note(f"30 Records/Logs/Call {i}.md",
                   f"---\nComm_DateTime: 2026-11-0{i + 1}T10:00\nContacts: ['[[Ann]]']\n---\n")


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
    assert config["types"]["interaction"] == {"folders": ["30 Records/Logs"],
                                              "date": "Comm_DateTime", "with": "Contacts"}
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
