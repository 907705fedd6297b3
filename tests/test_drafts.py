"""Drafts: one table per template (every variable present; every one missing gives its
placeholder), the vault's own templates and their limits, and `vaultkit draft`."""

from __future__ import annotations

import json
import os
import re
import textwrap
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import TODAY

from vaultkit.cli import cli
from vaultkit.pipeline import evaluate
from vaultkit.rules.followup import FollowUp
from vaultkit.rules.registry import derive_followups
from vaultkit.vault.config import load_config
from vaultkit.views.draft_templates import MAX_BYTES, builtin_templates, load_templates
from vaultkit.views.drafts import DRAFT_RULES, VARIABLES, compose, compose_all

SIGNED = '[drafts]\nsignature = "Sam Rivera"\n'
G = "companies/Globex.md"
J = "people/Jane Doe.md"
R = "people/Raj Patel.md"
JANE = 'company: "[[Globex]]"\nrelationship: hiring-manager\nemail: jane@globex.example\n'
GLOBEX = "role: Staff Engineer\npitch: I rebuilt paging for 40 teams.\n"

# Per rule: notes in which every detail its template uses is recorded.
FULL: dict[str, dict[str, str]] = {
    "application-follow-up": {
        G: f"---\nstage: applied\napplied: 2026-11-20\n{GLOBEX}---\n",
        J: f"---\n{JANE}---\n",
    },
    "thank-you": {
        G: f"---\nstage: interviewing\n{GLOBEX}"
        'interviews: [{date: 2026-11-30, with: "[[Jane Doe]]", kind: video}]\n---\n'
        "## Log\n- 2026-11-30 Video call with [[Jane Doe]]: error budgets, paging; good\n",
        J: f"---\n{JANE}linkedin_connected: 2026-11-30\n---\n",
    },
    "interview-check-in": {
        G: f"---\nstage: interviewing\n{GLOBEX}"
        'interviews: [{date: 2026-11-20, with: "[[Jane Doe]]", kind: onsite}]\n---\n'
        "## Log\n- 2026-11-20 Onsite with [[Jane Doe]]: the SLO rework #thank-you\n",
        J: f"---\n{JANE}linkedin_connected: 2026-11-20\n---\n",
    },
    "reply-promptly": {
        G: f"---\nstage: screening\n{GLOBEX}---\n",
        J: f"---\n{JANE}awaiting_reply: 2026-11-30\n---\n",
    },
    "offer-update": {
        "companies/Initech.md": "---\nstage: offer\noffer: 2026-11-30\n"
        "offer_deadline: 2026-12-07\n---\n",
        G: f"---\nstage: interviewing\n{GLOBEX}---\n",
        J: f"---\n{JANE}---\n",
    },
    "keep-in-touch": {
        J: "---\nemail: jane@globex.example\ncadence: 2w\n---\n## Log\n- 2026-11-10 Coffee chat\n",
    },
    "met-follow-up": {
        J: "---\nemail: jane@globex.example\nmet: 2026-11-25\nmet_at: PyCon\n---\n"
        "## Log\n- 2026-11-25 Met at PyCon: Rust in production\n",
    },
    "info-interview-request": {G: f"---\nstage: applied\napplied: 2026-11-20\n{GLOBEX}---\n"},
    "linkedin-connect": {
        G: f"---\nstage: interviewing\n{GLOBEX}"
        'interviews: [{date: 2026-11-30, with: "[[Jane Doe]]", kind: video}]\n---\n'
        "## Log\n- 2026-11-30 Video call with [[Jane Doe]]: error budgets #thank-you\n",
        J: f"---\n{JANE}linkedin: https://www.linkedin.com/in/jane\n---\n",
    },
}
# The one rule that fires only where you know nobody: its greeting is always to be filled in.
ALWAYS_MISSING = {"info-interview-request": {"first_name", "email"}}


def used_variables(rule: str) -> list[str]:
    template = builtin_templates()[rule]
    return re.findall(r"\{\{\s*(\w+)\s*\}\}", template.subject + template.body)


