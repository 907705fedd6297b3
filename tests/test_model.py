from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

BERLIN = ZoneInfo("Europe/Berlin")


def messages(vault):
    return [(p.path, p.line, p.severity, p.message) for p in vault.problems]


def test_classification_by_type_folder_and_default(write_note, load):
    write_note("companies/Globex.md", "---\nstage: applied\n---\n")
    write_note("people/Jane Doe.md", "")
    write_note("contacts/Raj.md", "")
    write_note("elsewhere/Hooli.md", "---\ntype: company\n---\n")
    write_note("elsewhere/Ana.md", "---\ntype: Person\n---\n")
    write_note("2026-11-18.md", "")
    write_note("Plan.md", "")
    kinds = {p: n.kind for p, n in load().notes.items()}
    assert kinds == {
        "companies/Globex.md": "company",
        "people/Jane Doe.md": "contact",
        "contacts/Raj.md": "contact",
        "elsewhere/Hooli.md": "company",
        "elsewhere/Ana.md": "contact",
        "2026-11-18.md": "daily",
        "Plan.md": "note",
    }


def test_every_company_field_is_typed(write_note, load):
    write_note("people/Jane Doe.md", "")
    write_note("people/Raj Patel.md", "---\naliases: [Raj]\n---\n")
    write_note(
        "companies/Globex.md",
        """
        ---
        name: Globex Corp
        aliases: [Globex]
        role: Staff Engineer
        stage: Interviewing
        applied: 2026-11-03
        follow_up: 2026-12-03 10:00
        contacts: ["[[Jane Doe]]", "[[Raj]]"]
        interviews:
          - {date: 2026-11-20T14:30, with: "[[Jane Doe]]", kind: phone}
          - date: 2026-11-25
            with: ["[[Raj Patel]]", "[[Jane Doe]]"]
            kind: onsite
          - 2026-11-27 video with [[Raj]]
        offer: 2026-11-30
        resume: resume-v3
        cover_letter: cl-globex
        url: https://globex.test/jobs/1
        location: Remote
        source: referral
        salary: 150000
        priority: high
        tags: [fintech, "#remote"]
        ---
        """,
    )
    vault = load()
    note = vault.notes["companies/Globex.md"]
    assert messages(vault) == []
    assert note.name == "Globex Corp" and note.aliases == ["Globex"]
    assert note.stage == "interviewing"
    assert note.get("applied") == date(2026, 11, 3)
    assert note.get("follow_up") == datetime(2026, 12, 3, 10, 0, tzinfo=BERLIN)
    assert note.contacts == ["people/Jane Doe.md", "people/Raj Patel.md"]
    assert [(i.when, i.with_, i.kind) for i in note.interviews] == [
        (datetime(2026, 11, 20, 14, 30, tzinfo=BERLIN), ["people/Jane Doe.md"], "phone"),
        (date(2026, 11, 25), ["people/Raj Patel.md", "people/Jane Doe.md"], "onsite"),
        (date(2026, 11, 27), ["people/Raj Patel.md"], "video"),
    ]
    assert note.get("offer") == date(2026, 11, 30)
    assert note.get("salary") == "150000"
    assert note.tags == ["fintech", "remote"]
    for name in ("resume", "cover_letter", "url", "location", "source", "priority", "role"):
        assert isinstance(note.get(name), str) and note.get(name)


