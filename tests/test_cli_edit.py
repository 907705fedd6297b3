from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY_ARG as TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultkit.cli import cli
from vaultkit.commands import edit
from vaultkit.rules.registry import DONE_TAGS


@pytest.fixture(autouse=True)
def _quick_quiet(monkeypatch):
    """These tests are about which bytes an edit changes, not about waiting for a note that
    another program is writing (tests/test_edit_races.py): a note need not hold still long."""
    monkeypatch.setattr(edit, "QUIET", 0.01)


def run(runner, vault_dir, *args):
    return runner.invoke(cli, [*args, "--vault", str(vault_dir)])


def followups(runner, vault_dir, today=TODAY):
    result = runner.invoke(
        cli, ["agenda", "--vault", str(vault_dir), "--today", today, "--all", "--json"]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------- init


def test_init_writes_a_working_vault(runner, tmp_path):
    target = tmp_path / "new-vault"
    result = runner.invoke(cli, ["init", str(target), "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        str(target / "vaultkit.toml"),
        str(target / "companies/Acme Robotics.md"),
        str(target / "people/Jane Doe.md"),
    ]
    toml = (target / "vaultkit.toml").read_text()
    for setting in ("timezone", "output", "exclude", "[rules.stale]"):
        assert setting in toml
    company = (target / "companies/Acme Robotics.md").read_text()
    assert "applied: 2026-11-26" in company and "## Log" in company
    check = runner.invoke(cli, ["check", "--vault", str(target), "--today", TODAY])
    assert check.exit_code == 0, check.output
    assert "No problems in 2 note(s)." in check.output


def test_init_defaults_to_the_current_folder(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["init", "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "people/Jane Doe.md").is_file()


@pytest.mark.parametrize(
    "existing", ["vaultkit.toml", "companies/Acme Robotics.md", "people/Jane Doe.md"]
)
def test_init_refuses_to_overwrite_and_writes_nothing(runner, tmp_path, existing):
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = runner.invoke(cli, ["init", str(tmp_path), "--today", TODAY])
    assert result.exit_code == 2
    assert existing in result.output and "nothing was written" in result.output
    assert (tmp_path / existing).read_text() == "mine\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


# ---------------------------------------------------------------- new


def test_new_company_from_the_built_in_template(runner, vault_dir):
    result = run(runner, vault_dir, "new", "company", "Globex Corp", "--today", TODAY)
    assert result.exit_code == 0, result.output
    path = vault_dir / "companies/Globex Corp.md"
    assert result.output.strip() == str(path)
    text = path.read_text()
    assert text.startswith("---\n") and "stage: lead" in text and "Globex Corp" in text
    note = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--today", TODAY])
    assert note.exit_code == 0, note.output


def test_new_contact_links_the_company(runner, vault_dir, write_note):
    write_note("companies/Globex.md", "---\naliases: [GX]\n---\n")
    result = run(
        runner, vault_dir, "new", "contact", "Jane Doe", "--company", "gx", "--today", TODAY
    )
    assert result.exit_code == 0, result.output
    text = (vault_dir / "contacts/Jane Doe.md").read_text()
    assert 'company: "[[Globex]]"' in text
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    vault = evaluate(load_config(vault_dir), date(2026, 12, 1)).vault
    assert vault.notes["contacts/Jane Doe.md"].company == "companies/Globex.md"


def test_new_contact_without_company_leaves_it_empty(runner, vault_dir, load):
    assert run(runner, vault_dir, "new", "contact", "Ann", "--today", TODAY).exit_code == 0
    assert 'company: ""' in (vault_dir / "contacts/Ann.md").read_text()
    assert load().notes["contacts/Ann.md"].company is None


def test_new_uses_the_first_configured_folder(runner, vault_dir):
    (vault_dir / "vaultkit.toml").write_text(
        'timezone = "UTC"\n[types.company]\nfolders = ["Jobs/Open", "companies"]\n'
    )
    result = run(runner, vault_dir, "new", "company", "Initech", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (vault_dir / "Jobs/Open/Initech.md").is_file()


@pytest.mark.parametrize("template_name", ["company.md", "Company.md"])
def test_user_template_overrides_the_default(runner, vault_dir, template_name):
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates" / template_name).write_bytes(
        b"---\r\nstage: lead  # {{name}}\r\n---\r\n# {{name}}\r\nAdded {{date}}. {{time}}\r\n"
    )
    result = run(runner, vault_dir, "new", "company", "Umbrella", "--today", TODAY)
    assert result.exit_code == 0, result.output
    # `{{time}}` is the time of day now, as Obsidian's Templates plugin writes it
    assert re.fullmatch(
        rb"---\r\nstage: lead  # Umbrella\r\n---\r\n# Umbrella\r\nAdded 2026-12-01\. \d\d:\d\d\r\n",
        (vault_dir / "companies/Umbrella.md").read_bytes(),
    )


def test_user_contact_template_company_placeholder(runner, vault_dir):
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates/contact.md").write_text(
        '---\ncompany: "{{company}}"\n---\nWorks at {{company}}.\n'
    )
    result = run(runner, vault_dir, "new", "contact", "Bo", "--company", "Hooli", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (
        vault_dir / "contacts/Bo.md"
    ).read_text() == '---\ncompany: "[[Hooli]]"\n---\nWorks at [[Hooli]].\n'


def test_template_without_company_placeholder_warns(runner, vault_dir):
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates/contact.md").write_text("# {{name}}\n")
    result = run(runner, vault_dir, "new", "contact", "Bo", "--company", "Hooli", "--today", TODAY)
    assert result.exit_code == 0
    assert "no {{company}} placeholder" in result.stderr


def test_broken_user_template_writes_nothing(runner, vault_dir):
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates/company.md").write_text("---\nname: {{name}}\n---\n")
    result = run(runner, vault_dir, "new", "company", "{Braces} Inc", "--today", TODAY)
    assert result.exit_code == 2
    assert "would be broken" in result.output
    assert not (vault_dir / "companies").exists()


def test_new_refuses_an_existing_file(runner, vault_dir, write_note):
    write_note("companies/Globex.md", "mine\n")
    result = run(runner, vault_dir, "new", "company", "Globex", "--today", TODAY)
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (vault_dir / "companies/Globex.md").read_text() == "mine\n"


def test_new_warns_about_a_name_clash(runner, vault_dir, write_note):
    write_note("people/Globex.md", "---\nrole: x\n---\n")
    result = run(runner, vault_dir, "new", "company", "Globex", "--today", TODAY)
    assert result.exit_code == 0
    assert "people/Globex.md has the same name" in result.stderr


@pytest.mark.parametrize("name", ["a/b", "Who?", ".x", ""])
def test_new_rejects_bad_names(runner, vault_dir, name):
    result = run(runner, vault_dir, "new", "company", name, "--today", TODAY)
    assert result.exit_code == 2
    assert not (vault_dir / "companies").exists()


# ---------------------------------------------------------------- log

LOG_NOTE = (
    "---\n# keep me\nname:   'Globex Inc'\naliases: [GX]\n---\n## Log\n- 2026-11-01 a\n\n## Other\n"
)


@pytest.mark.parametrize(
    "target",
    [
        "Globex Inc",
        "gx",
        "Globex",
        "companies/Globex",
        "companies/Globex.md",
        "/companies/globex.MD",
    ],
)
def test_log_resolves_names_aliases_stems_and_paths(runner, vault_dir, write_note, target):
    write_note("companies/Globex.md", LOG_NOTE)
    result = run(
        runner,
        vault_dir,
        "log",
        target,
        "Called Jane",
        "--date",
        "2026-11-30",
        "--tag",
        "thank-you",
        "--tag",
        "#call",
    )
    assert result.exit_code == 0, result.output
    assert (vault_dir / "companies/Globex.md").read_text() == LOG_NOTE.replace(
        "- 2026-11-01 a\n", "- 2026-11-01 a\n- 2026-11-30 Called Jane #thank-you #call\n"
    )
    assert result.output.strip() == "companies/Globex.md: - 2026-11-30 Called Jane #thank-you #call"


def test_log_today_option_and_file_path(runner, vault_dir, write_note):
    path = write_note("companies/Globex.md", "## Log\n")
    result = run(runner, vault_dir, "log", str(path), "x", "--today", "2026-11-29")
    assert result.exit_code == 0, result.output
    assert path.read_text() == "## Log\n- 2026-11-29 x\n"


def test_log_counts_as_an_interaction(runner, vault_dir, write_note, load):
    write_note("people/Jane.md", "---\nrole: recruiter\n---\n")
    assert run(runner, vault_dir, "log", "Jane", "Coffee", "--date", "2026-11-30").exit_code == 0
    touches = load().notes["people/Jane.md"].interactions
    assert [(t.date.isoformat(), t.source) for t in touches] == [("2026-11-30", "log")]


def test_log_ambiguous_note_lists_candidates(runner, vault_dir, write_note):
    write_note("companies/Acme.md", "x\n")
    write_note("people/Acme.md", "y\n")
    result = run(runner, vault_dir, "log", "Acme", "text", "--date", "2026-11-30")
    assert result.exit_code == 2
    assert "ambiguous" in result.output
    assert "companies/Acme.md" in result.output and "people/Acme.md" in result.output
    assert (vault_dir / "companies/Acme.md").read_text() == "x\n"
    assert (vault_dir / "people/Acme.md").read_text() == "y\n"
    ok = run(runner, vault_dir, "log", "people/Acme", "text", "--date", "2026-11-30")
    assert ok.exit_code == 0
    assert (vault_dir / "people/Acme.md").read_text() == "y\n\n## Log\n- 2026-11-30 text\n"


def test_log_missing_note_is_a_usage_error(runner, vault_dir, write_note):
    write_note("companies/Acme Robotics.md", "x\n")
    result = run(runner, vault_dir, "log", "Acme", "text")
    assert result.exit_code == 2
    assert "no note named 'Acme'" in result.output
    assert "companies/Acme Robotics.md" in result.output  # the suggestion


@pytest.mark.parametrize("text", ["", "  ", "two\nlines"])
def test_log_rejects_bad_text(runner, vault_dir, write_note, text):
    path = write_note("companies/Acme.md", "## Log\n")
    result = run(runner, vault_dir, "log", "Acme", text, "--date", "2026-11-30")
    if "\n" in text:  # whitespace is folded: the line stays one line
        assert result.exit_code == 0
        assert path.read_text() == "## Log\n- 2026-11-30 two lines\n"
    else:
        assert result.exit_code == 2
        assert path.read_text() == "## Log\n"


def test_log_keeps_permissions(runner, vault_dir, write_note):
    path = write_note("companies/Acme.md", "## Log\n")
    os.chmod(path, 0o600)
    assert run(runner, vault_dir, "log", "Acme", "x", "--date", "2026-11-30").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "## Log\n- 2026-11-30 x\n"


def test_log_refuses_when_the_note_changed(runner, vault_dir, write_note, monkeypatch):
    path = write_note("companies/Acme.md", "## Log\n")
    real = edit.insert_log

    def editor_saves_meanwhile(text: str, line: str) -> tuple[str, int]:
        path.write_text("## Log\n- typed in Obsidian\n")
        return real(text, line)

    monkeypatch.setattr(edit, "insert_log", editor_saves_meanwhile)
    result = run(runner, vault_dir, "log", "Acme", "x", "--date", "2026-11-30")
    assert result.exit_code == 2
    assert "changed on disk" in result.output
    assert path.read_text() == "## Log\n- typed in Obsidian\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["Acme.md"]


def test_log_refuses_an_unclosed_code_block(runner, vault_dir, write_note):
    path = write_note("companies/Acme.md", "## Log\n```\ncode\n")
    result = run(runner, vault_dir, "log", "Acme", "x", "--date", "2026-11-30")
    assert result.exit_code == 2
    assert "never closed" in result.output
    assert path.read_text() == "## Log\n```\ncode\n"


# ---------------------------------------------------------------- done


def test_done_checks_a_task(runner, vault_dir, write_note):
    path = write_note(
        "companies/Globex.md",
        "---\nstage: lead\n---\r\n- [ ] Send portfolio 📅 2026-12-01 ^t1\r\nend",
    )
    [item] = followups(runner, vault_dir)
    result = run(runner, vault_dir, "done", item["id"][:4], "--today", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert path.read_bytes().decode() == (
        "---\nstage: lead\n---\r\n- [x] Send portfolio 📅 2026-12-01 ✅ 2026-11-30 ^t1\r\nend"
    )
    assert followups(runner, vault_dir) == []


def test_done_logs_with_the_rules_tag(runner, vault_dir, write_note, load):
    path = write_note(
        "people/Jane Doe.md", "---\nrole: recruiter\nawaiting_reply: 2026-11-28\n---\nBio\n"
    )
    [item] = [f for f in followups(runner, vault_dir) if f["rule"] == "reply-promptly"]
    result = run(runner, vault_dir, "done", item["id"], "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert path.read_text() == (
        "---\nrole: recruiter\nawaiting_reply: 2026-11-28\n---\nBio\n"
        f"\n## Log\n- 2026-12-01 Done: {item['title']} #reply\n"
    )
    assert "reply-promptly" not in [f["rule"] for f in followups(runner, vault_dir)]


def test_done_thank_you_goes_to_the_interviewer(runner, vault_dir, write_note):
    write_note(
        "companies/Globex.md",
        """
        ---
        stage: interviewing
        interviews:
          - date: 2026-11-30 10:00
            with: "[[Jane Doe]]"
            kind: phone
        ---
        """,
    )
    jane = write_note("people/Jane Doe.md", "---\nrole: manager\n---\n## Log\n")
    [item] = [f for f in followups(runner, vault_dir) if f["rule"] == "thank-you"]
    assert item["record"] == "people/Jane Doe.md"
    result = run(runner, vault_dir, "done", item["id"], "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (
        jane.read_text() == f"---\nrole: manager\n---\n## Log\n- 2026-12-01 Done: "
        f"{item['title']} #thank-you\n"
    )
    assert "thank-you" not in [f["rule"] for f in followups(runner, vault_dir)]


def test_done_without_a_record_logs_in_the_source_note(vault_dir, write_note, load):
    from vaultkit.rules.followup import FollowUp

    note = write_note("Plan.md", "## Log\n")
    day = date(2026, 12, 1)
    item = FollowUp("abc", "stale", day, "Check in", "r", "Plan.md", 1, record="companies/Gone.md")
    model = load()
    result = edit.complete(model.config, model.notes, item, day)
    # The record does not exist: the line goes to the source note, without a dead link.
    assert result.path == "Plan.md"
    assert note.read_text() == "## Log\n- 2026-12-01 Done: Check in #follow-up\n"


def test_done_follow_up_date_logs_it_and_closes_it(runner, vault_dir, write_note):
    path = write_note("companies/Globex.md", "---\nfollow_up: 2026-11-30  # ping\n---\n")
    [item] = [f for f in followups(runner, vault_dir) if f["rule"] == "follow-up"]
    result = run(runner, vault_dir, "done", item["id"], "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert path.read_text() == (
        "---\nfollow_up: 2026-11-30  # ping\n---\n\n## Log\n"
        f"- 2026-12-01 Done: {item['title']} #follow-up\n"
    )
    assert result.stderr == ""
    assert [f for f in followups(runner, vault_dir) if f["rule"] == "follow-up"] == []


def test_done_says_nothing_more_when_closed(runner, vault_dir, write_note):
    write_note("companies/Globex.md", "- [ ] a 📅 2026-12-01\n")
    [item] = followups(runner, vault_dir)
    result = run(runner, vault_dir, "done", item["id"], "--today", TODAY)
    assert result.exit_code == 0
    assert result.stderr == ""


def test_done_unknown_id(runner, vault_dir, write_note):
    write_note("companies/Globex.md", "- [ ] a 📅 2026-12-01\n")
    result = run(runner, vault_dir, "done", "zzzz", "--today", TODAY)
    assert result.exit_code == 2
    assert "no open follow-up" in result.output


def test_done_ambiguous_prefix_lists_candidates(runner, vault_dir, write_note):
    # 17 tasks have 17 ids; two of them must share a first hex digit.
    write_note("companies/Globex.md", "".join(f"- [ ] Task {i} 📅 2026-12-01\n" for i in range(17)))
    items = followups(runner, vault_dir)
    firsts = [i["id"][0] for i in items]
    prefix = next(c for c in firsts if firsts.count(c) > 1)
    result = run(runner, vault_dir, "done", prefix, "--today", TODAY)
    assert result.exit_code == 2
    assert "ambiguous" in result.output
    for item in items:
        assert (item["id"] in result.output) == item["id"].startswith(prefix)
    assert "[x]" not in (vault_dir / "companies/Globex.md").read_text()


def test_done_refuses_when_the_task_moved(runner, vault_dir, write_note, monkeypatch):
    path = write_note("companies/Globex.md", "- [ ] a 📅 2026-12-01\n")
    [item] = followups(runner, vault_dir)
    real = edit.read_snapshot

    def insert_line_first(p: Path, *args) -> edit.Snapshot:
        p.write_text("new first line\n- [ ] a 📅 2026-12-01\n")
        return real(p, *args)

    monkeypatch.setattr(edit, "read_snapshot", insert_line_first)
    result = run(runner, vault_dir, "done", item["id"], "--today", TODAY)
    assert result.exit_code == 2
    assert "no longer that open task" in result.output
    monkeypatch.undo()
    assert path.read_text() == "new first line\n- [ ] a 📅 2026-12-01\n"


# Each rule of the second table, and what `done` (with and without --sent) must close.
CLOSED_BY_DONE = {
    "met-follow-up": {"people/Jane Doe.md": "---\nmet: 2026-11-25\n---\n"},
    "info-interview-request": {
        "companies/Globex.md": "---\nstage: applied\napplied: 2026-11-20\n---\n"
    },
    "engage": {
        "companies/Globex.md": "---\nstage: interviewing\n---\n",
        "people/Jane Doe.md": '---\ncompany: "[[Globex]]"\nrelationship: hiring-manager\n'
        "linkedin_connected: 2026-11-01\n---\n",
    },
    "share-expertise": {"Plan.md": "## Log\n- 2026-11-02 Published a post #published\n"},
    "thank-you": {
        "companies/Globex.md": '---\nstage: interviewing\ninterviews: [{date: 2026-11-30, with: "[[Jane Doe]]"}]\n---\n',
        "people/Jane Doe.md": "---\nlinkedin_connected: 2026-11-30\n---\n",
    },
}


@pytest.mark.parametrize("sent", [False, True], ids=["done", "done --sent"])
@pytest.mark.parametrize("rule", sorted(CLOSED_BY_DONE))
def test_done_closes_the_rule(runner, vault_dir, write_note, rule, sent):
    for rel, text in CLOSED_BY_DONE[rule].items():
        write_note(rel, text)
    [item] = [f for f in followups(runner, vault_dir) if f["rule"] == rule]
    result = run(
        runner, vault_dir, "done", item["id"], "--today", TODAY, *(["--sent"] if sent else [])
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no "still open"
    verb, tags = ("Sent", f"#{DONE_TAGS[rule]} #sent") if sent else ("Done", f"#{DONE_TAGS[rule]}")
    assert f": - {TODAY} {verb}: {item['title']} {tags}\n" in result.stdout
    left = [f for f in followups(runner, vault_dir) if f["rule"] == rule]
    if rule in ("engage", "share-expertise"):  # they roll forward: done for now
        [later] = left
        assert later["id"] == item["id"] and later["due"] > TODAY
        assert f"Next one due {later['due']}." in result.stdout
    else:
        assert left == []


@pytest.mark.parametrize(
    ("rule", "text", "tags"),
    [
        ("thank-you", "Sent the thank-you", ["thank-you", "sent"]),
        ("met-follow-up", "Emailed her the slides from the talk", []),  # outbound by its verb
    ],
)
def test_logging_the_message_closes_the_rule_too(runner, vault_dir, write_note, rule, text, tags):
    for rel, note in CLOSED_BY_DONE[rule].items():
        write_note(rel, note)
    assert [f for f in followups(runner, vault_dir) if f["rule"] == rule]
    args = [f"--tag={t}" for t in tags]
    result = run(runner, vault_dir, "log", "Jane Doe", text, "--date", TODAY, *args)
    assert result.exit_code == 0, result.output
    assert [f for f in followups(runner, vault_dir) if f["rule"] == rule] == []


def test_done_sent_refuses_a_task(runner, vault_dir, write_note):
    path = write_note("companies/Globex.md", "- [ ] Write to Jane 📅 2026-12-01\n")
    [item] = followups(runner, vault_dir)
    result = run(runner, vault_dir, "done", item["id"], "--today", TODAY, "--sent")
    assert result.exit_code == 2
    assert "a task is checked, not sent" in result.output
    assert path.read_text() == "- [ ] Write to Jane 📅 2026-12-01\n"


def test_done_never_logs_into_the_config(runner, vault_dir, write_note):
    config = vault_dir / "vaultkit.toml"
    config.write_text('timezone = "Europe/Berlin"\n[rules.share-expertise]\ndays = 10\n')
    before = config.read_bytes()
    [item] = [f for f in followups(runner, vault_dir) if f["rule"] == "share-expertise"]
    assert item["note"] == "vaultkit.toml"
    result = run(runner, vault_dir, "done", item["id"], "--today", TODAY)
    assert result.exit_code == 2
    assert "vaultkit log NOTE TEXT --tag published" in result.output
    assert config.read_bytes() == before


def test_done_tags_are_known_to_every_rule():
    assert DONE_TAGS["stale"] == DONE_TAGS["application-follow-up"] == "follow-up"
    assert DONE_TAGS["info-interview-prep"] == "prep"


# ---------------------------------------------------------------- properties: bytes untouched

ENDING = st.sampled_from([b"\n", b"\r\n", b"\r"])
PIECES = st.one_of(
    st.sampled_from(
        [
            b"## Notes",
            b"# Log",
            b"## Log",
            b"- 2026-11-01 met",
            b"",
            b"  ",
            b"\t",
            b"- [x] done",
            b"text  ",
            b"## Logistics",
            b"> q",
            b"* item",
            b"caf\xc3\xa9",
            b"\xff\xfe not utf-8",
        ]
    ),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="`~\u2028\u2029\x85"
        ),
        max_size=20,
    ).map(lambda s: s.encode()),
)
FRONTMATTERS = [
    b"",
    b"---\n# a comment\nrole: 'Staff'   # why\nstage: applied\n---\n",
    b'---\r\nname: "Globex"\r\ntags: [a,  b]\r\n---\r\n',
]


@st.composite
def note_bytes(draw: st.DrawFn) -> bytes:
    front = draw(st.sampled_from(FRONTMATTERS))
    lines = draw(st.lists(st.tuples(PIECES, ENDING), max_size=12))
    body = b"".join(text + end for text, end in lines)
    if body and draw(st.booleans()):
        body = body.rstrip(b"\r\n")  # no trailing newline
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + front + body


def _vault(root: Path) -> Path:
    (root / "vaultkit.toml").write_text('timezone = "UTC"\n')
    (root / "companies").mkdir()
    return root


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note_bytes())
def test_cli_log_changes_no_other_byte(data):
    runner = CliRunner(env={"NO_COLOR": "1", "VAULTKIT_VAULT": None})
    with tempfile.TemporaryDirectory() as tmp:
        root = _vault(Path(tmp))
        path = root / "companies/Globex.md"
        path.write_bytes(data)
        result = runner.invoke(
            cli,
            [
                "log",
                "companies/Globex",
                "Called ☃",
                "--date",
                "2026-11-30",
                "--tag",
                "t",
                "--vault",
                str(root),
            ],
        )
        if result.exit_code == 2:
            # Refused: an unclosed fence, or a note the parser does not read at all (one that
            # starts with a UTF-16 byte-order mark): either way, nothing was written.
            assert "never closed" in result.output or "would not be read" in result.output
            assert path.read_bytes() == data
            return
        assert result.exit_code == 0, result.output
        after = path.read_bytes()
        nl = edit.newline_of(data.decode("utf-8", "surrogateescape")).encode()
        inserted = "- 2026-11-30 Called ☃ #t".encode() + nl
        at = after.index(inserted)
        rest = after[:at] + after[at + len(inserted) :]
        if rest != data:  # the end of the file: a line ending and/or a new heading first
            assert after.endswith(inserted) and rest.startswith(data)
            assert rest[len(data) :] in {
                nl,
                nl + nl,
                b"## Log" + nl,
                nl + b"## Log" + nl,
                nl + nl + b"## Log" + nl,
            }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note_bytes(), st.sampled_from([b"\n", b"\r\n"]), st.booleans())
def test_cli_done_changes_no_other_byte(data, ending, task):
    runner = CliRunner(env={"NO_COLOR": "1", "VAULTKIT_VAULT": None})
    with tempfile.TemporaryDirectory() as tmp:
        root = _vault(Path(tmp))
        path = root / "companies/Globex.md"
        if data and not data.endswith((b"\n", b"\r")):
            data += ending
        if task:
            marker = "- [ ] Call ☃ 📅 2026-12-01".encode()
            data += marker + ending
        else:  # a follow-up date in the frontmatter: the `follow-up` rule
            front = next(
                (f for f in FRONTMATTERS if f and data.lstrip(b"\xef\xbb\xbf").startswith(f)), None
            )
            if front is None:
                return
            data = data.replace(
                front,
                front.replace(b"---", b"---\nfollow_up: 2026-11-20", 1).replace(
                    b"---\nfollow_up: 2026-11-20\r\n", b"---\r\nfollow_up: 2026-11-20\r\n"
                ),
                1,
            )
        path.write_bytes(data)
        items = [
            f
            for f in followups(runner, root)
            if f["note"] == "companies/Globex.md" and f["rule"] == ("task" if task else "follow-up")
        ]
        if not items:  # e.g. the frontmatter broken by the noise around it
            return
        result = runner.invoke(
            cli, ["done", items[0]["id"], "--today", TODAY, "--vault", str(root)]
        )
        after = path.read_bytes()
        if task:
            assert result.exit_code == 0, result.output
            old = data.splitlines(keepends=True)
            new = after.splitlines(keepends=True)
            changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
            assert len(changed) == 1
            assert new[changed[0]] == "- [x] Call ☃ 📅 2026-12-01 ✅ 2026-12-01".encode() + ending
        elif result.exit_code == 2:
            assert "never closed" in result.output
            assert after == data
        else:
            assert result.exit_code == 0, result.output
            nl = edit.newline_of(data.decode("utf-8", "surrogateescape")).encode()
            inserted = f"- 2026-12-01 Done: {items[0]['title']} #follow-up".encode() + nl
            at = after.index(inserted)
            rest = after[:at] + after[at + len(inserted) :]
            assert rest == data or (
                after.endswith(inserted)
                and rest.startswith(data)
                and len(rest) - len(data) <= len(nl) * 2 + len(b"## Log")
            )


def test_new_contact_goes_where_the_contacts_are(runner, vault_dir, write_note):
    write_note("people/Jane Doe.md", "")
    result = run(runner, vault_dir, "new", "contact", "Raj Patel", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (vault_dir / "people/Raj Patel.md").is_file()
    assert not (vault_dir / "contacts").exists()
