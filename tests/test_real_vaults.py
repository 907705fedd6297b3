"""The forms real Obsidian job-search vaults hold (DESIGN section 1.6), one at a time, through
the model, `adopt` and the CLI. tests/test_corpus.py reads whole vaults in those styles."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY

from vaultkit.cli import cli
from vaultkit.rules.registry import derive_followups
from vaultkit.vault.config import load_config
from vaultkit.vault.model import Model, build_model
from vaultkit.vault.parse import parse_note
from vaultkit.vault.vocabulary import CONTACT_WORDS, place_stage

CORPUS = Path(__file__).resolve().parent / "vaults"


def rules_for(vault, path):
    return sorted(f.rule for f in derive_followups(vault, TODAY) if f.note == path)


def adopt(runner, vault_dir):
    (vault_dir / "vaultkit.toml").unlink(missing_ok=True)
    result = runner.invoke(cli, ["adopt", "--vault", str(vault_dir)])
    assert result.exit_code == 0, result.output
    return result.output, tomllib.loads((vault_dir / "vaultkit.toml").read_text())


def check_json(runner, vault_dir):
    result = runner.invoke(cli, ["check", "--vault", str(vault_dir), "--json", "--no-cache"])
    return json.loads(result.stdout)


# ---------------------------------------------------------------- 1. checkboxes on date fields


def test_a_checkbox_beside_a_date_gives_way_to_the_date(write_note, load):
    write_note(
        "companies/Northwind.md",
        "---\nstage: applied\nApplied: true\nApplied-Date: 2026-11-20\n---\n",
    )
    vault = load()
    note = vault.notes["companies/Northwind.md"]
    assert vault.problems == []
    assert note.get("applied") == date(2026, 11, 20)
    assert note.line_of("applied") == 4  # the date's line, where the follow-up points
    assert "application-follow-up" in rules_for(vault, "companies/Northwind.md")


def test_a_checkbox_alone_is_evidence_without_a_date(write_note, load):
    write_note("companies/Litware.md", "---\napplied: true\noffer: false\n---\n")
    write_note("people/Dana.md", "---\nlinkedin_connected: true\nmet: false\n---\n")
    write_note(
        "companies/Contoso.md",
        "---\nstage: interviewing\ninterviews:\n  - {date: 2026-11-20, with: '[[Dana]]'}\n---\n",
    )
    vault = load()
    assert vault.problems == []  # never "expected a date, got True"
    litware, dana = vault.notes["companies/Litware.md"], vault.notes["people/Dana.md"]
    assert litware.happened("applied") and "applied" not in litware.fields
    assert not litware.happened("offer")  # false is absent
    assert litware.stage == "applied"  # no stage stated: as far as its fields show
    # no date, nothing to count from
    assert "application-follow-up" not in rules_for(vault, "companies/Litware.md")
    assert dana.happened("linkedin_connected") and not dana.happened("met")
    # the interviewer is connected already: no linkedin-connect for Dana
    assert "linkedin-connect" not in {f.rule for f in derive_followups(vault, TODAY)}


def test_a_company_without_a_stage_is_as_far_as_its_dates_show(write_note, load):
    write_note("companies/A.md", "---\napplied: 2026-11-20\n---\n")
    write_note("companies/B.md", "---\napplied: 2026-11-01\noffer: 2026-11-25\n---\n")
    write_note("companies/C.md", "---\nstage:\nrole: x\n---\n")
    vault = load()
    assert [vault.notes[f"companies/{n}.md"].stage for n in "ABC"] == ["applied", "offer", None]
    assert "application-follow-up" in rules_for(vault, "companies/A.md")


# ---------------------------------------------------------------- 2. broken YAML


def test_one_broken_value_costs_one_line(write_note, load):
    write_note(
        "companies/Brightline.md",
        """
        ---
        stage: offer
        interview_stage: Stage 2: technical
        offer: 2026-11-28
        interviews:
          - {date: 2026-11-20, kind: onsite}
        ---
        """,
    )
    write_note("companies/Kestrel.md", "---\nstage: interviewing\n---\n")
    vault = load()
    note = vault.notes["companies/Brightline.md"]
    assert (note.stage, note.get("offer")) == ("offer", date(2026, 11, 28))
    assert len(note.interviews) == 1
    assert note.parsed.meta["interview_stage"] == "Stage 2: technical"
    [problem] = vault.problems
    assert (problem.path, problem.line, problem.severity) == ("companies/Brightline.md", 3, "error")
    assert 'quote the value: interview_stage: "Stage 2: technical"' in problem.message
    rules = {f.rule for f in derive_followups(vault, TODAY)}
    assert {"offer-update", "thank-you"} <= rules  # the offer and the interview still count


def test_a_broken_block_is_left_out_and_the_rest_read(write_note, load):
    write_note(
        "companies/X.md",
        "---\nstage: applied\ncontacts: [[[Ann]]\napplied: 2026-11-20\ntags: [a, b]\n---\n",
    )
    vault = load()
    note = vault.notes["companies/X.md"]
    assert (note.stage, note.get("applied"), note.tags) == (
        "applied",
        date(2026, 11, 20),
        ["a", "b"],
    )
    [problem] = vault.problems
    assert problem.line == 3 and "this property is left out" in problem.message


def test_adopt_names_the_notes_it_could_not_read_in_full(runner, vault_dir, write_note):
    write_note("jobs/A.md", "---\nstatus: applied\nnote: Stage 2: technical\n---\n")
    write_note("jobs/B.md", "---\nstatus: offer\n---\n")
    output, _ = adopt(runner, vault_dir)
    assert "could not read in full (fix the YAML on these lines): jobs/A.md:3" in output


# ---------------------------------------------------------------- 3. stage words


@pytest.mark.parametrize(
    ("value", "stage"),
    [
        ("not-applied", "lead"),
        ("Not Applied", "lead"),
        ("NotApplied", "lead"),
        ("Wishlist", "lead"),
        ("Saved", "lead"),
        ("To Apply", "lead"),
        ("Active", "applied"),
        ("Submitted", "applied"),
        ("Waiting", "applied"),
        ("In Progress", "applied"),
        ("HR Interview", "screening"),
        ("Recruiter Screen", "screening"),
        ("Phone_Screen", "screening"),
        ("First Round", "interviewing"),
        ("Technical interview", "interviewing"),
        ("Final round", "interviewing"),
        ("Onsite", "interviewing"),
        ("Offer Received", "offer"),
        ("Offer accepted", "accepted"),
        ("Declined by me", "withdrawn"),
        ("Declined offer", "withdrawn"),
        ("Not interested", "withdrawn"),
        ("No-Go", "withdrawn"),
        ("Rejected", "rejected"),
        ("Declined by them", "rejected"),
        ("Not selected", "rejected"),
        ("No response", "ghosted"),
        ("Applied - no response", "ghosted"),
        ("Contacted", CONTACT_WORDS),
        ("Replied", CONTACT_WORDS),
        ("In conversation", CONTACT_WORDS),
        ("Limbo", None),
        ("Not interviewing", None),  # a negation it cannot read is not guessed at
        # numbered and emoji statuses, as trackers sort them
        ("2. Applied", "applied"),
        ("3) Interview", "interviewing"),
        ("🟢 Applied", "applied"),
        ("Applied ✅", "applied"),
        ("❌ Rejected", "rejected"),
        ("Coding challenge", "interviewing"),
        ("Take-home assignment", "interviewing"),
    ],
)
def test_stage_words(value, stage):
    assert place_stage(value) == stage


def test_every_stage_value_gets_a_place_or_one_warning(runner, vault_dir, write_note):
    for i, status in enumerate(["not-applied", "Active", "HR Interview", "Limbo", "Limbo"]):
        write_note(f"Jobs/J{i}.md", f"---\nStatus: {status}\nSalary: 1\n---\n")
    write_note("People/Ann.md", "---\nEmail: a@x.test\nStatus: Contacted\n---\n")
    output, config = adopt(runner, vault_dir)
    assert config["stages"] == {
        "lead": ["not-applied"],
        "applied": ["Active"],
        "screening": ["HR Interview"],
    }
    assert "could not place: Limbo" in output
    assert "Contacted" not in output  # a contact's status is not a company stage
    assert "# not placed, add them above: Limbo" in (vault_dir / "vaultkit.toml").read_text()
    problems = check_json(runner, vault_dir)
    stage_problems = [p for p in problems if "unknown stage" in p["message"]]
    assert [(p["path"], p["severity"]) for p in stage_problems] == [("Jobs/J3.md", "warning")]
    assert "(and in 1 other note)" in stage_problems[0]["message"]
    assert [p for p in problems if p["severity"] == "error"] == []


# ---------------------------------------------------------------- 4. value types


def test_a_field_is_proposed_only_where_the_values_fit(runner, vault_dir, write_note):
    for i in range(3):
        write_note(
            f"Jobs/J{i}.md",
            f"""
            ---
            Status: Applied
            Applied: true
            Applied-Date: 2026-11-0{i + 1}
            next_action: [Send email, Decide]
            Follow-Up: 2026-12-0{i + 1}
            ---
            """,
        )
    _, config = adopt(runner, vault_dir)
    assert config["fields"]["applied"] == ["Applied-Date"]  # a date, not the checkbox
    assert config["fields"]["follow_up"] == ["Follow-Up"]  # not next_action's lists
    assert [p for p in check_json(runner, vault_dir) if p["severity"] == "error"] == []


def test_roles_named_apart_on_companies_and_contacts(runner, vault_dir, write_note, load):
    write_note("Jobs/A.md", "---\nStatus: Applied\nPosition: Data Engineer\n---\n")
    write_note("Jobs/B.md", "---\nStatus: Applied\nPosition: Analyst\n---\n")
    write_note("People/Ann.md", "---\nEmail: a@x.test\nRole: Recruiter\n---\n")
    write_note("People/Bo.md", "---\nEmail: b@x.test\nRole: CTO\n---\n")
    _, config = adopt(runner, vault_dir)
    assert config["types"]["company"]["fields"] == {"role": ["Position"]}
    assert "role" not in config.get("fields", {})
    vault = load()
    assert vault.notes["Jobs/A.md"].get("role") == "Data Engineer"
    assert vault.notes["People/Ann.md"].get("role") == "Recruiter"


# ---------------------------------------------------------------- 8. company-level last contact


def test_last_contact_on_a_company_is_a_touch(write_note, load, vault_dir):
    (vault_dir / "vaultkit.toml").write_text(
        'timezone = "Europe/Berlin"\n[fields]\nlast_contact = ["Date Last Interaction"]\n'
    )
    write_note(
        "companies/Quarry.md",
        "---\nstage: applied\napplied: 2026-09-01\nDate Last Interaction: 2026-11-25\n---\n",
    )
    vault = load()
    rules = rules_for(vault, "companies/Quarry.md")
    assert "stale" not in rules and "application-follow-up" not in rules
    quarry = vault.notes["companies/Quarry.md"]
    assert quarry.last_interaction(TODAY).date == date(2026, 11, 25)


def test_check_says_when_a_mapped_field_means_nothing_there(runner, vault_dir, write_note):
    (vault_dir / "vaultkit.toml").write_text(
        "[fields]\ncadence = ['Every']\n[types.company.fields]\nemail = ['Mail']\n"
    )
    write_note("companies/A.md", "---\nEvery: 3w\nMail: x@y.test\n---\n")
    messages = [p["message"] for p in check_json(runner, vault_dir)]
    assert (
        "[fields] cadence: `cadence` means nothing on companies (it is read on contacts), "
        "so these properties are not read"
    ) in messages
    assert any(
        m.startswith("[types.company.fields] email: `email` means nothing") for m in messages
    )


# ---------------------------------------------------------------- 7. touches in tables


def test_a_dated_table_row_is_a_touch(write_note, load):
    write_note(
        "companies/Lumen.md",
        """
        ---
        stage: applied
        applied: 2026-10-01
        ---
        ## Follow-Up Log
        | Date | Type | Notes |
        | ---- | ---- | ----- |
        | 2026-10-06 | Call | Talked to [[Priya Nair\\|Priya]] #call |
        |  |  |  |
        | not a date | Email | ignored |
        """,
    )
    write_note("people/Priya Nair.md", "---\ncompany: '[[Lumen]]'\n---\n")
    vault = load()
    lumen, priya = vault.notes["companies/Lumen.md"], vault.notes["people/Priya Nair.md"]
    touch = lumen.last_interaction(TODAY)
    assert (touch.date, touch.line, touch.tags) == (date(2026, 10, 6), 8, frozenset({"call"}))
    assert touch.direction == "both"
    assert priya.last_interaction(TODAY).date == date(2026, 10, 6)
    assert vault.problems == []
    assert "application-follow-up" not in rules_for(vault, "companies/Lumen.md")


def test_a_table_without_a_date_header_uses_the_cell_that_holds_a_date(write_note, load):
    write_note(
        "people/Ann.md",
        "## Contact Log\n| Who | When it was | Direction |\n|---|---|---|\n"
        "| [[Ann]] | **2026-11-02** | Received |\n",
    )
    vault = load()
    touch = vault.notes["people/Ann.md"].last_interaction(TODAY)
    assert (touch.date, touch.direction) == (date(2026, 11, 2), "in")


# ---------------------------------------------------------------- 9. direction


@pytest.mark.parametrize(
    ("text", "tags", "direction"),
    [
        ("Emailed [[Jane Doe]] about the role", [], "out"),
        ("Applied via the careers page", [], "out"),
        ("Replied to [[Wes Calder]] to confirm travel", [], "out"),
        ("Sent the portfolio", [], "out"),
        ("Recruiter replied", [], "in"),
        ("Heard back from the recruiter", [], "in"),
        ("Email from [[Dana]]: second round", [], "in"),
        ("Rejection email", [], "in"),
        ("Call with [[Priya]]", [], "both"),
        ("Coffee with [[Lena]]", [], "both"),
        ("Phone screen with [[Jonah Pike]]", [], "both"),
        ("Status update", [], "unknown"),
        ("Notes on [[Sent Items]]", [], "unknown"),  # a link's words are not verbs
        ("Anything", ["sent"], "out"),
        ("Anything", ["received"], "in"),
        ("Got the offer", ["follow-up"], "out"),  # a tag says more than a verb
    ],
)
def test_direction_of_a_touch(text, tags, direction):
    from vaultkit.vault.vocabulary import direction_of

    assert direction_of(text, tags) == direction


def test_stats_count_only_inbound_and_two_way_touches_as_responses(runner, tmp_path):
    vault = tmp_path / "v"
    shutil.copytree(CORPUS / "comm-direction", vault)
    assert runner.invoke(cli, ["adopt", "--vault", str(vault)]).exit_code == 0
    result = runner.invoke(cli, ["stats", "--vault", str(vault), "--today", "2026-05-20", "--json"])
    stats = json.loads(result.stdout)
    # Fjord: a screening (and Tomas's email); Vantage: Wren's `Received` email. Greywater had
    # only your two `Sent` emails, Solano nothing: no response.
    assert (stats["applications"], stats["responses"]) == (4, 2)
    assert stats["median_days_to_response"] == 10.5  # Fjord 6 days, Vantage 15


def test_a_direction_field_of_interaction_notes(write_note, load, vault_dir):
    (vault_dir / "vaultkit.toml").write_text(
        '[types.interaction]\nfolders = ["Comms"]\ndate = "Comm-Date"\nwith = "Contacts"\n'
        'direction = "Comm-Type"\n'
    )
    write_note("people/Tomas.md", "")
    for i, kind in enumerate(["Sent", "Received", "Exchanged", "Email"]):
        write_note(
            f"Comms/C{i}.md",
            f"---\nComm-Date: 2026-11-0{i + 1}\nComm-Type: {kind}\nContacts: '[[Tomas]]'\n---\n",
        )
    vault = load()
    got = [t.direction for t in vault.notes["people/Tomas.md"].interactions]
    assert got == ["out", "in", "both", "unknown"]


# ---------------------------------------------------------------- 10. links to any file


def test_links_resolve_to_any_file_as_in_obsidian(write_note, load, vault_dir):
    (vault_dir / "files").mkdir()
    for name in ("CV 2026.pdf", "diagram.png", "Board.canvas", "Jobs.base", "Offer (v2).pdf"):
        (vault_dir / "files" / name).write_bytes(b"x")
    write_note("templates/Company.md", "---\nstage: lead\n---\n")  # excluded, still a file
    write_note(
        "companies/Acme.md",
        """
        [[CV 2026.pdf]] ![[diagram.png]] [[Board.canvas]] ![[Jobs.base]] [[Company]]
        [[files/cv 2026.PDF]] [offer](<files/Offer (v2).pdf>) [o](files/Offer%20(v2).pdf)
        ![[nothere.png]] [[Nobody]] [cl](files/Cover%20letter.docx) [web](www.example.com)
        """,
    )
    vault = load()
    assert vault.notes["companies/Acme.md"].links == []  # files are no records
    assert sorted(p.message for p in vault.problems) == [
        "link [[Nobody]] points to no note",
        "link [[files/Cover letter.docx]] points to no file",
        "link [[nothere.png]] points to no file",  # a missing embed warns too
    ]


def test_a_decomposed_file_name_matches_the_name_typed_in_a_link(write_note, load):
    import unicodedata

    write_note(f"people/{unicodedata.normalize('NFD', 'Zoë Ångström')}.md", "")
    write_note("companies/Acme.md", "---\ncontacts: ['[[Zoë Ångström]]']\n---\n[z](Zo%C3%AB.md)\n")
    write_note("people/Zoë.md", "")
    vault = load()
    assert vault.problems == []
    acme = vault.notes["companies/Acme.md"]
    assert len(acme.contacts) == 1 and acme.contacts[0].startswith("people/Zo")
    assert "people/Zoë.md" in acme.links


def test_markdown_link_targets_as_commonmark_writes_them():
    from vaultkit.vault.parse import find_links

    text = (
        "[a](Notes/Call%20(2026-02-03).md) [b](<My CV (final).pdf>) [c](https://x.test/a.md) "
        '[d](Jane%20Doe "her note") [e](#heading) [f](mailto:x@y.test) [g](../up/Note.md)'
    )
    assert find_links(text) == [
        "Notes/Call (2026-02-03)",
        "My CV (final).pdf",
        "Jane Doe",
        "../up/Note",
    ]


def test_the_live_model_sees_an_attachment_appear(vault_dir):
    from vaultkit.vault.config import load_config
    from vaultkit.vault.model import Model
    from vaultkit.vault.parse import parse_note

    model = Model(load_config(vault_dir))
    note = parse_note("companies/Acme.md", b"See ![[offer.pdf]]\n")
    model.update({note.path: note}, files=[])
    assert [p.message for p in model.vault.problems] == ["link [[offer.pdf]] points to no file"]
    model.update({}, files=["Attachments/offer.pdf"])
    assert model.vault.problems == []
    model.update({}, files=[])
    assert len(model.vault.problems) == 1


# ---------------------------------------------------------------- 11. Obsidian's own settings


@pytest.mark.parametrize(
    ("settings", "path", "day"),
    [
        (
            (".obsidian/daily-notes.json", '{"folder": "Journal", "format": "YYYY/MM/DD.MM.YYYY"}'),
            "Journal/2026/11/24.11.2026.md",
            date(2026, 11, 24),
        ),
        (
            (
                ".obsidian/plugins/periodic-notes/data.json",
                '{"daily": {"enabled": true, "folder": "Days", "format": "dddd, MMMM Do YYYY"}}',
            ),
            "Days/Tuesday, November 24th 2026.md",
            date(2026, 11, 24),
        ),
        ((".obsidian/daily-notes.json", "{}"), "anywhere/2026-11-24.md", date(2026, 11, 24)),
    ],
)
def test_daily_notes_where_obsidian_puts_them(write_note, load, vault_dir, settings, path, day):
    where, text = settings
    (vault_dir / where).parent.mkdir(parents=True, exist_ok=True)
    (vault_dir / where).write_text(text)
    write_note("people/Rhea.md", "")
    write_note(path, "- Coffee with [[Rhea]] #person\n")
    vault = load()
    assert vault.notes[path].kind == "daily"  # its items' tags make it no contact
    assert vault.notes["people/Rhea.md"].last_interaction(TODAY).date == day


def test_daily_note_settings_from_vaultkit_toml(write_note, load, vault_dir):
    (vault_dir / "vaultkit.toml").write_text(
        '[daily_notes]\nfolder = "log"\nformat = "DD-MM-YYYY"\n'
    )
    write_note("people/Rhea.md", "")
    write_note("log/24-11-2026.md", "- Call with [[Rhea]]\n")
    write_note("elsewhere/24-11-2026.md", "- Call with [[Rhea]] again\n")  # not in the folder
    vault = load()
    assert [t.path for t in vault.notes["people/Rhea.md"].interactions] == ["log/24-11-2026.md"]


def test_nested_tags_are_their_parents_too(write_note, load, vault_dir):
    (vault_dir / "vaultkit.toml").write_text('[types.company]\ntags = ["job"]\n')
    write_note("Orbit.md", "---\ntags: [job/interviewing]\n---\n")
    write_note("Harrow.md", "Applied today #job/applied\n")
    write_note("Jobless.md", "#jobs and #joblist are other tags\n")
    vault = load()
    assert [n.path for n in vault.records("company")] == ["Harrow.md", "Orbit.md"]


# ---------------------------------------------------------------- 12. Dataview values


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ('`= date("01-18-2024", "MM-dd-yyyy")`', date(2024, 1, 18)),
        ("date(2024-01-18)", date(2024, 1, 18)),
        ('`= date("2024-01-18")`', date(2024, 1, 18)),
        ("date('18.01.2024', 'dd.MM.yyyy')", date(2024, 1, 18)),
        ('date("Jan 18 2024", "MMM dd yyyy")', date(2024, 1, 18)),
    ],
)
def test_literal_dataview_dates(write_note, load, written, day):
    write_note("companies/Umbra.md", f"[applied:: {written}] (stage:: applied)\n")
    vault = load()
    assert vault.problems == []
    assert vault.notes["companies/Umbra.md"].get("applied") == day


@pytest.mark.parametrize(
    "written", ["`= this.file.ctime`", "`= date(today) + dur(2 days)`", "date(today)"]
)
def test_a_dataview_expression_is_said_plainly_not_an_error(write_note, load, written):
    write_note("companies/Kelp.md", f"[applied:: {written}]\n[stage:: applied]\n")
    vault = load()
    [problem] = vault.problems
    assert (problem.severity, problem.line) == ("warning", 1)
    assert "is a Dataview expression, not a value" in problem.message
    assert vault.notes["companies/Kelp.md"].stage == "applied"


def test_inline_fields_in_brackets_take_part_in_the_mapping(runner, vault_dir, write_note):
    for name in ("Umbra", "Kelp", "Tide"):
        write_note(f"Jobs/{name}.md", "[Status:: Applied] (Applied:: 2024-01-18) [Title:: Dev]\n")
    output, config = adopt(runner, vault_dir)
    assert "3 look like companies" in output
    assert config["fields"] == {"stage": ["Status"], "role": ["Title"]}


def test_a_frontmatter_key_does_not_silently_shadow_an_inline_field(write_note, load):
    write_note("companies/Umbra.md", "---\nrole: Firmware\n---\n[Role:: Senior Firmware]\n")
    vault = load()
    assert vault.notes["companies/Umbra.md"].get("role") == "Firmware"
    [problem] = vault.problems
    assert (
        problem.line == 4
        and "the inline field `Role::` and the property `role:`" in problem.message
    )


def test_daily_notes_of_a_larger_obsidian_vault_this_one_lies_in(tmp_path):
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    root = tmp_path / "Obsidian"
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian/daily-notes.json").write_text(
        '{"folder": "Jobs/Days", "format": "DD.MM.YYYY"}'
    )
    vault = root / "Jobs"
    (vault / "Days").mkdir(parents=True)
    (vault / "people").mkdir()
    (vault / "people/Rhea.md").write_text("")
    (vault / "Days/24.11.2026.md").write_text("- Call with [[Rhea]]\n")
    model = evaluate(load_config(vault), TODAY).vault
    assert model.notes["Days/24.11.2026.md"].kind == "daily"
    assert model.notes["people/Rhea.md"].last_interaction(TODAY).date == date(2026, 11, 24)


# ---------------------------------------------------------------- 5. names where stems are not


def test_names_and_roles_from_properties_where_stems_are_not_names(
    runner, vault_dir, write_note, load
):
    for stem, company, role in [
        (
            "240926-Quarry Lane Software-Backend Developer",
            "Quarry Lane Software",
            "Backend Developer",
        ),
        ("241002-Quarry Lane Software-Data Engineer", "Quarry Lane Software", "Data Engineer"),
        ("241003-Halden Cloud-SRE", "Halden Cloud", "SRE"),
    ]:
        write_note(
            f"Jobs/{stem}.md", f"---\nstatus: Applied\ncompany: {company}\nposition: {role}\n---\n"
        )
    write_note("Recruiters/Tom.md", "---\nemail: t@x.test\ncompany: Halden Cloud\n---\n")
    write_note("Recruiters/Ines.md", "---\nemail: i@x.test\ncompany: Meridian Talent\n---\n")
    _, config = adopt(runner, vault_dir)
    assert config["types"]["company"]["fields"] == {"name": ["company"]}
    assert config["fields"]["role"] == ["position"]
    vault = load()
    names = sorted((n.name, n.get("role")) for n in vault.records("company"))
    assert names[0] == ("Halden Cloud", "SRE")
    assert vault.notes["Recruiters/Tom.md"].company == "Jobs/241003-Halden Cloud-SRE.md"
    assert vault.notes["Recruiters/Ines.md"].company is None  # an agency, named by text
    assert vault.problems == []  # two applications to one company share its name quietly


def test_stems_that_are_names_keep_them(runner, vault_dir, write_note):
    for name in ("Acme", "Globex", "Initech"):
        write_note(f"Jobs/{name}.md", f"---\nstatus: Applied\ncompany: {name}\n---\n")
    _, config = adopt(runner, vault_dir)
    assert "fields" not in config.get("types", {}).get("company", {})


# ---------------------------------------------------------------- 6. folders


@pytest.mark.parametrize(
    ("folders", "proposed"),
    [
        (["Applications/2026-W38", "Applications/2026-W39"], ["Applications"]),
        (["Jobs/2026/09", "Jobs/2026/10"], ["Jobs"]),
        (["Pipeline/Q3", "Pipeline/Q4"], ["Pipeline"]),
        (["Apps/September 2026"], ["Apps"]),
        (["10 Applications"], ["10 Applications"]),  # a numbered folder of its own
    ],
)
def test_dated_or_numbered_folders_propose_their_parent(
    runner, vault_dir, write_note, folders, proposed
):
    for i, folder in enumerate(folders * 2):
        write_note(f"{folder}/Job {i}.md", "---\nstatus: Applied\n---\n")
    _, config = adopt(runner, vault_dir)
    assert config["types"]["company"]["folders"] == proposed


def test_a_dashboard_among_records_is_no_record(runner, vault_dir, write_note, load):
    for name in ("Ines", "Tom"):
        write_note(f"Recruiters/{name}.md", "---\ntags: [recruiter]\nemail: x@y.test\n---\n")
    write_note("Recruiters/Recruiters.md", "```dataview\nTABLE email FROM #recruiter\n```\n")
    write_note("Recruiters/Board.md", "---\ntags: [recruiter]\n---\n![[Recruiters.base]]\n")
    output, config = adopt(runner, vault_dir)
    assert config["types"]["contact"] == {"tags": ["recruiter"]}  # the tag, not the folder
    assert "dashboards, not records: Recruiters/Board.md, Recruiters/Recruiters.md" in output
    (vault_dir / "vaultkit.toml").write_text('[types.contact]\nfolders = ["Recruiters"]\n')
    kinds = {p: n.kind for p, n in load().notes.items()}
    assert kinds["Recruiters/Recruiters.md"] == kinds["Recruiters/Board.md"] == "note"
    assert kinds["Recruiters/Tom.md"] == "contact"


# ---------------------------------------------------------------- 13. shapes it cannot model


def test_a_single_tracker_note_is_said_plainly(runner, vault_dir, write_note):
    (vault_dir / "vaultkit.toml").unlink()
    rows = "".join(f"- **Co {i}** — Dev — Applied 2025-02-{10 + i}\n" for i in range(6))
    write_note("Application Database.md", "# Applications\n" + rows)
    for i in range(4):
        write_note(f"Note {i}.md", "Some thoughts.\n")
    agenda = runner.invoke(cli, ["agenda", "--vault", str(vault_dir), "--today", "2025-03-01"])
    assert (
        "None of the 5 notes is a company or a contact to vaultkit yet: run `vaultkit adopt`"
        in agenda.output
    )
    assert "Nothing due" not in agenda.output
    output, _ = adopt(runner, vault_dir)
    assert "Application Database.md keeps 6 applications as list items" in output
    problems = check_json(runner, vault_dir)
    assert [(p["path"], p["severity"]) for p in problems] == [
        ("Application Database.md", "warning"),
        ("vaultkit.toml", "warning"),
    ]


def test_a_plan_with_list_items_is_no_tracker(write_note, load, runner, vault_dir):
    write_note("companies/Acme.md", "---\nstage: applied\napplied: 2026-11-20\nresume: r\n---\n")
    write_note(
        "Plan.md",
        "".join(
            f"- Apply to five jobs a week, follow up after each interview {i}\n" for i in range(8)
        ),
    )
    assert check_json(runner, vault_dir) == []


# ---------------------------------------------------------------- 14. new on an adopted vault


def test_new_writes_where_the_vaults_newest_notes_go_from_its_own_templates(runner, tmp_path):
    vault = tmp_path / "v"
    shutil.copytree(CORPUS / "week-folders", vault)
    assert runner.invoke(cli, ["adopt", "--vault", str(vault)]).exit_code == 0
    today = ["--vault", str(vault), "--today", "2026-10-12"]  # week 42: no folder yet
    made = runner.invoke(cli, ["new", "company", "Sable Systems", *today])
    assert made.exit_code == 0, made.output
    text = (vault / "Applications/2026-W42/Sable Systems.md").read_text()
    # Templater's plain commands filled in, the vault's property names, stage word and tag
    assert text.startswith(
        "---\ntags: [application]\ncompany: Sable Systems\nposition:\nstatus: Not Applied\n"
        "created: 2026-10-12\ndate_applied:\n---\n# Sable Systems\n"
    )
    made = runner.invoke(cli, ["new", "contact", "Ana Cruz", *today])
    assert made.exit_code == 0, made.output
    text = (vault / "Recruiters/Ana Cruz.md").read_text()
    assert "tags: [recruiter]" in text and "created: 2026-10-12" in text  # {{date:YYYY-MM-DD}}
    assert re.search(r"Added on 2026-10-12 at \d\d:\d\d\.", text)  # {{date}}, {{time}}
    check = runner.invoke(
        cli, ["check", "--vault", str(vault), "--json", "--no-cache", "--today", "2026-10-12"]
    )
    assert not [p for p in json.loads(check.stdout) if "Sable" in p["path"] or "Ana" in p["path"]]
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    model = evaluate(load_config(vault), date(2026, 10, 12)).vault
    sable = model.notes["Applications/2026-W42/Sable Systems.md"]
    assert (sable.kind, sable.name, sable.stage) == ("company", "Sable Systems", "lead")
    assert model.notes["Recruiters/Ana Cruz.md"].kind == "contact"


def test_new_from_the_built_in_template_speaks_the_vaults_words(runner, tmp_path):
    vault = tmp_path / "v"
    shutil.copytree(CORPUS / "title-case-keys", vault)
    assert runner.invoke(cli, ["adopt", "--vault", str(vault)]).exit_code == 0
    made = runner.invoke(
        cli, ["new", "company", "Zeta Labs", "--vault", str(vault), "--today", "2026-07-15"]
    )
    assert made.exit_code == 0, made.output
    text = (vault / "Roles/Zeta Labs.md").read_text()
    for line in (
        "Job-Title:",
        "Status: Not-Applied",
        "Date-Applied:",
        "Follow-Up Date:",
        "Resume Version:",
    ):
        assert f"\n{line}\n" in text, line
    assert "\nstage:" not in text and "\nrole:" not in text


@pytest.mark.parametrize(
    ("template", "filled"),
    [
        ('<% tp.date.now("YYYY-MM-DD", 7) %>', "2026-10-19"),
        ('<% tp.date.tomorrow("dddd D MMMM") %>', "Tuesday 13 October"),
        ("<% tp.file.creation_date() %>", "2026-10-12"),
        ("{{date:DD.MM.YYYY}}", "12.10.2026"),
        ("<%* tR += 'x' %>", "<%* tR += 'x' %>"),  # code: left as written, and said
    ],
)
def test_template_placeholders(template, filled):
    from datetime import datetime

    from vaultkit.commands.note_templates import fill

    text, left = fill(template, {"name": "Acme"}, datetime(2026, 10, 12, 9, 30))
    assert text == filled
    assert left == ([] if filled != template else [template])


def test_a_template_that_leads_outside_the_vault_is_never_followed(
    runner, vault_dir, write_note, tmp_path
):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nstage: lead\n---\nTOP SECRET\n")
    (vault_dir / ".obsidian").mkdir()
    (vault_dir / ".obsidian/templates.json").write_text('{"folder": "Tpl"}')
    (vault_dir / "Tpl").mkdir()
    (vault_dir / "Tpl/Company.md").symlink_to(secret)
    write_note("companies/Acme.md", "---\nstage: lead\n---\n")
    made = runner.invoke(
        cli, ["new", "company", "Zed", "--vault", str(vault_dir), "--today", "2026-12-01"]
    )
    assert made.exit_code == 0, made.output
    assert "TOP SECRET" not in (vault_dir / "companies/Zed.md").read_text()


# ------------------------------------------------- beyond the fourteen: tried as a new user


def test_a_list_property_of_one_value_is_that_value(runner, vault_dir, write_note, load):
    """Obsidian's list property (`status:` then `  - Rejected`) holding one value."""
    for name, status, applied in [
        ("Acme", "Applied", "2026-11-25"),
        ("Initech", "Rejected", "2026-11-10"),
        ("Hooli", "Not applied", ""),
    ]:
        write_note(
            f"Jobs/{name}.md",
            f"---\ntags:\n  - job\nstatus:\n  - {status}\napplied: {applied}\n---\n",
        )
    _, config = adopt(runner, vault_dir)
    assert config["fields"]["stage"] == ["status"]
    assert config["stages"] == {"lead": ["Not applied"]}
    vault = load()
    stages = {n.name: n.stage for n in vault.records("company")}
    assert stages == {"Acme": "applied", "Initech": "rejected", "Hooli": "lead"}
    assert rules_for(vault, "Jobs/Initech.md") == []  # nothing asked of a rejection
    assert vault.problems == []


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("Dec 6, 2025", "2025-12-06"),
        ("December 6, 2025", "2025-12-06"),
        ("6 December 2025", "2025-12-06"),
        ("Sat, Dec 6, 2025", "2025-12-06"),
        ("Sept 3, 2025", "2025-09-03"),
        ("6th December 2025", "2025-12-06"),
    ],
)
def test_dates_with_the_month_spelled_out_are_read_without_a_setting(
    write_note, load, written, day
):
    write_note("companies/Acme.md", f"---\nstage: applied\napplied: {written}\n---\n")
    vault = load()
    assert vault.notes["companies/Acme.md"].get("applied").isoformat() == day
    assert vault.problems == []