def test_every_contact_field_is_typed(write_note, load):
    write_note("companies/Globex.md", "")
    write_note(
        "people/Jane Doe.md",
        """
        ---
        company: "[[Globex]]"
        role: Engineering Manager
        relationship: hiring-manager
        email: jane@globex.test
        phone: +1 555 0100
        linkedin: https://linkedin.test/in/jane
        linkedin_connected: 2026-11-21
        met: 2026-10-14
        last_contact: 2026-11-02
        follow_up: 2026-12-03
        cadence: 3w
        awaiting_reply: 2026-11-28
        info_interview: 2026-12-04T15:00+01:00
        ---
        """,
    )
    vault = load()
    jane = vault.notes["people/Jane Doe.md"]
    assert messages(vault) == []
    assert jane.company == "companies/Globex.md"
    assert vault.notes["companies/Globex.md"].contacts == ["people/Jane Doe.md"]
    assert jane.get("cadence") == (3, "w")
    assert jane.get("info_interview").utcoffset().total_seconds() == 3600
    for name in ("linkedin_connected", "met", "last_contact", "awaiting_reply"):
        assert isinstance(jane.get(name), date)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("applied", "2026-02-30", "not a day on the calendar"),
        ("applied", "next week", "expected a date like 2026-11-20"),
        ("applied", "2026", "expected a date"),
        ("applied", "[2026-11-03]", "expected a date"),
        ("follow_up", "2026-11-20 25:00", "not a real date and time"),
        ("role", "{a: b}", "expected text"),
        ("contacts", "[{a: b}]", "expected a list of links"),
        ("interviews", "[{kind: phone}]", "needs a `date`"),
        ("interviews", "[42]", "expected a list of interviews"),
    ],
)
def test_bad_company_values_are_errors_naming_file_line_and_field(
    write_note, load, field, value, fragment
):
    write_note("companies/Globex.md", f"---\nlocation: x\n{field}: {value}\n---\n")
    vault = load()
    [problem] = [p for p in vault.problems if p.severity == "error"]
    assert (problem.path, problem.line) == ("companies/Globex.md", 3)
    assert problem.message.startswith(f"`{field}`:")
    assert fragment in problem.message
    assert field not in vault.notes["companies/Globex.md"].fields


@pytest.mark.parametrize("value", ["", "  ", "[]", "null", "~", '""'])
def test_empty_properties_are_absent(write_note, load, value):
    write_note("companies/Globex.md", f"---\nfollow_up: {value}\napplied: {value}\n---\n")
    vault = load()
    assert vault.problems == []
    assert vault.notes["companies/Globex.md"].fields == {}


def test_cadence_forms(write_note, load):
    forms = {
        "10d": (10, "d"),
        "3w": (3, "w"),
        "2m": (2, "m"),
        "monthly": (1, "m"),
        "quarterly": (3, "m"),
        "2 weeks": (2, "w"),
    }
    for i, text in enumerate(forms):
        write_note(f"people/P{i}.md", f"---\ncadence: {text}\n---\n")
    write_note("people/Bad.md", "---\ncadence: sometimes\n---\n")
    vault = load()
    got = {vault.notes[f"people/P{i}.md"].get("cadence") for i in range(len(forms))}
    assert got == set(forms.values())
    assert next(p.message for p in vault.problems).startswith("`cadence`: expected a duration")


def test_link_resolution_like_obsidian(write_note, load):
    write_note("people/Jane Doe.md", "---\naliases: [JD]\n---\n")
    write_note("people/Raj Patel.md", "---\nname: Rajesh Patel\n---\n")
    write_note("archive/Raj Patel.md", "")
    write_note(
        "Plan.md",
        "[[jane doe]] [[JD|her]] [[Jane Doe#Intro]] [[Rajesh Patel]]\n"
        "[[people/Raj Patel]] [[Raj Patel]] [[Nobody]]\n",
    )
    vault = load()
    plan = vault.notes["Plan.md"]
    assert plan.links == ["people/Jane Doe.md", "people/Raj Patel.md"]
    got = messages(vault)
    assert ("Plan.md", 2, "warning", "link [[Nobody]] points to no note") in got
    ambiguous = [m for m in got if "ambiguous" in m[3]]
    assert len(ambiguous) == 1 and "archive/Raj Patel.md, people/Raj Patel.md" in ambiguous[0][3]


def test_duplicate_names_are_reported(write_note, load):
    write_note("companies/Globex.md", "")
    write_note("companies/Globex Inc.md", "---\nname: Globex\n---\n")
    vault = load()
    dupes = [p for p in vault.problems if "also claimed" in p.message]
    assert {p.path for p in dupes} == {"companies/Globex.md", "companies/Globex Inc.md"}


