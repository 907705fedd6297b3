"""One table per rule: notes + today -> the follow-ups it yields (and the cases it must not)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import SAMPLE_VAULT, TODAY, model_of

from vaultkit.pipeline import evaluate
from vaultkit.rules.registry import derive_followups
from vaultkit.vault.config import load_config

BERLIN = ZoneInfo("Europe/Berlin")


def followups(vault_dir, notes, rule, today=TODAY, config=""):
    (vault_dir / "vaultkit.toml").write_text('timezone = "Europe/Berlin"\n' + config)
    for rel, text in notes.items():
        path = vault_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    vault = evaluate(load_config(vault_dir), TODAY).vault
    assert [p for p in vault.problems if p.severity == "error"] == []
    return [
        (f.due, f.title, f.note, f.record) for f in derive_followups(vault, today) if f.rule == rule
    ]


def fm(**fields):
    lines = ["---", *(f"{k}: {v}" for k, v in fields.items()), "---", ""]
    return "\n".join(lines)


G = "companies/Globex.md"
J = "people/Jane Doe.md"
R = "people/Raj Patel.md"
CONFIG = "vaultkit.toml"  # in a case: extra config text

CASES = {
    "application-follow-up": [
        (
            "fires 4 days after applying",
            {G: fm(stage="applied", applied="2026-11-25", role="SRE")},
            [(date(2026, 11, 29), "Follow up on your application to Globex", G, G)],
        ),
        (
            "a touch after applying settles it",
            {G: fm(stage="applied", applied="2026-11-25") + "- 2026-11-27 Emailed the recruiter\n"},
            [],
        ),
        (
            "a touch the same day does not",
            {G: fm(stage="applied", applied="2026-11-25") + "- 2026-11-25 Applied online\n"},
            [(date(2026, 11, 29), "Follow up on your application to Globex", G, G)],
        ),
        (
            "a touch with a contact there settles it",
            {
                G: fm(stage="applied", applied="2026-11-25"),
                J: fm(company='"[[Globex]]"'),
                "2026-11-28.md": "- Call with [[Jane Doe]]\n",
            },
            [],
        ),
        (
            "a touch planned for later has not happened yet",
            {G: fm(stage="applied", applied="2026-11-25") + "- 2026-12-10 Call the recruiter\n"},
            [(date(2026, 11, 29), "Follow up on your application to Globex", G, G)],
        ),
        ("the stage moved on", {G: fm(stage="screening", applied="2026-11-25")}, []),
        ("no applied date", {G: fm(stage="applied")}, []),
        (
            "tuned days",
            {
                G: fm(stage="applied", applied="2026-11-25"),
                CONFIG: "[rules.application-follow-up]\ndays = 7\n",
            },
            [(date(2026, 12, 2), "Follow up on your application to Globex", G, G)],
        ),
    ],
    "thank-you": [
        (
            "one per interviewer, 24 h after a timed interview",
            {
                G: fm(
                    stage="interviewing",
                    interviews='[{date: "2026-11-30 14:30", with: '
                    '["[[Jane Doe]]", "[[Raj Patel]]"], kind: onsite}]',
                ),
                J: "",
                R: "",
            },
            [
                (
                    datetime(2026, 12, 1, 14, 30, tzinfo=BERLIN),
                    "Thank Jane Doe for the onsite at Globex",
                    G,
                    J,
                ),
                (
                    datetime(2026, 12, 1, 14, 30, tzinfo=BERLIN),
                    "Thank Raj Patel for the onsite at Globex",
                    G,
                    R,
                ),
            ],
        ),
        (
            "a day after a dated one; #thank-you in any note linking her settles hers",
            {
                G: fm(
                    stage="interviewing",
                    interviews='[{date: 2026-11-30, with: ["[[Jane Doe]]", '
                    '"[[Raj Patel]]"], kind: phone}]',
                ),
                J: "",
                R: "",
                "Plan.md": "- 2026-11-30 Sent [[Jane Doe]] a note #thank-you\n",
            },
            [(date(2026, 12, 1), "Thank Raj Patel for the phone at Globex", G, R)],
        ),
        (
            "a thank-you logged before the interview does not count",
            {
                G: fm(
                    stage="interviewing", interviews='[{date: 2026-11-30, with: "[[Jane Doe]]"}]'
                ),
                J: "- 2026-11-20 Thanks for the intro #thank-you\n",
            },
            [(date(2026, 12, 1), "Thank Jane Doe for the interview at Globex", G, J)],
        ),
        (
            "no interviewer named: thank the company",
            {G: fm(stage="interviewing", interviews="[{date: 2026-11-30, kind: video}]")},
            [(date(2026, 12, 1), "Send a thank-you for the video at Globex", G, G)],
        ),
        (
            "closed stage stops it",
            {
                G: fm(stage="rejected", interviews='[{date: 2026-11-30, with: "[[Jane Doe]]"}]'),
                J: "",
            },
            [],
        ),
    ],
    "linkedin-connect": [
        (
            "a day after first meeting an interviewer",
            {
                G: fm(
                    stage="interviewing",
                    interviews='[{date: 2026-11-20, with: "[[Jane Doe]]"}, '
                    '{date: 2026-11-27, with: "[[Jane Doe]]"}]',
                ),
                J: "",
            },
            [(date(2026, 11, 21), "Connect with Jane Doe on LinkedIn", J, J)],
        ),
        (
            "linkedin_connected set",
            {
                G: fm(
                    stage="interviewing", interviews='[{date: 2026-11-20, with: "[[Jane Doe]]"}]'
                ),
                J: fm(linkedin_connected="2026-11-22"),
            },
            [],
        ),
        (
            "a #linkedin log line",
            {
                G: fm(
                    stage="interviewing", interviews='[{date: 2026-11-20, with: "[[Jane Doe]]"}]'
                ),
                J: "- 2026-11-21 Connected #linkedin\n",
            },
            [],
        ),
    ],
    "info-interview-prep": [
        (
            "two days before",
            {J: fm(info_interview="2026-12-04T15:00")},
            [(date(2026, 12, 2), "Prepare for the informational interview with Jane Doe", J, J)],
        ),
        ("passed", {J: fm(info_interview="2026-11-30")}, []),
        (
            "a #prep line before it",
            {J: fm(info_interview="2026-12-04") + "- 2026-12-01 Wrote questions #prep\n"},
            [],
        ),
    ],
    "reply-promptly": [
        (
            "a day after the message, high priority",
            {J: fm(awaiting_reply="2026-11-30")},
            [(date(2026, 12, 1), "Reply to Jane Doe", J, J)],
        ),
        (
            "a later touch answers it",
            {J: fm(awaiting_reply="2026-11-29") + "- 2026-11-30 Replied\n"},
            [],
        ),
        (
            "a same-day touch tagged #reply answers it",
            {J: fm(awaiting_reply="2026-11-29") + "- 2026-11-29 Answered #reply\n"},
            [],
        ),
        (
            "a reply planned for later does not answer it",
            {J: fm(awaiting_reply="2026-11-29") + "- 2026-12-05 Reply\n"},
            [(date(2026, 11, 30), "Reply to Jane Doe", J, J)],
        ),
        (
            "a same-day touch without the tag is the message itself",
            {J: fm(awaiting_reply="2026-11-29") + "- 2026-11-29 She wrote about the role\n"},
            [(date(2026, 11, 30), "Reply to Jane Doe", J, J)],
        ),
    ],
    "keep-in-touch": [
        (
            "cadence from the last touch, from any note that logs it",
            {J: fm(cadence="3w", met="2026-10-01"), "2026-11-10.md": "- Lunch with [[Jane Doe]]\n"},
            [(date(2026, 12, 1), "Keep in touch with Jane Doe", J, J)],
        ),
        (
            "from met when nothing is logged; months are calendar months",
            {J: fm(cadence="monthly", met="2026-10-31")},
            [(date(2026, 11, 30), "Keep in touch with Jane Doe", J, J)],
        ),
        (
            "last_contact overrides an older log",
            {J: fm(cadence="10d", last_contact="2026-11-25") + "- 2026-11-01 Coffee\n"},
            [(date(2026, 12, 5), "Keep in touch with Jane Doe", J, J)],
        ),
        (
            "default cadence by relationship",
            {
                J: fm(relationship="recruiter", last_contact="2026-11-20"),
                R: fm(relationship="peer"),
                CONFIG: '[rules.keep-in-touch.by_relationship]\nrecruiter = "3w"\n',
            },
            [(date(2026, 12, 11), "Keep in touch with Jane Doe", J, J)],
        ),
        (
            "a touch in the future is not a touch yet",
            {J: fm(cadence="2w", last_contact="2026-11-01") + "- 2026-12-10 Planned call\n"},
            [(date(2026, 11, 15), "Keep in touch with Jane Doe", J, J)],
        ),
        ("no cadence, no rule", {J: fm(last_contact="2026-11-01")}, []),
    ],
    "interview-check-in": [
        (
            "a week after the last interview",
            {G: fm(stage="interviewing", interviews="[{date: 2026-11-10}, {date: 2026-11-20}]")},
            [(date(2026, 11, 27), "Check in with Globex after the interview", G, G)],
        ),
        (
            "a touch since settles it",
            {
                G: fm(stage="interviewing", interviews="[{date: 2026-11-20}]")
                + "- 2026-11-23 Recruiter said next week\n"
            },
            [],
        ),
        (
            "an interview still ahead does not count",
            {G: fm(stage="interviewing", interviews="[{date: 2026-12-03}]")},
            [],
        ),
        ("other stages", {G: fm(stage="offer", interviews="[{date: 2026-11-20}]")}, []),
    ],
    "stale": [
        (
            "21 days without a touch",
            {G: fm(stage="screening") + "- 2026-11-05 Recruiter call\n"},
            [(date(2026, 11, 26), "Revive Globex: no contact for 21 days", G, G)],
        ),
        ("not yet", {G: fm(stage="screening") + "- 2026-11-15 Recruiter call\n"}, []),
        ("closed", {G: fm(stage="ghosted") + "- 2026-10-01 Call\n"}, []),
        ("the application rule already asks", {G: fm(stage="applied", applied="2026-10-01")}, []),
    ],
    "offer-update": [
        (
            "each company in screening or interviewing, via its hiring manager",
            {
                G: fm(stage="offer", offer="2026-11-30"),
                "companies/Hooli.md": fm(
                    stage="interviewing", contacts='["[[Raj Patel]]", "[[Jane Doe]]"]'
                ),
                "companies/Initech.md": fm(stage="screening"),
                "companies/Umbrella.md": fm(stage="applied"),
                J: fm(relationship="hiring-manager"),
                R: fm(relationship="recruiter"),
            },
            [
                (date(2026, 12, 1), "Tell Hooli about the Globex offer", "companies/Hooli.md", J),
                (
                    date(2026, 12, 1),
                    "Tell Initech about the Globex offer",
                    "companies/Initech.md",
                    "companies/Initech.md",
                ),
            ],
        ),
        (
            "a touch after the offer settles it",
            {
                G: fm(stage="offer", offer="2026-11-30"),
                "companies/Initech.md": fm(stage="screening") + "- 2026-12-01 Told them #offer\n",
            },
            [],
        ),
        (
            "a declined offer does not",
            {
                G: fm(stage="withdrawn", offer="2026-11-30"),
                "companies/Initech.md": fm(stage="screening"),
            },
            [],
        ),
    ],
    "follow-up": [
        (
            "explicit date, whatever the stage",
            {G: fm(stage="rejected", follow_up="2026-12-03 09:00")},
            [(datetime(2026, 12, 3, 9, 0, tzinfo=BERLIN), "Follow up with Globex", G, G)],
        ),
        (
            "a #follow-up touch up to a week early settles it",
            {G: fm(follow_up="2026-12-03") + "- 2026-11-27 Pinged them #follow-up\n"},
            [],
        ),
        (
            "an older #follow-up touch does not",
            {G: fm(follow_up="2026-12-03") + "- 2026-11-20 Pinged them #follow-up\n"},
            [(date(2026, 12, 3), "Follow up with Globex", G, G)],
        ),
    ],
    "task": [
        (
            "open tasks with a date, the earlier of due and scheduled",
            {
                "Plan.md": "- [ ] Write [[Jane Doe|Jane]] 📅 2026-12-05 ⏳ 2026-12-03\n- [ ] No date\n"
                "- [x] Done 📅 2026-12-01\n",
                J: "",
            },
            [(date(2026, 12, 3), "Write Jane", "Plan.md", J)],
        ),
        (
            "a task concerns the record it links, not the note's first link",
            {
                "2026-11-30.md": "Met [[Globex]] people.\n- [ ] Reply to [[Jane Doe]] 📅 2026-12-01\n",
                G: "",
                J: "",
            },
            [(date(2026, 12, 1), "Reply to Jane Doe", "2026-11-30.md", J)],
        ),
    ],
    "met-follow-up": [
        (
            "fires two days after meeting",
            {J: fm(met="2026-11-25", met_at="PyCon")},
            [(date(2026, 11, 27), "Connect with Jane Doe and send a note", J, J)],
        ),
        (
            "a note you sent after meeting closes it",
            {J: fm(met="2026-11-25") + "- 2026-11-26 Emailed her the slides #sent\n"},
            [],
        ),
        (
            "so does outreach logged in another note that links her",
            {
                J: fm(met="2026-11-25"),
                "Plan.md": "- 2026-11-27 Wrote to [[Jane Doe]] #follow-up\n",
            },
            [],
        ),
        (
            "and connecting on LinkedIn, at the event or later",
            {J: fm(met="2026-11-25", linkedin_connected="2026-11-25")},
            [],
        ),
        (
            "a `linkedin_connected: true` checkbox counts (connected, date unknown)",
            {J: fm(met="2026-11-25", linkedin_connected="true")},
            [],
        ),
        (
            "a connection from before the meeting does not",
            {J: fm(met="2026-11-25", linkedin_connected="2026-10-01")},
            [(date(2026, 11, 27), "Connect with Jane Doe and send a note", J, J)],
        ),
        (
            "a touch that says nothing of who wrote, or a message from her, does not",
            {
                J: fm(met="2026-11-25")
                + "- 2026-11-26 Her slides are online\n- 2026-11-28 She wrote back #received\n"
            },
            [(date(2026, 11, 27), "Connect with Jane Doe and send a note", J, J)],
        ),
        (
            "a note sent the evening of the meeting counts",
            {J: fm(met="2026-11-25") + "- 2026-11-25 Sent her my slides that evening #sent\n"},
            [],
        ),
        (
            "an interview on the day you met is the meeting itself",
            {
                J: fm(met="2026-11-25"),
                G: fm(
                    stage="interviewing", interviews='[{date: 2026-11-25, with: "[[Jane Doe]]"}]'
                ),
            },
            [(date(2026, 11, 27), "Connect with Jane Doe and send a note", J, J)],
        ),
        (
            "an interview with her since is a two-way touch",
            {
                J: fm(met="2026-11-20"),
                G: fm(
                    stage="interviewing", interviews='[{date: 2026-11-27, with: "[[Jane Doe]]"}]'
                ),
            },
            [],
        ),
        ("a meeting older than the window gets none", {J: fm(met="2026-10-01")}, []),
        (
            "tuned days and window",
            {J: fm(met="2026-10-01"), CONFIG: "[rules.met-follow-up]\ndays = 3\nwindow = 90\n"},
            [(date(2026, 10, 4), "Connect with Jane Doe and send a note", J, J)],
        ),
    ],
    "info-interview-request": [
        (
            "fires a week after applying where you know nobody",
            {G: fm(stage="applied", applied="2026-11-20")},
            [
                (
                    date(2026, 11, 27),
                    "Ask someone at Globex for an informational interview",
                    G,
                    G,
                )
            ],
        ),
        (
            "a lead without `applied` counts from its first touch",
            {G: fm(stage="lead") + "- 2026-11-22 Saw their talk on caching\n"},
            [
                (
                    date(2026, 11, 29),
                    "Ask someone at Globex for an informational interview",
                    G,
                    G,
                )
            ],
        ),
        ("a company with no date at all gets none", {G: fm(stage="lead")}, []),
        (
            "a contact whose `company:` links it closes it",
            {G: fm(stage="applied", applied="2026-11-20"), J: fm(company='"[[Globex]]"')},
            [],
        ),
        (
            "so does one in its `contacts:`",
            {G: fm(stage="applied", applied="2026-11-20", contacts='["[[Jane Doe]]"]'), J: ""},
            [],
        ),
        (
            "and a request logged with #info-interview",
            {
                G: fm(stage="applied", applied="2026-11-20")
                + "- 2026-11-28 Asked a friend's colleague there for a chat #info-interview\n"
            },
            [],
        ),
        ("a closed company gets none", {G: fm(stage="rejected", applied="2026-11-20")}, []),
        (
            "an application older than the window (21 days) gets none",
            {G: fm(stage="applied", applied="2026-11-09")},
            [],
        ),
        (
            "three at a time, for the newest applications",
            {
                f"companies/{name}.md": fm(stage="applied", applied=f"2026-11-{day}")
                for name, day in [("A", 20), ("B", 25), ("C", 12), ("D", 22)]
            },
            [
                (due, f"Ask someone at {name} for an informational interview", path, path)
                for name, due, path in [
                    ("A", date(2026, 11, 27), "companies/A.md"),
                    ("B", date(2026, 12, 2), "companies/B.md"),
                    ("D", date(2026, 11, 29), "companies/D.md"),
                ]
            ],
        ),
        (
            "tuned window and limit",
            {
                f"companies/{name}.md": fm(stage="applied", applied=f"2026-11-{day}")
                for name, day in [("A", "02"), ("B", 25)]
            }
            | {CONFIG: "[rules.info-interview-request]\nwindow = 40\nlimit = 1\n"},
            [
                (
                    date(2026, 12, 2),
                    "Ask someone at B for an informational interview",
                    "companies/B.md",
                    "companies/B.md",
                )
            ],
        ),
    ],
    "engage": [
        (
            "every three weeks from the connection, with a hiring manager",
            {
                G: fm(stage="interviewing"),
                J: fm(
                    company='"[[Globex]]"',
                    relationship="hiring-manager",
                    linkedin_connected="2026-11-20",
                ),
            },
            [(date(2026, 12, 11), "Engage with Jane Doe's posts on LinkedIn", J, J)],
        ),
        (
            "an #engage touch rolls it forward",
            {
                G: fm(stage="interviewing"),
                J: fm(
                    company='"[[Globex]]"',
                    relationship="hiring-manager",
                    linkedin_connected="2026-11-20",
                )
                + "- 2026-11-28 Commented on her post about SLOs #engage\n",
            },
            [(date(2026, 12, 19), "Engage with Jane Doe's posts on LinkedIn", J, J)],
        ),
        (
            "a #linkedin touch is a connection",
            {
                G: fm(stage="interviewing"),
                J: fm(company='"[[Globex]]"', relationship="interviewer")
                + "- 2026-11-15 Connected on LinkedIn #linkedin\n",
            },
            [(date(2026, 12, 6), "Engage with Jane Doe's posts on LinkedIn", J, J)],
        ),
        (
            "someone who interviewed you, with no relationship set",
            {
                G: fm(
                    stage="interviewing", interviews='[{date: 2026-11-09, with: "[[Raj Patel]]"}]'
                ),
                R: fm(linkedin_connected="2026-11-10"),
            },
            [(date(2026, 12, 1), "Engage with Raj Patel's posts on LinkedIn", R, R)],
        ),
        (
            "not connected: none (linkedin-connect asks for that)",
            {
                G: fm(stage="interviewing"),
                J: fm(company='"[[Globex]]"', relationship="interviewer"),
            },
            [],
        ),
        (
            "a recruiter: none by default",
            {
                G: fm(stage="interviewing"),
                J: fm(
                    company='"[[Globex]]"',
                    relationship="recruiter",
                    linkedin_connected="2026-11-20",
                ),
            },
            [],
        ),
        (
            "tuned relationships",
            {
                G: fm(stage="interviewing"),
                J: fm(
                    company='"[[Globex]]"',
                    relationship="Recruiter",
                    linkedin_connected="2026-11-20",
                ),
                CONFIG: '[rules.engage]\nrelationships = ["recruiter"]\n',
            },
            [(date(2026, 12, 11), "Engage with Jane Doe's posts on LinkedIn", J, J)],
        ),
        (
            "the company closed: none",
            {
                G: fm(stage="rejected"),
                J: fm(
                    company='"[[Globex]]"',
                    relationship="hiring-manager",
                    linkedin_connected="2026-11-20",
                ),
            },
            [],
        ),
    ],
    "share-expertise": [
        ("a vault that records no published work gets none", {G: fm(stage="lead")}, []),
        (
            "two weeks after the latest #published line, in any note",
            {
                "Plan.md": "## Log\n- 2026-11-02 Published a post on caching #published\n"
                "- 2026-11-10 Gave a meetup talk #published\n- 2026-11-12 Unrelated\n",
            },
            [(date(2026, 11, 24), "Share something that shows your expertise", "Plan.md", None)],
        ),
        (
            "one written ahead has not happened yet",
            {"Plan.md": "- 2026-12-20 Publish the migrations post #published\n"},
            [],
        ),
        (
            "a folder of published pieces, dated by file name or property",
            {
                "published/2026-11-20 Caching.md": "# Caching\n",
                "published/Talk.md": "---\ndate: 2026-11-25\n---\n# Talk\n",
            },
            [
                (
                    date(2026, 12, 9),
                    "Share something that shows your expertise",
                    "published/Talk.md",
                    None,
                )
            ],
        ),
        (
            "a folder with nothing dated: due today",
            {"published/Draft post.md": "# Draft\n"},
            [
                (
                    TODAY,
                    "Share something that shows your expertise",
                    "published/Draft post.md",
                    None,
                )
            ],
        ),
        (
            "turned on in the config: due today",
            {G: fm(stage="lead"), CONFIG: "[rules.share-expertise]\ndays = 10\n"},
            [(TODAY, "Share something that shows your expertise", "vaultkit.toml", None)],
        ),
    ],
}

PARAMS = [
    pytest.param(rule, notes, expected, id=f"{rule}: {name}")
    for rule, cases in CASES.items()
    for name, notes, expected in cases
]


@pytest.mark.parametrize(("rule", "notes", "expected"), PARAMS)
def test_rule(vault_dir, rule, notes, expected):
    config = notes.get(CONFIG, "")
    notes = {k: v for k, v in notes.items() if k != CONFIG}
    got = followups(vault_dir, notes, rule, config=config)
    assert sorted(got, key=str) == sorted(expected, key=str)


def test_rules_can_be_switched_off():
    notes = {J: fm(awaiting_reply="2026-11-30")}
    assert [f.rule for f in derive_followups(model_of(notes), TODAY)] == ["reply-promptly"]
    off = model_of(notes, {"rules.reply-promptly.enabled": False})
    assert derive_followups(off, TODAY) == []


def test_priorities_and_reasons():
    [item] = derive_followups(model_of({J: fm(awaiting_reply="2026-11-30")}), TODAY)
    assert item.priority == "high"
    assert item.reason.startswith("[[Jane Doe]] wrote on 2026-11-30")


def _ids(vault_dir):
    vault = evaluate(load_config(vault_dir), TODAY).vault
    return {(f.rule, f.title): f.id for f in derive_followups(vault, TODAY)}


def test_ids_are_stable_across_folders_and_unrelated_edits(vault_dir, tmp_path):
    shutil.copytree(SAMPLE_VAULT, vault_dir, dirs_exist_ok=True)
    first = _ids(vault_dir)
    assert len(first) > 20
    moved = tmp_path / "elsewhere" / "my vault"
    shutil.copytree(vault_dir, moved)
    assert _ids(moved) == first
    plan = moved / "Job search plan.md"
    plan.write_text("Some new text at the top.\n\n" + plan.read_text())
    again = _ids(moved)
    assert again == first  # line numbers moved, ids did not