@pytest.mark.parametrize(
    ("values", "proposed"),
    [
        (["13/11/2025", "02/12/2025"], "DD/MM/YYYY"),  # a first part above 12: day first
        (["11/13/2025", "12/02/2025"], "MM/DD/YYYY"),
        (["24.11.2025", "02.12.2025"], "DD.MM.YYYY"),
    ],
)
def test_numeric_dates_are_read_in_the_order_adopt_finds(
    runner, vault_dir, write_note, load, values, proposed
):
    for name, value in zip(("Acme", "Globex"), values, strict=True):
        write_note(f"Jobs/{name}.md", f"---\nstatus: Applied\nDate Applied: {value}\n---\n")
    output, config = adopt(runner, vault_dir)
    assert config["date_format"] == proposed
    assert config["fields"]["applied"] == ["Date Applied"]
    assert f"dates written {proposed}\n" in output
    vault = load()
    assert vault.notes["Jobs/Globex.md"].get("applied") == date(2025, 12, 2)
    assert vault.problems == []


def test_an_ambiguous_order_is_proposed_as_a_guess_and_said(runner, vault_dir, write_note):
    write_note("Jobs/Acme.md", "---\nstatus: Applied\nDate Applied: 12/06/2025\n---\n")
    write_note("Jobs/Globex.md", "---\nstatus: Applied\nDate Applied: 11/05/2025\n---\n")
    output, config = adopt(runner, vault_dir)
    assert config["date_format"] == "MM/DD/YYYY"
    assert "no day above 12 tells the order" in output
    assert "no day above 12 tells the order" in (vault_dir / "vaultkit.toml").read_text()