def write(vault_dir, notes, config=""):
    (vault_dir / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n' + config)
    for rel, text in notes.items():
        (vault_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (vault_dir / rel).write_text(text)
    return evaluate(load_config(vault_dir), TODAY, use_cache=False).vault


def draft_of(vault, rule, templates=None):
    [item] = [f for f in derive_followups(vault, TODAY) if f.rule == rule]
    return compose(vault, item, templates or builtin_templates(), TODAY)


def test_every_rule_that_asks_for_a_message_has_a_template():
    assert set(builtin_templates()) == set(DRAFT_RULES) == set(FULL)
    for rule in DRAFT_RULES:
        assert set(used_variables(rule)) <= set(VARIABLES), rule


@pytest.mark.parametrize("rule", sorted(FULL))
def test_every_variable_present(vault_dir, rule):
    draft = draft_of(write(vault_dir, FULL[rule], SIGNED), rule)
    text = draft.subject + "\n" + draft.body
    expected_gaps = ALWAYS_MISSING.get(rule, set())
    assert {m.variable for m in draft.missing} == expected_gaps
    for name, variable in VARIABLES.items():
        assert (variable.placeholder in text) == (name in expected_gaps), name
    assert "{{" not in text and "None" not in text
    if rule not in ALWAYS_MISSING and rule != "linkedin-connect":
        assert draft.to == "jane@globex.example"


@pytest.mark.parametrize("rule", sorted(FULL))
def test_every_variable_missing_gives_its_placeholder(vault_dir, rule):
    # A follow-up whose notes are gone: nothing is known, and nothing may crash or say None.
    vault = write(vault_dir, {})
    item = FollowUp("0123456789", rule, TODAY, "t", "r", "gone.md", 1, record="gone too.md")
    draft = compose(vault, item, builtin_templates(), TODAY)
    text = draft.subject + "\n" + draft.body
    used = set(used_variables(rule))
    assert used
    for name in used:
        assert VARIABLES[name].placeholder in text, name
    assert {m.variable for m in draft.missing} == used | (
        set() if rule == "linkedin-connect" else {"email"}
    )
    assert all(m.note and m.how for m in draft.missing)
    assert "{{" not in text and "None" not in text and draft.to is None


def test_bare_notes_say_which_note_to_fill_in(vault_dir):
    vault = write(
        vault_dir,
        {
            G: "---\nstage: interviewing\n"
            'interviews: [{date: 2026-11-30, with: "[[Jane Doe]]"}]\n---\n'
            "## Log\n- 2026-11-30 Call with [[Jane Doe]], went well\n",
            J: "---\nemail: not an address\n---\n",
        },
    )
    draft = draft_of(vault, "thank-you")
    assert draft.subject == "Thank you for the interview, Jane"
    assert draft.to is None
    gaps = {m.variable: (m.placeholder, m.note, m.how) for m in draft.missing}
    assert gaps["discussed"][:2] == ("[what you discussed]", G)
    assert "after a colon" in gaps["discussed"][2]
    assert gaps["role"][:2] == ("[the role]", G)
    assert gaps["pitch"][:2] == ("[one sentence on why you fit the role]", G)
    assert gaps["signature"][1:] == (
        "vaultkit.toml",
        'set `signature = "Your Name"` under `[drafts]`',
    )
    assert gaps["email"][1:] == (J, "the `email:` 'not an address' is not an address")
    assert "[what you discussed]" in draft.body


def test_values_are_one_line_and_never_expanded_again(vault_dir):
    vault = write(
        vault_dir,
        {
            G: "---\nstage: applied\napplied: 2026-11-20\nrole: |\n  Staff\n  Engineer {{signature}}\n"
            "---\n",
            J: f"---\n{JANE}---\n",
        },
        SIGNED,
    )
    draft = draft_of(vault, "application-follow-up")
    assert "Staff Engineer {{signature}}" in draft.subject
    assert "position at Globex" in draft.body and "Staff\n" not in draft.body


# ---------------------------------------------------------------- the vault's own templates


def own_template(vault_dir, name, text):
    folder = vault_dir / "templates" / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def test_a_vault_template_overrides_the_built_in_one(vault_dir):
    vault = write(vault_dir, FULL["keep-in-touch"], SIGNED)
    own_template(
        vault_dir,
        "Keep-In-Touch.md",
        "---\ntags: [template]\n---\nSubject: Hello {{ first_name }}\n\nLast time: {{last_contact}}."
        " {{nickname}} {% code %} ${HOME} {{__import__('os')}}\n-- {{signature}}\n",
    )
    templates, problems = load_templates(vault_dir)
    draft = draft_of(vault, "keep-in-touch", templates)
    assert draft.template == "templates/drafts/Keep-In-Touch.md"
    assert draft.subject == "Hello Jane"
    assert draft.body == (
        "Last time: November 10. {{nickname}} {% code %} ${HOME} {{__import__('os')}}\n-- Sam Rivera"
    )
    assert [(p.path, p.severity) for p in problems] == [
        ("templates/drafts/Keep-In-Touch.md", "warning")
    ]
    assert "{{nickname}}" in problems[0].message


def test_a_template_without_a_subject_keeps_the_built_in_one(vault_dir):
    own_template(vault_dir, "reply-promptly.md", "Hi {{first_name}}, yes!\n")
    templates, problems = load_templates(vault_dir)
    assert problems == []
    assert templates["reply-promptly"].subject == builtin_templates()["reply-promptly"].subject
    assert templates["reply-promptly"].body == "Hi {{first_name}}, yes!"


def test_a_template_outside_the_vault_is_never_followed(vault_dir, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("Subject: stolen\n\n{{name}}\n")
    folder = vault_dir / "templates" / "drafts"
    folder.mkdir(parents=True)
    (folder / "thank-you.md").symlink_to(outside)
    templates, problems = load_templates(vault_dir)
    assert templates["thank-you"] == builtin_templates()["thank-you"]
    assert [p.path for p in problems] == ["templates/drafts/thank-you.md"]
    assert "outside the vault" in problems[0].message


def test_a_drafts_folder_outside_the_vault_is_never_read(vault_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "thank-you.md").write_text("Subject: stolen\n\nx\n")
    (vault_dir / "templates").mkdir()
    (vault_dir / "templates" / "drafts").symlink_to(elsewhere)
    templates, problems = load_templates(vault_dir)
    assert templates == builtin_templates()
    assert "outside the vault" in problems[0].message


def test_a_link_inside_the_vault_is_followed(vault_dir):
    (vault_dir / "mine.md").write_text("Subject: ours\n\nbody\n")
    folder = vault_dir / "templates" / "drafts"
    folder.mkdir(parents=True)
    (folder / "thank-you.md").symlink_to(vault_dir / "mine.md")
    templates, problems = load_templates(vault_dir)
    assert problems == [] and templates["thank-you"].subject == "ours"


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.write_bytes(b"x" * (MAX_BYTES + 1)), "larger than"),
        (lambda p: p.write_bytes(b"Subject: \xff\xfe\n"), "utf-8"),
        (lambda p: p.mkdir(), "not a regular file"),
    ],
    ids=["fifo", "huge", "not utf-8", "a folder"],
)
def test_a_template_that_cannot_be_read_falls_back(vault_dir, make, why):
    folder = vault_dir / "templates" / "drafts"
    folder.mkdir(parents=True)
    make(folder / "thank-you.md")
    templates, problems = load_templates(vault_dir)  # a FIFO must not block
    assert templates["thank-you"] == builtin_templates()["thank-you"]
    assert why in problems[0].message


