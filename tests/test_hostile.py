"""A corpus of hostile notes, each put beside two good ones and run through the CLI (`check
--json`, `build`, `agenda --json`). For every case: the message the user sees (path, line, what
was expected), and proof that the rest of the vault still builds: the good notes' follow-ups on
the agenda and in a feed two parsers accept, their pages in the site, no traceback, exit 0/1.

test_parse, test_model and test_check cover single hostile inputs at the module level; this
file covers them end to end, together with what only shows there (the feed, the pages)."""

from __future__ import annotations

import errno
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from attack_helpers import (
    assert_good_notes_survive,
    assert_minimal_feed,
    assert_private_feed,
    assert_valid_feed,
    make_vault,
    note_pages,
    run_all,
    site_text,
)

from vaultkit.vault.fields import FIELDS

Expect = tuple[str, int | None, str]
"""(path, line or None for any, a fragment of the message)."""


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes]
    expect: list[Expect] = field(default_factory=list)
    followups: set[tuple[str, str]] = field(default_factory=set)
    """(rule, note) that must be on the agenda too: the hostile note still counts."""
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None
    clean: bool = False
    """True: no problem at all may be reported for the hostile files."""


def laughs(levels: int = 8) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\nstage: applied\n---\n"


BAD_NAME = 'Zoë \\"Q\\" <script>alert(1)</script>, Inc; back\\\\slash\\n2nd line\\ttab\\a bell'
BAD_NAME_SHOWN = "<script>alert(1)</script>"
C, P = "companies", "people"