def test_a_numeric_date_without_a_format_says_how_to_read_it(runner, vault_dir, write_note):
    write_note("companies/Acme.md", "---\nstage: applied\napplied: 12/06/2025\n---\n")
    (problem,) = [p for p in check_json(runner, vault_dir) if p["severity"] == "error"]
    assert problem["line"] == 3
    assert 'date_format = "MM/DD/YYYY"' in problem["message"]


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2025/12/04", "2025-12-04"),
        ("2025.12.04 14:00", "2025-12-04T14:00:00+01:00"),
        ("2025-12-04 2:00 PM", "2025-12-04T14:00:00+01:00"),
    ],
)
def test_year_first_dates_need_no_setting(write_note, load, written, moment):
    write_note("companies/Acme.md", f"---\nstage: applied\nfollow_up: {written}\n---\n")
    vault = load()
    assert vault.notes["companies/Acme.md"].get("follow_up").isoformat() == moment
    assert vault.problems == []


def test_a_time_after_a_written_date(write_note, load):
    write_note(
        "companies/Acme.md",
        "---\nstage: interviewing\ninterviews: December 4, 2025 2:00 PM\n---\n",
    )
    (interview,) = load().notes["companies/Acme.md"].interviews
    assert interview.when.isoformat() == "2025-12-04T14:00:00+01:00"


