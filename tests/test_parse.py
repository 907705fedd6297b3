from __future__ import annotations

import pytest

from vaultkit.vault.parse import parse_note


def parse(text: str, path: str = "n.md"):
    return parse_note(path, text.encode())


def test_frontmatter_keys_are_lower_cased_and_dates_stay_text():
    note = parse("---\nStage: applied\napplied: 2026-11-03\n---\nbody\n")
    assert note.meta == {"stage": "applied", "applied": "2026-11-03"}
    assert note.meta_lines == {"stage": 2, "applied": 3}
    assert note.body_line == 5


def test_unquoted_nested_list_link_is_kept_for_the_model():
    note = parse("---\ncontacts: [[Jane Doe]]\n---\n")
    assert note.meta["contacts"] == [["Jane Doe"]]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("---\nname: [unclosed\n---\n", 2, "not valid YAML"),
        ("---\nname: a\n  bad: indent\n---\n", 3, "not valid YAML"),
        ("---\n- a\n- b\n---\n", 2, "not a list"),
        ("---\njust a scalar\n---\n", 2, "not the value"),
        ("---\nx: !!python/object/apply:os.system ['echo hi']\n---\n", 2, "not allowed"),
        ("---\nname: a\n", 1, "never closed"),
    ],
)
def test_broken_frontmatter_is_an_error_with_its_line(text, line, fragment):
    note = parse(text)
    [problem] = [p for p in note.problems if p.severity == "error"]
    assert problem.line == line
    assert fragment in problem.message
    assert note.meta == {}


def test_duplicate_keys_are_a_warning_and_the_last_wins():
    note = parse("---\nstage: lead\nstage: applied\n---\n")
    assert note.meta["stage"] == "applied"
    assert [(p.severity, p.line) for p in note.problems] == [("warning", 3)]


def test_billion_laughs_is_refused_within_a_budget():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    note = parse("---\n" + "\n".join(lines) + "\n---\n")
    assert any("too large" in p.message for p in note.problems)
    assert note.meta == {}


def test_deep_nesting_is_refused():
    note = parse("---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert note.problems and note.problems[0].severity == "error"


def test_binary_and_non_utf8_files():
    assert "binary" in parse_note("b.md", b"\x00\x01\x02PNG").problems[0].message
    bad = parse_note("c.md", b"---\nname: ok\n---\nline two\n\xff\xfe oops\n")
    assert bad.problems[0].line == 5 and "UTF-8" in bad.problems[0].message
    assert bad.meta == {"name": "ok"}  # the rest is still read


def test_bom_and_crlf_are_accepted():
    note = parse_note(
        "n.md", "\ufeff---\r\nstage: applied\r\n---\r\n- [ ] t 📅 2026-12-02\r\n".encode()
    )
    assert note.meta == {"stage": "applied"}
    assert note.tasks[0].due == "2026-12-02" and note.tasks[0].line == 4


def test_tasks_in_every_form_and_not_in_code():
    note = parse(
        "- [ ] Send portfolio 📅 2026-12-02 ⏫ #prep\n"
        "* [x] Done ✅ 2026-11-20\n"
        "- [-] Cancelled 📅 2026-11-01\n"
        "  - [/] In progress ⏳ 2026-11-30 🛫 2026-11-29\n"
        "1. [ ] Numbered [due:: 2026-12-04] [scheduled:: 2026-12-03]\n"
        "```\n- [ ] fenced 📅 2026-12-01\n```\n"
        "~~~~\n- [ ] tilde fenced\n~~~\n- [ ] still fenced\n~~~~\n"
        "- [ ] after 🔁 every week 📅 2026-12-09\n"
    )
    got = [(t.line, t.status, t.text, t.due, t.scheduled, t.priority) for t in note.tasks]
    assert got == [
        (1, "open", "Send portfolio #prep", "2026-12-02", None, "high"),
        (2, "done", "Done", None, None, "normal"),
        (3, "cancelled", "Cancelled", "2026-11-01", None, "normal"),
        (4, "open", "In progress", None, "2026-11-30", "normal"),
        (5, "open", "Numbered", "2026-12-04", "2026-12-03", "normal"),
        (14, "open", "after", "2026-12-09", None, "normal"),
    ]
    assert note.tasks[1].done == "2026-11-20"
    assert note.tasks[3].start == "2026-11-29"


def test_log_lines_and_linked_items():
    note = parse(
        "## Log\n"
        "- 2026-11-03 Applied via the careers page #applied\n"
        "- **2026-11-05**: Call with [[Jane Doe|Jane]] #phone\n"
        "- [[2026-11-06]] Coffee with [[people/Raj Patel#Intro]]\n"
        "- Met [[Ana Lima]] at the meetup\n"
        "- nothing to see here\n"
        "- `[[not a link]]` in code\n"
    )
    got = [(e.line, e.date, e.tags, e.links) for e in note.entries]
    assert got == [
        (2, "2026-11-03", ["applied"], []),
        (3, "2026-11-05", ["phone"], ["Jane Doe"]),
        (4, "2026-11-06", [], ["2026-11-06", "people/Raj Patel"]),
        (5, None, [], ["Ana Lima"]),
    ]


def test_links_tags_and_inline_fields():
    note = parse(
        "# Title\nSee [[Globex]] and [the doc](Other%20Note.md) and ![[diagram.png]].\n"
        "Tagged #job-search/active but not #123 or a url http://x.test/#frag\n"
        "stage:: Interviewing\nAlso [follow_up:: 2026-12-09] inline.\n"
    )
    # the embedded image is a link to a file (a missing one is reported like a missing note)
    assert [link.target for link in note.links] == ["Globex", "diagram.png", "Other Note"]
    assert note.tags == ["job-search/active"]
    assert note.inline == {"stage": ("Interviewing", 4), "follow_up": ("2026-12-09", 5)}


def test_empty_and_frontmatter_only_files():
    assert parse("").problems == []
    note = parse("---\nstage: lead\n---")
    assert note.meta == {"stage": "lead"} and note.problems == []