CASES = [
    # ---- YAML that does not parse
    Case(
        "truncated-yaml",
        {f"{C}/T.md": "---\nstage: applied\nname: [Acme\n---\n"},
        [(f"{C}/T.md", 3, "frontmatter is not valid YAML")],
    ),
    Case(
        "malformed-yaml",
        {f"{C}/M.md": "---\nstage: applied\n  role: x: y\n---\n"},
        [(f"{C}/M.md", 3, "frontmatter is not valid YAML")],
    ),
    Case(
        "unclosed-quote",
        {f"{C}/Q.md": '---\nname: "Acme\nstage: applied\n---\n'},
        [(f"{C}/Q.md", None, "frontmatter is not valid YAML")],
    ),
    Case(
        "tabs-in-yaml",
        {f"{C}/Tab.md": "---\nstage: applied\n\tfollow_up: 2026-12-04\n---\n"},
        [(f"{C}/Tab.md", 3, "tab")],
    ),
    Case(
        "tab-after-colon-is-fine",
        {f"{C}/Tab2.md": "---\nfollow_up:\t2026-12-04\n---\n"},
        followups={("follow-up", f"{C}/Tab2.md")},
        clean=True,
    ),
    # ---- encodings and line endings
    Case(
        "utf8-bom",
        {f"{C}/Bom.md": b"\xef\xbb\xbf---\nfollow_up: 2026-12-04\n---\n"},
        followups={("follow-up", f"{C}/Bom.md")},
        clean=True,
    ),
    Case(
        "crlf",
        {
            f"{C}/Crlf.md": b"---\r\nfollow_up: 2026-12-04\r\napplied: 2026-02-30\r\n"
            b"---\r\n- [ ] call \xf0\x9f\x93\x85 2026-12-05\r\n"
        },
        [(f"{C}/Crlf.md", 3, "'2026-02-30' is not a day on the calendar")],
        followups={("follow-up", f"{C}/Crlf.md"), ("task", f"{C}/Crlf.md")},
    ),
    Case(
        "cr-only",
        {
            f"{C}/Cr.md": b"---\rfollow_up: 2026-12-04\rapplied: 2026-02-30\r---\r"
            b"- [ ] call \xf0\x9f\x93\x85 2026-12-05\r"
        },
        [(f"{C}/Cr.md", 3, "'2026-02-30' is not a day on the calendar")],
        followups={("follow-up", f"{C}/Cr.md"), ("task", f"{C}/Cr.md")},
    ),
    Case(
        "mixed-endings",
        {
            f"{C}/Mix.md": b"---\r\nfollow_up: 2026-12-04\napplied: x\r---\n"
            b"- [ ] call \xf0\x9f\x93\x85 2026-12-05\r\n"
        },
        [(f"{C}/Mix.md", 3, "`applied`: expected a date")],
        followups={("follow-up", f"{C}/Mix.md"), ("task", f"{C}/Mix.md")},
    ),
    Case(
        "latin-1",
        {f"{C}/Latin.md": "---\nfollow_up: 2026-12-04\n---\nSociété\n".encode("latin-1")},
        [(f"{C}/Latin.md", 4, "not UTF-8 text (byte 0xe9")],
        followups={("follow-up", f"{C}/Latin.md")},
    ),
    Case(
        "utf-16-bom",
        {f"{C}/Wide.md": "---\nfollow_up: 2026-12-04\n---\n".encode("utf-16")},
        [(f"{C}/Wide.md", 1, "UTF-16 text; save the file as UTF-8")],
    ),
    Case(
        "binary",
        {f"{C}/Image.md": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))},
        [(f"{C}/Image.md", 1, "binary file, not Markdown text")],
    ),
    Case("empty-file", {f"{C}/Empty.md": b""}, clean=True),
    Case("whitespace-only", {f"{C}/Blank.md": b"\n\n   \r\n\t\n"}, clean=True),
    Case(
        "frontmatter-only",
        {f"{C}/Fm.md": "---\nfollow_up: 2026-12-04\n---"},
        followups={("follow-up", f"{C}/Fm.md")},
        clean=True,
    ),
    Case("empty-frontmatter", {f"{C}/Nothing.md": "---\n---\n[[Globex]]\n"}, clean=True),
    Case(
        "unclosed-frontmatter",
        {f"{C}/Open.md": "---\nfollow_up: 2026-12-04\n\nbody\n"},
        [(f"{C}/Open.md", 1, "frontmatter opened with `---` is never closed")],
    ),
    Case(
        "frontmatter-is-a-list",
        {f"{C}/List.md": "---\n- a\n- b\n---\n"},
        [(f"{C}/List.md", 2, "frontmatter must be properties (`key: value` lines), not a list")],
    ),
    Case(
        "frontmatter-is-a-scalar",
        {f"{C}/Scalar.md": "---\njust words\n---\n"},
        [(f"{C}/Scalar.md", 2, "not the value 'just words'")],
    ),
    # ---- dates YAML accepts but calendars do not
    Case(
        "impossible-dates",
        {f"{C}/D.md": "---\nfollow_up: 2026-02-30\napplied: 2026-13-01\noffer: 0000-01-01\n---\n"},
        [
            (f"{C}/D.md", 2, "'2026-02-30' is not a day on the calendar"),
            (f"{C}/D.md", 3, "'2026-13-01' is not a day on the calendar"),
            (f"{C}/D.md", 4, "'0000-01-01' is not a day on the calendar"),
        ],
    ),
    Case(
        "end-of-time",
        {
            f"{C}/End.md": "---\nstage: offer\nresume: r\napplied: 9999-12-31\n"
            "offer: 9999-12-31\nfollow_up: 9999-12-31T23:30+00:00\n"
            "interviews: [{date: 9999-12-31T23:59, "
            "with: '[[Jane Doe]]'}]\n---\n"
            "- [ ] far 📅 9999-12-31\n- 9999-12-31 log [[Jane Doe]]\n",
            f"{P}/End.md": "---\nawaiting_reply: 9999-12-31\ncadence: 3w\n"
            "met: 9999-12-31\ninfo_interview: 9999-12-31\n---\n",
        },
        [
            (f"{C}/End.md", 4, "'9999-12-31' is out of range: use a year from 1900 to 2999"),
            (f"{C}/End.md", 5, "`offer`: '9999-12-31' is out of range"),
            (f"{C}/End.md", 6, "`follow_up`: '9999-12-31T23:30+00:00' is out of range"),
            (f"{C}/End.md", 7, "`interviews`: '9999-12-31T23:59' is out of range"),
            (f"{C}/End.md", 9, "task due date: '9999-12-31' is out of range"),
            (f"{C}/End.md", 10, "log line: '9999-12-31' is out of range"),
            (f"{P}/End.md", 2, "`awaiting_reply`: '9999-12-31' is out of range"),
            (f"{P}/End.md", 4, "`met`: '9999-12-31' is out of range"),
        ],
    ),
    Case(
        "start-of-time",
        {
            f"{P}/Old.md": "---\nfollow_up: 0001-01-01T00:30\ncadence: 3w\n"
            "last_contact: 0001-01-01\n---\n"
        },
        [
            (f"{P}/Old.md", 2, "'0001-01-01T00:30' is out of range"),
            (f"{P}/Old.md", 4, "`last_contact`: '0001-01-01' is out of range"),
        ],
    ),
    Case(
        "year-10000",
        {
            f"{C}/Y.md": "---\nfollow_up: 10000-01-01\napplied: 2026-11-20T25:00\n"
            "offer: 2026-11-20T10:00+25:00\n---\n"
        },
        [
            (f"{C}/Y.md", 2, "`follow_up`: expected a date like 2026-11-20"),
            (f"{C}/Y.md", 3, "`applied`"),
            (f"{C}/Y.md", 4, "`offer`"),
        ],
    ),
    Case(
        "huge-durations",
        {
            f"{P}/Slow.md": "---\ncadence: 99999999999d\nlast_contact: 2026-11-01\n---\n",
            f"{P}/Slower.md": "---\ncadence: 99999y\nmet: 2026-11-01\n---\n",
        },
        [
            (f"{P}/Slow.md", 2, "`cadence`: expected a duration like 10d"),
            (f"{P}/Slower.md", 2, "`cadence`: expected a duration"),
        ],
    ),
    Case(
        "non-dates-where-dates-belong",
        {
            f"{C}/N.md": "---\nfollow_up: 20261201\napplied: next week\noffer: [2026-12-01]\n---\n",
            # (`met: true` is a checkbox: it happened, date unknown; see test_model)
            f"{P}/N.md": "---\nfollow_up: {date: 2026-12-01}\nmet: true\nlast_contact: 1.5\n"
            "awaiting_reply: .nan\ninfo_interview: ~\n---\n",
        },
        [
            (f"{C}/N.md", 2, "`follow_up`: expected a date like 2026-11-20, got 20261201"),
            (f"{C}/N.md", 3, "`applied`: expected a date like 2026-11-20, got 'next week'"),
            (f"{C}/N.md", 4, "`offer`: expected a date"),
            (f"{P}/N.md", 2, "`follow_up`: expected a date"),
            (f"{P}/N.md", 4, "`last_contact`: expected a date like 2026-11-20, got 1.5"),
        ],
    ),
    # ---- YAML used as a weapon
    Case(
        "billion-laughs",
        {f"{C}/Lol.md": laughs()},
        [(f"{C}/Lol.md", 1, "frontmatter is too large to read: more than 100000 values")],
    ),
    Case(
        "deep-flow-nesting",
        {f"{C}/Deep.md": "---\nx: " + "[" * 10_000 + "]" * 10_000 + "\n---\n"},
        [(f"{C}/Deep.md", 2, "frontmatter is not valid YAML")],
    ),
    Case(
        "deep-flow-mapping",
        {f"{C}/DeepMap.md": "---\nx: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n---\n"},
        [(f"{C}/DeepMap.md", 2, "frontmatter is not valid YAML")],
    ),
    Case(
        "deep-block-nesting",
        {f"{C}/Block.md": "---\nx:\n" + "- " * 10_000 + "deep\n---\n"},
        [(f"{C}/Block.md", 3, "frontmatter is not valid YAML")],
    ),
    Case(
        "deep-block-mapping",
        {f"{C}/BlockMap.md": "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(200)) + "---\n"},
        [(f"{C}/BlockMap.md", 1, "nested more than 64 levels deep")],
    ),
    Case(
        "python-object-tags",
        {
            f"{C}/Py.md": "---\nstage: !!python/object/apply:os.system ['touch pwned']\n---\n",
            f"{C}/Py2.md": "---\nname: !!python/name:os.system\n---\n",
            f"{C}/Py3.md": "---\nrole: !custom thing\n---\n",
        },
        [
            (f"{C}/Py.md", 2, "YAML tags such as `!!python/object` are not allowed"),
            (f"{C}/Py2.md", 2, "YAML tags such as `!!python/object` are not allowed"),
            (f"{C}/Py3.md", 2, "not allowed"),
        ],
    ),
    Case(
        "binary-and-set-tags",
        {
            f"{C}/Bin.md": "---\nname: !!binary aGVsbG8=\nrole: !!binary "
            "/w==\ntags: !!set {a, b}\naliases: !!set {x}\n"
            "follow_up: 2026-12-04\n---\n"
        },
        followups={("follow-up", f"{C}/Bin.md")},
        clean=True,
    ),
    Case(
        "timestamp-and-omap-tags",
        {f"{C}/Ts.md": "---\nfollow_up: !!timestamp 2026-12-04\nrole: !!omap [a: 1]\n---\n"},
        [(f"{C}/Ts.md", 3, "`role`: expected text")],
        followups={("follow-up", f"{C}/Ts.md")},
    ),
    Case(
        "duplicate-keys",
        {f"{C}/Dup.md": "---\nfollow_up: 2026-12-04\nfollow_up: 2026-12-05\n---\n"},
        [(f"{C}/Dup.md", 3, "property `follow_up` appears twice; the last one counts")],
        followups={("follow-up", f"{C}/Dup.md")},
    ),
    Case(
        "keys-that-are-not-text",
        {
            f"{C}/Keys.md": "---\n1: one\n? [a, b]\n: list key\n"
            "null: x\ntrue: y\nfollow_up: 2026-12-04\n"
            "---\n"
        },
        [(f"{C}/Keys.md", 3, "frontmatter is not valid YAML: found unhashable key")],
    ),
    # ---- size
    Case(
        "10-mb-line",
        {f"{C}/Long.md": "---\nfollow_up: 2026-12-04\n---\n" + "x" * 10_000_000 + " [[Nowhere]]\n"},
        [(f"{C}/Long.md", 4, "link [[Nowhere]] points to no note")],
        followups={("follow-up", f"{C}/Long.md")},
    ),
    Case(
        "10-mb-value",
        {f"{C}/LongName.md": "---\nname: '" + "n" * 10_000_000 + "'\nfollow_up: 2026-12-04\n---\n"},
        followups={("follow-up", f"{C}/LongName.md")},
        clean=True,
    ),
    # ---- names and file names
    Case(
        "unicode-names",
        {
            f"{P}/Zoë 😀 שלום e\u0301\u0301.md": (
                '---\nname: "\u202eevil\u202c שלום 😀 ñ\u0303\u0303\u0303"\n'
                "follow_up: 2026-12-04T09:15+09:00\ncompany: '[[Globex]]'\n---\n"
            )
        },
        followups={("follow-up", f"{P}/Zoë 😀 שלום e\u0301\u0301.md")},
        clean=True,
    ),
    Case(
        "punctuation-in-file-names",
        {
            f'{C}/Acme, Inc; "Best" \\ & <b>.md': "---\nfollow_up: 2026-12-04\n---\n"
            '[[Acme, Inc; "Best" \\ & <b>]]\n'
        },
        followups={("follow-up", f'{C}/Acme, Inc; "Best" \\ & <b>.md')},
        clean=True,
    ),
    Case(
        "control-chars-in-names",
        {
            f"{P}/Odd.md": f'---\nname: "{BAD_NAME}"\n'
            "follow_up: 2026-12-04\ntags: ['a,b', 'c;d',"
            " 'e\\nf']\nrole: \"r\\0\\x1b[31m\"\n---\n"
        },
        followups={("follow-up", f"{P}/Odd.md")},
        clean=True,
    ),
    Case(
        "newline-in-file-name",
        {f"{P}/two\nlines\t\x1b.md": "---\nfollow_up: 2026-12-04\n---\n"},
        followups={("follow-up", f"{P}/two\nlines\t\x1b.md")},
        clean=True,
    ),
    Case(
        "html-in-body",
        {
            "Evil.md": "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
            "[[<img src=x onerror=alert(1)>]]\n<img src=x onerror=a>\n"
            "- [ ] <script>alert(1)</script> 📅 2026-12-04\n"
        },
        [("Evil.md", 4, "link [[<img src=x onerror=alert(1)>]] points to no note")],
        followups={("task", "Evil.md")},
    ),
    # ---- links
    Case(
        "links-to-nowhere",
        {
            f"{C}/L.md": "---\ncontacts: ['[[Ghost]]', '[[]]', '[[|x]]']\n---"
            "\n[[Nowhere]] [[#]] [[ ]] [[../../etc/passwd]]\n"
        },
        [
            (f"{C}/L.md", 2, "link [[Ghost]] points to no note"),
            (f"{C}/L.md", 4, "link [[Nowhere]] points to no note"),
            (f"{C}/L.md", 4, "link [[../../etc/passwd]] points to no note"),
        ],
    ),
    Case(
        "duplicate-names",
        {
            f"{C}/Other.md": "---\nname: Globex\naliases: [Jane Doe]\n---\n",
            "Ref.md": "[[Globex]]\n",
        },
        [
            (f"{C}/Other.md", 2, "the name 'globex' is also claimed by companies/Globex.md"),
            (f"{C}/Other.md", 2, "the name 'jane doe' is also claimed by people/Jane Doe.md"),
        ],
    ),
]