def test_an_offer_is_a_touch_from_the_company(write_note, load):
    """No `Revive` for a company whose offer came days ago."""
    write_note(
        "companies/Umbrella.md", "---\nstage: offer\napplied: 2026-10-01\noffer: 2026-11-28\n---\n"
    )
    vault = load()
    last = vault.notes["companies/Umbrella.md"].last_interaction(TODAY)
    assert (last.date, last.source, last.direction) == (date(2026, 11, 28), "offer", "in")
    assert "stale" not in rules_for(vault, "companies/Umbrella.md")


BOARD = """---
kanban-plugin: basic
---

## Wishlist

- [ ] [[Hooli]]

## Applied

- [ ] [[Acme]]

## {lane}

- [ ] [[Initech]]

## Rejected

- [ ] [[Umbrella]]

## To sort

- [ ] [[Stark]]
"""


def _companies(write_note):
    for name in ("Hooli", "Acme", "Initech", "Umbrella", "Stark"):
        write_note(f"companies/{name}.md", "---\napplied: 2026-11-10\n---\n")


def test_a_kanban_board_gives_its_cards_the_stage_of_their_lane(
    runner, vault_dir, write_note, load
):
    _companies(write_note)
    write_note("companies/Acme.md", "---\nstage: interviewing\napplied: 2026-11-10\n---\n")
    write_note("Job Board.md", BOARD.format(lane="Final round"))
    output, config = adopt(runner, vault_dir)
    assert config["stages"] == {"lead": ["Wishlist"], "interviewing": ["Final round"]}
    assert "could not place: To sort" in output
    vault = load()
    stages = {n.name: n.stage for n in vault.records("company")}
    # Acme states its own stage, which wins; Stark's lane names none: as its dates show
    assert stages == {
        "Hooli": "lead",
        "Acme": "interviewing",
        "Initech": "interviewing",
        "Umbrella": "rejected",
        "Stark": "applied",
    }
    assert rules_for(vault, "companies/Umbrella.md") == []
    (unknown,) = [p for p in vault.problems if "unknown stage" in p.message]
    assert (unknown.path, unknown.line, unknown.severity) == ("Job Board.md", 21, "warning")