# ---------------------------------------------------------------- vaultkit draft


def run(runner, vault_dir, *args):
    return runner.invoke(cli, ["draft", *args, "--vault", str(vault_dir), "--today", "2026-12-01"])


def the_id(vault, rule):
    return next(f.id for f in derive_followups(vault, TODAY) if f.rule == rule)


def test_draft_prints_the_message_and_what_to_fill_in(runner, vault_dir):
    notes = dict(FULL["thank-you"])
    notes[G] = notes[G].replace("pitch: I rebuilt paging for 40 teams.\n", "")
    fid = the_id(write(vault_dir, notes, SIGNED), "thank-you")
    result = run(runner, vault_dir, fid)
    assert result.exit_code == 0, result.output
    assert result.stdout == textwrap.dedent(
        """\
        To: Jane Doe <jane@globex.example>
        Subject: Thank you for the video interview, Jane

        Hi Jane,

        Thank you for taking the time to meet me on November 30 about the Staff Engineer role. I enjoyed our conversation about error budgets, paging.

        It left me even more excited about joining Globex. [one sentence on why you fit the role]

        Best regards,
        Sam Rivera
        """
    )
    assert "[one sentence on why you fit the role]  companies/Globex.md: set `pitch:`" in (
        result.stderr
    )
    assert f"vaultkit done {fid} --sent" in result.stderr