WRONG_VALUES = ["{a: 1}", "[[1, 2], {b: c}]", "true", "-12.5e3", "!!binary /w==", "[]", "'   '"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_note(case, runner, tmp_path, monkeypatch):
    vault = make_vault(tmp_path / "vault", case.files)
    if case.setup:
        case.setup(vault, monkeypatch)
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)
    problems = outcome.problems
    for path, line, fragment in case.expect:
        assert any(
            p["path"] == path and (line is None or p["line"] == line) and fragment in p["message"]
            for p in problems
        ), (path, line, fragment, problems)
        where = f"{path}:{line}" if line else path
        assert where in outcome.outputs["build"]  # build prints what check prints
    if case.clean:
        assert not [p for p in problems if p["path"] in case.files], problems
    found = {(f["rule"], f["note"]) for f in outcome.agenda}
    assert case.followups <= found, found
    site = site_text(outcome.site)
    for name, data in site.items():
        if name.endswith(".html"):
            assert b"<script" not in data and b"<img src=x" not in data, name
            assert b'href="javascript:' not in data, name
        if name.endswith(".md"):  # index.md and agenda.md: HTML in them would run when published
            assert not re.search(rb"(?<!\\)<(script|img)", data), name
    pages = note_pages(outcome.site)
    for rel in case.files:  # every note has its page, whatever was wrong with it
        assert (outcome.site / pages[rel]).is_file(), rel