def test_moving_a_card_moves_the_company_in_the_live_model(vault_dir, write_note):
    (vault_dir / "vaultkit.toml").write_text('[stages]\ninterviewing = ["Final round"]\n')
    config = load_config(vault_dir)
    companies = {
        f"companies/{n}.md": parse_note(f"companies/{n}.md", b"---\napplied: 2026-11-10\n---\n")
        for n in ("Hooli", "Acme", "Initech", "Umbrella", "Stark")
    }
    model = Model(config)
    model.update(dict(companies))
    steps = [
        BOARD.format(lane="Final round"),
        BOARD.format(lane="Final round").replace("[[Initech]]", "[[Umbrella]]"),
        None,
    ]
    for text in steps:
        board = parse_note("Job Board.md", text.encode()) if text else None
        model.update({"Job Board.md": board})
        fresh = build_model([*companies.values(), *([board] if board else [])], config)
        assert model.vault.notes == fresh.notes
    assert model.vault.notes["companies/Umbrella.md"].stage == "applied"  # the board is gone


def test_the_first_note_of_a_company_dates_its_info_interview_request(write_note, load):
    write_note("companies/Acme.md", "---\nstage: applied\n---\n- 2026-11-27 Sent my CV\n")
    vault = load()
    (request,) = [f for f in derive_followups(vault, TODAY) if f.rule == "info-interview-request"]
    assert "your first note of it is from 2026-11-27" in request.reason