def test_interactions_from_every_source(write_note, load):
    write_note(
        "companies/Globex.md",
        """
        ---
        applied: 2026-11-03
        interviews: [{date: 2026-11-20, with: "[[Jane Doe]]", kind: phone}]
        ---
        ## Log
        - 2026-11-05 Emailed the recruiter #email
        """,
    )
    write_note("people/Jane Doe.md", "---\ncompany: '[[Globex]]'\nlast_contact: 2026-11-10\n---\n")
    write_note("people/Ana.md", "")
    write_note("2026-11-18.md", "- Coffee with [[Ana]] and [[Jane Doe]] #coffee\n- no link\n")
    write_note("Plan.md", "- 2026-11-22 Sent [[Jane Doe]] a thank-you #thank-you\n")
    vault = load()

    def touches(p):
        return [(i.date.isoformat(), i.source, i.path) for i in vault.notes[p].interactions]

    assert touches("people/Jane Doe.md") == [
        ("2026-11-10", "last_contact", "people/Jane Doe.md"),
        ("2026-11-18", "daily", "2026-11-18.md"),
        ("2026-11-20", "interview", "companies/Globex.md"),
        ("2026-11-22", "log", "Plan.md"),
    ]
    assert touches("people/Ana.md") == [("2026-11-18", "daily", "2026-11-18.md")]
    # the company sees its own touches and those of its people
    assert [d for d, _, _ in touches("companies/Globex.md")] == [
        "2026-11-03",
        "2026-11-05",
        "2026-11-10",
        "2026-11-18",
        "2026-11-20",
        "2026-11-22",
    ]
    jane = vault.notes["people/Jane Doe.md"]
    assert jane.last_interaction(date(2026, 11, 21)).date == date(2026, 11, 20)
    assert jane.interactions[-1].tags == frozenset({"thank-you"})


def test_bad_task_dates_are_warnings(write_note, load):
    write_note("Plan.md", "- [ ] Call 📅 2026-13-01\n")
    vault = load()
    assert messages(vault) == [
        ("Plan.md", 1, "warning", "task due date: '2026-13-01' is not a day on the calendar")
    ]


def test_relative_markdown_links_resolve_from_the_note(write_note, load):
    write_note("people/Bob.md", "")
    write_note(
        "companies/Globex.md",
        "[Bob](../people/Bob.md) [same](./Hooli.md) [out](../../etc/passwd.md)\n",
    )
    write_note("companies/Hooli.md", "")
    vault = load()
    assert vault.notes["companies/Globex.md"].links == ["people/Bob.md", "companies/Hooli.md"]
    assert [p.message for p in vault.problems] == ["link [[../../etc/passwd]] points to no note"]


def test_tags_on_log_lines_and_tasks_are_not_note_tags(write_note, load):
    write_note(
        "companies/Globex.md",
        "#fintech\n- 2026-11-03 Sent #thank-you\n- [ ] Ask #prep 📅 2026-12-01\n",
    )
    vault = load()
    note = vault.notes["companies/Globex.md"]
    assert note.tags == ["fintech"]
    assert note.interactions[0].tags == frozenset({"thank-you"})


def test_one_bad_interview_costs_only_itself_and_is_reported_on_its_line(write_note, load):
    write_note("people/Leah.md", "")
    write_note(
        "companies/Globex.md",
        """
        ---
        stage: interviewing
        interviews:
          - date: 2026-11-20
            with: "[[Leah]]"
            kind: phone
          - date: 2026-11-31
            with:
              - "[[Leah]]"
            kind: video
          - date: 2026-11-27
            kind: onsite
        ---
        """,
    )
    vault = load()
    note = vault.notes["companies/Globex.md"]
    assert [(i.when, i.kind, i.line) for i in note.interviews] == [
        (date(2026, 11, 20), "phone", 4),
        (date(2026, 11, 27), "onsite", 11),
    ]
    assert messages(vault) == [
        (
            "companies/Globex.md",
            7,
            "error",
            "`interviews`: '2026-11-31' is not a day on the calendar",
        )
    ]