@pytest.mark.parametrize("value", WRONG_VALUES)
@pytest.mark.parametrize("kind", ["company", "contact"])
def test_wrong_type_in_every_field(kind, value, runner, tmp_path):
    """Every field of fields.FIELDS at once, each holding the same wrong value."""
    folder = C if kind == "company" else P
    names = [f.name for f in FIELDS if kind in f.applies_to]
    files = {
        f"{folder}/Wrong {name}.md": f"---\n{name}: {value}\nfollow_up: 2026-12-04\n---\n"
        for name in names
        if name != "follow_up"
    }
    files[f"{folder}/Wrong follow_up.md"] = f"---\nfollow_up: {value}\n---\n"
    vault = make_vault(tmp_path / "vault", files)
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)
    if value == "{a: 1}":  # fits no field: each is an error on its line, naming the field
        for name in names:
            rel = f"{folder}/Wrong {name}.md"
            assert any(
                p["path"] == rel
                and p["line"] == 2
                and p["severity"] == "error"
                and f"`{name}`" in p["message"]
                for p in outcome.problems
            ), (name, outcome.problems)
    found = {f["note"] for f in outcome.agenda if f["rule"] == "follow-up"}
    for name in names:  # one bad field never hides the note's other fields
        if name != "follow_up":
            assert f"{folder}/Wrong {name}.md" in found, name