def test_properties_written_as_text_are_said_plainly(runner, vault_dir, write_note):
    """A Notion export: `Status: Applied` lines where properties go, read by neither Obsidian
    nor vaultkit; said by adopt and check rather than "Nothing due"."""
    for name in ("Acme Corp 3f2a", "Globex 9c1e"):
        write_note(
            f"Applications/{name}.md",
            f"# {name[:-5]}\n\nStatus: Applied\nDate Applied: December 1, 2025\n\nNotes.\n",
        )
    write_note("Applications/Plain.md", "# Plain\n\nAgenda: none. Just words.\n")
    output, _ = adopt(runner, vault_dir)
    assert "2 notes write their properties as lines of text" in output
    assert "Applications/Acme Corp 3f2a.md" in output
    (said,) = check_json(runner, vault_dir)
    assert (said["path"], said["severity"]) == ("Applications/Acme Corp 3f2a.md", "warning")
    assert "Importer plugin" in said["message"]


def test_a_next_step_date_is_a_follow_up(runner, vault_dir, write_note):
    write_note("Jobs/Acme.md", "#job\nStatus:: Applied\nNext-Step:: 2025-12-12\n")
    write_note("Jobs/Globex.md", "#job\nStatus:: Applied\nNext-Step:: 2025-12-15\n")
    _, config = adopt(runner, vault_dir)
    assert config["fields"]["follow_up"] == ["Next-Step"]