def test_draft_to_mailto_and_json(runner, vault_dir):
    fid = the_id(write(vault_dir, FULL["reply-promptly"], SIGNED), "reply-promptly")
    assert run(runner, vault_dir, fid, "--to").stdout == "jane@globex.example\n"
    url = run(runner, vault_dir, fid, "--mailto").stdout.strip()
    parts = urlsplit(url)
    assert (parts.scheme, parts.path) == ("mailto", "jane@globex.example")
    query = parse_qs(parts.query)
    data = json.loads(run(runner, vault_dir, fid, "--json").stdout)
    assert query["subject"] == [data["subject"]] == ["Re: Staff Engineer at Globex"]
    assert query["body"] == [data["body"].replace("\n", "\r\n")]
    assert data["to"] == "jane@globex.example" and data["mailto"] == url
    assert data["missing"] == [] and data["rule"] == "reply-promptly"
    assert data["body"].startswith("Hi Jane,\n\nThank you for your message of November 30.")


def test_draft_to_without_an_address_says_where_to_add_it(runner, vault_dir):
    fid = the_id(write(vault_dir, {J: "---\nawaiting_reply: 2026-11-30\n---\n"}), "reply-promptly")
    result = run(runner, vault_dir, fid, "--to")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "people/Jane Doe.md: set `email:`" in result.stderr


def test_draft_of_a_rule_without_a_message_is_a_usage_error(runner, vault_dir):
    vault = write(vault_dir, {G: "---\nstage: applied\n---\n- [ ] Update the CV 📅 2026-12-01\n"})
    result = run(runner, vault_dir, the_id(vault, "task"))
    assert result.exit_code == 2
    assert "asks for no message" in result.stderr


def test_a_linkedin_note_says_how_long_it_is(runner, vault_dir):
    vault = write(vault_dir, FULL["linkedin-connect"], SIGNED)
    result = run(runner, vault_dir, the_id(vault, "linkedin-connect"))
    note = result.stdout.split("\n\n", 1)[1].strip()
    assert result.stdout.startswith(
        f"LinkedIn note to Jane Doe (https://www.linkedin.com/in/jane), {len(note)} of 300 "
        "characters:\n"
    )
    assert len(note) <= 300


# ---------------------------------------------------------------- in the site and the feed

HOSTILE = {
    G: "---\nstage: interviewing\nrole: Staff <b>Engineer</b>\n"
    "pitch: '</pre><script>alert(1)</script> & \"quotes\"'\n"
    'interviews: [{date: 2026-11-30, with: "[[Jane Doe]]", kind: video}]\n---\n'
    "## Log\n- 2026-11-30 Call with [[Jane Doe]]: <img src=x onerror=alert(2)>; fine\n",
    J: "---\nname: Jane <i>Doe</i>\nemail: jane+jobs@globex.example\n---\n",
}