def test_feed_stays_valid_with_hostile_names(runner, tmp_path):
    files = {
        f"{P}/Odd {i}.md": f'---\nname: "{BAD_NAME} {i}"\nrole: "{BAD_NAME}"\n'
        f"company: '[[Globex]]'\nfollow_up: 2026-12-0{i}T09:0{i}\n"
        f'tags: ["x,y;z", \'\\\\\', "{"é" * 40}"]\n---\n'
        for i in range(1, 5)
    }
    files[f'{C}/Acme, Inc; "Best".md'] = (
        f'---\nname: "{BAD_NAME}"\nstage: applied\napplied: 2026-11-20\n---\n'
    )
    (tmp_path / "vault").mkdir()
    vault = make_vault(tmp_path / "vault", files)
    with open(vault / "vaultkit.toml", "a") as handle:
        handle.write('vault_name = "My \\"Vault\\"; x\\ny"\n[feed]\nalarm_minutes = 10\n')
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)
    cal = assert_valid_feed((outcome.site / "followups.ics").read_bytes())
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    odd = [s for s in summaries if "Zoë" in s]
    assert len(odd) >= 5
    for summary in odd:  # the name arrives whole, on one line, without control characters
        assert BAD_NAME_SHOWN in summary and '"Q"' in summary and "\\slash" in summary
        assert "\n" not in summary and "\x07" not in summary
    for event in cal.walk("VEVENT"):
        url = str(event.get("URL", ""))
        assert " " not in url and '"' not in url and "\n" not in url