def test_notes_that_say_what_they_are(runner, vault_dir, write_note, load):
    """One folder of everything, each note's `type:` saying what it is: a `type: meeting` note
    is a touch (its own date and people properties proposed), never a company."""
    write_note(
        "Job Search/Acme.md", "---\ntype: application\nstage: applied\napplied: 2026-11-20\n---\n"
    )
    write_note(
        "Job Search/Globex.md", "---\ntype: application\nstage: applied\napplied: 2026-11-02\n---\n"
    )
    write_note("Job Search/Jane.md", '---\ntype: person\ncompany: "[[Acme]]"\n---\n')
    write_note("Job Search/Bo.md", '---\ntype: person\ncompany: "[[Globex]]"\n---\n')
    write_note(
        "Job Search/Call with Jane.md",
        '---\ntype: meeting\nwhen: Nov 26, 2026\nattendees: "[[Jane]]"\n---\n',
    )
    output, config = adopt(runner, vault_dir)
    assert "2 like contacts, 1 like interaction notes" in output
    assert config["types"]["interaction"] == {"date": "when", "with": "attendees"}
    vault = load()
    assert vault.notes["Job Search/Call with Jane.md"].kind == "interaction"
    acme = vault.notes["Job Search/Acme.md"]
    assert acme.last_interaction(TODAY).date == date(2026, 11, 26)  # through Jane
    assert "application-follow-up" not in rules_for(vault, "Job Search/Acme.md")