def build_site(runner, vault_dir, detail="full"):
    (vault_dir / "vaultkit.toml").write_text(
        f'timezone = "Europe/Berlin"\n[feed]\ndetail = "{detail}"\n' + SIGNED
    )
    out = vault_dir / "_site"
    result = runner.invoke(
        cli, ["build", "--vault", str(vault_dir), "--today", "2026-12-01", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    return out


def hostile_draft(vault_dir):
    vault = write(vault_dir, HOSTILE, SIGNED)
    return draft_of(vault, "thank-you")


def test_pages_show_the_draft_escaped(runner, vault_dir):
    from html import escape

    draft = hostile_draft(vault_dir)
    assert "<script>alert(1)</script>" in draft.body  # the notes say so; the page must not run it
    out = build_site(runner, vault_dir)
    for page in ("agenda.html", "notes/people/jane-doe.html"):
        html = (out / page).read_text()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert escape(draft.as_text()) in html, page
        assert f'href="{escape(draft.mailto)}"' in html
        assert f"<code>vaultkit draft {draft.followup}</code>" in html


def test_the_feed_carries_the_draft_only_in_full_detail(runner, vault_dir):
    import icalendar

    draft = hostile_draft(vault_dir)
    for detail in ("full", "minimal", "private"):
        data = (build_site(runner, vault_dir, detail) / "followups.ics").read_bytes()
        events = {
            str(e["UID"]).split("@")[0]: e
            for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
        }
        unfolded = data.replace(b"\r\n ", b"").decode()
        if detail == "full":
            description = str(events[draft.followup]["DESCRIPTION"])
            assert description.endswith(
                f"Draft (vaultkit draft {draft.followup}):\n{draft.as_text()}".strip()
            )
        else:
            assert all("DESCRIPTION" not in e for e in events.values())
            assert "Draft" not in unfolded and "alert" not in unfolded


def test_a_changed_template_rebuilds_the_site(runner, vault_dir):
    write(vault_dir, FULL["reply-promptly"], SIGNED)
    build = ["build", "--vault", str(vault_dir), "--today", "2026-12-01"]
    assert runner.invoke(cli, build).exit_code == 0
    own_template(vault_dir, "reply-promptly.md", "Subject: Quick answer\n\nHi {{first_name}}!\n")
    assert runner.invoke(cli, build).exit_code == 0  # the cache must see the new template
    assert "Hi Jane!" in (vault_dir / "_site" / "agenda.html").read_text()


def test_a_file_name_that_is_not_utf8_in_the_drafts_folder_is_harmless(runner, vault_dir):
    write(vault_dir, FULL["reply-promptly"], SIGNED)
    folder = vault_dir / "templates" / "drafts"
    folder.mkdir(parents=True)
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.md"), "wb") as handle:
        handle.write(b"Subject: x\n\ny\n")
    templates, problems = load_templates(vault_dir)
    assert templates == builtin_templates() and problems == []
    build = ["build", "--vault", str(vault_dir), "--today", "2026-12-01"]
    assert runner.invoke(cli, build).exit_code == 0


def test_the_site_carries_drafts_for_the_next_two_weeks_only(runner, vault_dir):
    write(
        vault_dir,
        {
            J: "---\nemail: jane@globex.example\ncadence: 2w\nlast_contact: 2026-11-20\n---\n",
            R: "---\nemail: raj@globex.example\ncadence: 3w\nlast_contact: 2026-11-25\n---\n",
        },
    )
    vault = evaluate(load_config(vault_dir), TODAY, use_cache=False).vault
    items = {f.record: f for f in derive_followups(vault, TODAY)}
    drafts = compose_all(vault, list(items.values()), builtin_templates(), TODAY)
    # Jane's is due 12-04, within 14 days; Raj's on 12-16, beyond them.
    assert set(drafts) == {items[J].id}
    html = (build_site(runner, vault_dir) / "agenda.html").read_text()
    assert html.count('<details class="draft">') == 1
    assert compose(vault, items[R], builtin_templates(), TODAY) is not None  # `vaultkit draft`