# ---- files that are not what they seem


def _symlinks(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = vault.parent / "outside"
    outside.mkdir()
    (outside / "Secret.md").write_text("---\nfollow_up: 2026-12-04\n---\nSECRET\n")
    (vault / "escape").symlink_to(outside)
    (vault / "escape.md").symlink_to(outside / "Secret.md")
    (vault / "abs.md").symlink_to("/etc/passwd")
    (vault / "loop").mkdir()
    (vault / "loop" / "again").symlink_to(vault / "loop")
    (vault / "self.md").symlink_to(vault / "self.md")
    (vault / "people" / "Linked.md").symlink_to(vault / "companies" / "Globex.md")


def _unreadable(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root, so refuse the open itself."""
    target = str(vault / "companies" / "Locked.md")
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if os.fspath(path) == target:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    if os.geteuid() != 0:
        (vault / "companies" / "Locked2.md").chmod(0)


def _special_files(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (vault / "companies" / "Folder.md").mkdir()
    (vault / "companies" / "Folder.md" / "Inner.md").write_text("---\nfollow_up: 2026-12-04\n---\n")
    os.mkfifo(vault / "Pipe.md")
    (vault / "pipe-link.md").symlink_to(vault / "Pipe.md")
    if Path("/dev/zero").exists():
        (vault / "zero.md").symlink_to("/dev/zero")  # outside: skipped by the scan


def _vanishing(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleted (or swapped for a FIFO) between the scan and the read."""
    import vaultkit.pipeline
    import vaultkit.vault.scan

    real = vaultkit.vault.scan.scan_vault

    def scan_then_change(*args, **kwargs):
        found = real(*args, **kwargs)
        gone = vault / "companies" / "Gone.md"
        if gone.exists():
            gone.unlink()
        swapped = vault / "companies" / "Swapped.md"
        if swapped.is_file() and not swapped.is_symlink():
            swapped.unlink()
            os.mkfifo(swapped)
        return found

    monkeypatch.setattr(vaultkit.vault.scan, "scan_vault", scan_then_change)


FILE_CASES = [
    Case(
        "symlinks-out-and-loops",
        {},
        [
            ("escape", 0, "symlink points outside the vault"),
            ("escape.md", 0, "symlink points outside the vault"),
            ("abs.md", 0, "symlink points outside the vault"),
        ],
        followups={("follow-up", "people/Linked.md")},
        setup=_symlinks,
    ),
    Case(
        "unreadable",
        {f"{C}/Locked.md": "---\nfollow_up: 2026-12-04\n---\n", f"{C}/Locked2.md": "x"},
        [(f"{C}/Locked.md", 1, "cannot read: Permission denied")],
        setup=_unreadable,
    ),
    Case(
        "directory-fifo-device",
        {},
        followups={("follow-up", f"{C}/Folder.md/Inner.md")},
        setup=_special_files,
    ),
    Case(
        "vanishing-and-swapped",
        {
            f"{C}/Gone.md": "---\nfollow_up: 2026-12-04\n---\n",
            f"{C}/Swapped.md": "---\nfollow_up: 2026-12-04\n---\n",
        },
        [(f"{C}/Swapped.md", 1, "cannot read: not a regular file")],
        setup=_vanishing,
    ),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=lambda c: c.id)
def test_hostile_file(case, runner, tmp_path, monkeypatch):
    vault = make_vault(tmp_path / "vault", case.files)
    case.setup(vault, monkeypatch)
    done = threading.Event()
    timer = threading.Timer(60, lambda: done.is_set() or os._exit(99))  # a hang fails loudly
    timer.start()
    try:
        outcome = run_all(runner, vault)
    finally:
        done.set()
        timer.cancel()
    assert_good_notes_survive(outcome)
    for path, line, fragment in case.expect:
        assert any(
            p["path"] == path and p["line"] == line and fragment in p["message"]
            for p in outcome.problems
        ), (path, fragment, outcome.problems)
    assert {(f["rule"], f["note"]) for f in outcome.agenda} >= case.followups
    assert not any(f["note"] in ("escape.md", "abs.md", "escape/Secret.md") for f in outcome.agenda)
    for data in site_text(outcome.site).values():
        assert b"SECRET" not in data and b"root:x:0" not in data


def test_a_fifo_never_blocks_the_reader(tmp_path):
    from vaultkit.vault.parse import read_note

    os.mkfifo(tmp_path / "x.md")
    result: list = []
    worker = threading.Thread(
        target=lambda: result.append(read_note(tmp_path, "x.md")), daemon=True
    )
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock it before failing
        fd = os.open(tmp_path / "x.md", os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("reading a FIFO blocked")
    assert "not a regular file" in result[0].problems[0].message


def test_over_the_size_limit(runner, tmp_path, monkeypatch):
    import vaultkit.vault.parse

    monkeypatch.setattr(vaultkit.vault.parse, "MAX_FILE_BYTES", 1024 * 1024)
    vault = make_vault(tmp_path / "vault", {"Huge.md": "- [ ] x 📅 2026-12-04\n" * 60_000})
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)
    assert any(
        p["path"] == "Huge.md" and "larger than 1 MB (skipped)" in p["message"]
        for p in outcome.problems
    )
    assert not any(f["note"] == "Huge.md" for f in outcome.agenda)


def test_a_30_mb_note(runner, tmp_path):
    paragraph = "Lorem ipsum dolor sit amet, [[Globex]] #tag " * 20 + "\n\n"
    body = paragraph * (30 * 2**20 // len(paragraph))
    vault = make_vault(
        tmp_path / "vault",
        {"Big.md": "---\ntags: [big]\n---\n- [ ] read it all 📅 2026-12-04\n" + body},
    )
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)
    assert ("task", "Big.md") in {(f["rule"], f["note"]) for f in outcome.agenda}
    page = (outcome.site / "notes/big.html").read_text(encoding="utf-8")
    assert "more characters) is not shown here" in page and len(page) < 3 * 2**20


def test_terminal_output_never_carries_control_characters(runner, tmp_path):
    """A name or file name holding ESC sequences (retitle the window, clear the screen) is
    printed with the escapes spelled out, by check, agenda, build and done."""
    from vaultkit.cli import cli

    evil = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"
    vault = make_vault(
        tmp_path / "vault",
        {
            f"{P}/{evil}.md": f'---\nname: "{evil.encode("unicode_escape").decode()}"\n'
            "follow_up: 2026-12-02\nmet: soon\n---\n[[Missing\x1b[5m]]\n"
        },
    )
    outputs = []
    for args in (["check"], ["agenda"], ["build"], ["show", evil], ["stats"]):
        result = runner.invoke(cli, [*args, "--vault", str(vault), "--today", "2026-12-01"])
        assert result.exit_code == 1, result.output
        outputs.append(result.output)
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e" in outputs[0]  # the file name, spelled out
    assert "`met`: expected a date" in outputs[0] and "\\x1b[2J" in outputs[1]
    agenda = runner.invoke(
        cli, ["agenda", "--json", "--vault", str(vault), "--today", "2026-12-01"]
    )
    item = next(f for f in json.loads(agenda.stdout) if f["note"].startswith(P + "/\x1b"))
    done = runner.invoke(cli, ["done", item["id"], "--vault", str(vault), "--today", "2026-12-01"])
    assert done.exit_code == 0, done.output
    outputs.append(done.output)
    for text in outputs:
        assert not any(ch in text for ch in "\x1b\x07\x9b\u202e"), text


# ---- privacy of the feed

PRIVATE_VAULT = {
    "companies/Initech Holdings.md": "---\nname: Initech Holdings\nrole: Secret Role Title\n"
    "stage: interviewing\nresume: resume-initech\n"
    "url: https://initech.example/jobs/77\nsalary: 999k\n"
    "follow_up: 2026-12-03T09:00\ntags: [confidential-tag]\n"
    "interviews: [{date: 2026-11-28, with: '[[Milton Waddams]]'"
    ", kind: onsite}]\n---\nNote text about Lumbergh.\n"
    "- [ ] Email Bill Lumbergh 📅 2026-12-04\n",
    "people/Milton Waddams.md": "---\ncompany: '[[Initech Holdings]]'\nrole: Stapler Keeper\n"
    "email: milton@initech.example\nfollow_up: 2026-12-05\n"
    "awaiting_reply: 2026-11-30\ncadence: 3w\n---\nRed stapler.\n",
    "people/Peter Gibbons.md": "---\ncompany: '[[Milton Waddams]]'\nfollow_up: 2026-12-06\n---\n",
}
SECRETS = [
    "Initech",
    "Secret Role",
    "resume-initech",
    "initech.example",
    "999k",
    "confidential",
    "Lumbergh",
    "Milton",
    "Waddams",
    "Stapler",
    "Red stapler",
    "Peter",
    "Gibbons",
    "companies",
    "people",
    ".md",
    "obsidian",
    "https",
    "onsite",
    "Globex",
    "Jane",
    "Staff Engineer",
]


def _feed_with(runner, tmp_path, detail: str) -> bytes:
    vault = make_vault(tmp_path / "vault", PRIVATE_VAULT)
    with open(vault / "vaultkit.toml", "a") as handle:
        handle.write(
            f'vault_name = "Jobs"\nsite_url = "https://me.example/jobs"\n'
            f'[feed]\ndetail = "{detail}"\nalarm_minutes = 30\ntodo = false\n'
        )
    outcome = run_all(runner, vault)
    assert_good_notes_survive(outcome)
    return (outcome.site / "followups.ics").read_bytes()


def test_private_feed_carries_no_name_text_path_or_url(runner, tmp_path):
    data = _feed_with(runner, tmp_path, "private")
    assert_private_feed(data)
    for secret in SECRETS:
        assert secret.lower().encode() not in data.lower(), secret
    assert data.count(b"SUMMARY:Follow-up") >= 8


def test_minimal_feed_names_no_contact(runner, tmp_path):
    data = _feed_with(runner, tmp_path, "minimal")
    assert_minimal_feed(data, {"Initech Holdings", "Globex"})
    for secret in [
        "Milton",
        "Waddams",
        "Peter",
        "Gibbons",
        "Jane",
        "Secret Role",
        "Lumbergh",
        "Stapler",
        "initech.example",
        "obsidian",
        "confidential",
        ".md",
    ]:
        assert secret.lower().encode() not in data.lower(), secret
    assert b"SUMMARY:Follow-up: Initech Holdings\r\n" in data