def test_a_board_of_text_cards_is_a_tracker_in_one_note(runner, vault_dir, write_note):
    """Cards that name applications in text (no company notes): said like a tracker note."""
    cards = ["Acme — Backend", "Hooli — SRE", "Globex — Data", "Initech — Platform", "Zed — ML"]
    lanes = "\n".join(
        f"## {lane}\n\n- [ ] {card}\n"
        for lane, card in zip(
            ["To apply", "Applied", "Applied", "Final round", "Rejected"], cards, strict=True
        )
    )
    write_note(
        "Job Hunt.md", f"---\nkanban-plugin: basic\n---\n\n{lanes}\n## Ideas\n\n- [ ] x\n- [ ] y\n"
    )
    output, _ = adopt(runner, vault_dir)
    assert "Job Hunt.md keeps 5 applications" in output
    (said,) = check_json(runner, vault_dir)
    assert (said["path"], said["line"]) == ("Job Hunt.md", 1)


@pytest.mark.parametrize(
    ("written", "days"),
    [("every 3 weeks", 21), ("every two weeks", 14), ("every other week", 14), ("every month", 31)],
)
def test_a_cadence_as_people_write_it(write_note, load, written, days):
    write_note("people/Ana.md", f"---\nlast_contact: 2026-10-01\ncadence: {written}\n---\n")
    vault = load()
    assert vault.problems == []
    (keep,) = [f for f in derive_followups(vault, TODAY) if f.rule == "keep-in-touch"]
    assert (keep.due - date(2026, 10, 1)).days == days


@pytest.mark.parametrize("written", ["Hiring Manager", "hiring_manager", "HiringManager"])
def test_a_relationship_in_the_vaults_own_spelling(write_note, load, written):
    write_note("companies/Acme.md", '---\nstage: interviewing\ncontacts: ["[[Ada]]"]\n---\n')
    write_note(
        "people/Ada.md",
        f'---\ncompany: "[[Acme]]"\nrelationship: {written}\nlinkedin_connected: 2026-11-20\n---\n',
    )
    assert rules_for(load(), "people/Ada.md") == ["engage"]


def test_applications_that_link_a_company_note_are_said(runner, vault_dir, write_note):
    """`Jobs/Backend at Acme.md` with `company: "[[Acme]]"` and `Companies/Acme.md` holding
    the people: their touches are not the application's, which adopt says."""
    for job, company in [
        ("Backend at Acme", "Acme"),
        ("SRE at Acme", "Acme"),
        ("Data at Zed", "Zed"),
    ]:
        write_note(f"Jobs/{job}.md", f'---\ncompany: "[[{company}]]"\nstatus: Applied\n---\n')
    for company in ("Acme", "Zed"):
        write_note(f"Companies/{company}.md", "---\nwebsite: https://x.example\n---\n")
    output, _ = adopt(runner, vault_dir)
    assert "3 applications link a company note of their own" in output
    assert "(Jobs/Backend at Acme.md -> Companies/Acme.md)" in output


def test_unquoted_links_separated_by_commas_are_read_as_meant(write_note, load):
    write_note("people/Jane Roe.md", "---\nemail: j@x.test\n---\n")
    write_note("people/Bob Ray.md", "---\nemail: b@x.test\n---\n")
    write_note(
        "companies/Acme.md",
        "---\nstage: applied\ncontacts: [[Jane Roe]], [[Bob Ray]]\napplied: 2026-11-20\n---\n",
    )
    vault = load()
    acme = vault.notes["companies/Acme.md"]
    assert acme.contacts == ["people/Jane Roe.md", "people/Bob Ray.md"]
    assert acme.get("applied") == date(2026, 11, 20)
    (problem,) = vault.problems
    assert (problem.line, problem.severity) == (3, "error")
    assert 'quote the value: contacts: "[[Jane Roe]], [[Bob Ray]]"' in problem.message
