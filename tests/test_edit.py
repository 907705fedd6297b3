from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import vaultkit.store.atomic
from vaultkit.commands import edit
from vaultkit.commands.edit import (
    append_log,
    check_task,
    log_line,
    newline_of,
    read_snapshot,
    split_lines,
    write_snapshot,
)
from vaultkit.errors import NoteChangedError, VaultkitError
from vaultkit.rules.registry import DONE_TAGS
from vaultkit.store.atomic import atomic_write
from vaultkit.vault.parse import parse_note


@pytest.fixture(autouse=True)
def _quick_quiet(monkeypatch):
    """These tests are about which bytes an edit changes, not about waiting for a note that
    another program is writing (tests/test_edit_races.py): a note need not hold still long."""
    monkeypatch.setattr(edit, "QUIET", 0.01)


DAY = date(2026, 11, 30)
LINE = "- 2026-11-30 Called ☃ #x"

# ---------------------------------------------------------------- append_log, table-driven

APPEND_CASES = [
    ("section at the end", "## Log\n- 2026-11-01 a\n", "## Log\n- 2026-11-01 a\n" + LINE + "\n"),
    (
        "before the next heading, blank lines kept after the line",
        "## Log\n- 2026-11-01 a\n\n## Next\ntext\n",
        "## Log\n- 2026-11-01 a\n" + LINE + "\n\n## Next\ntext\n",
    ),
    (
        "a deeper heading is inside the section",
        "## Log\n- a\n### Week 2\n- b\n\n# Top\n",
        "## Log\n- a\n### Week 2\n- b\n" + LINE + "\n\n# Top\n",
    ),
    (
        "empty section: right under the heading",
        "## Log\n\n## Notes\n",
        "## Log\n" + LINE + "\n\n## Notes\n",
    ),
    ("heading of another level and case", "# log\n- a\n", "# log\n- a\n" + LINE + "\n"),
    ("closing hashes on the heading", "## Log ##\n- a\n", "## Log ##\n- a\n" + LINE + "\n"),
    (
        "no heading: created at the end after a blank line",
        "Some text\n",
        "Some text\n\n## Log\n" + LINE + "\n",
    ),
    (
        "no heading, file ends with a blank line",
        "Some text\n\n",
        "Some text\n\n## Log\n" + LINE + "\n",
    ),
    ("no heading, no trailing newline", "Some text", "Some text\n\n## Log\n" + LINE + "\n"),
    ("empty file", "", "## Log\n" + LINE + "\n"),
    ("no trailing newline after the section", "## Log\n- a", "## Log\n- a\n" + LINE + "\n"),
    (
        "CRLF file gets CRLF lines",
        "---\r\nstage: applied\r\n---\r\n## Log\r\n- a\r\n",
        "---\r\nstage: applied\r\n---\r\n## Log\r\n- a\r\n" + LINE + "\r\n",
    ),
    ("CRLF without trailing newline", "## Log\r\n- a", "## Log\r\n- a\r\n" + LINE + "\r\n"),
    ("lone CR line endings", "## Log\r- a\r", "## Log\r- a\r" + LINE + "\r"),
    (
        "a `# Log` comment in the frontmatter is not a heading",
        "---\n# Log\nstage: applied\n---\nBody\n",
        "---\n# Log\nstage: applied\n---\nBody\n\n## Log\n" + LINE + "\n",
    ),
    (
        "a heading inside a code block is not a heading",
        "## Log\n- a\n```\n# not a heading\n```\n## Next\n",
        "## Log\n- a\n```\n# not a heading\n```\n" + LINE + "\n## Next\n",
    ),
    (
        "`## Log` inside a code block does not count",
        "```\n## Log\n```\n",
        "```\n## Log\n```\n\n## Log\n" + LINE + "\n",
    ),
    (
        "BOM and trailing whitespace kept",
        "\ufeff## Log  \n- a  \n",
        "\ufeff## Log  \n- a  \n" + LINE + "\n",
    ),
    (
        "the first Log heading wins",
        "## Log\n- a\n## Log\n- b\n",
        "## Log\n- a\n" + LINE + "\n## Log\n- b\n",
    ),
    (
        "`## Logistics` is not the log",
        "## Logistics\n- a\n",
        "## Logistics\n- a\n\n## Log\n" + LINE + "\n",
    ),
]


@pytest.mark.parametrize(
    ("before", "after"), [c[1:] for c in APPEND_CASES], ids=[c[0] for c in APPEND_CASES]
)
def test_append_log(before, after):
    assert append_log(before, LINE) == after


@pytest.mark.parametrize("text", ["```\nnever closed\n", "## Log\n- a\n~~~\ncode\n", "## Log\n```"])
def test_append_log_refuses_inside_an_unclosed_code_block(text):
    with pytest.raises(edit.UnclosedFenceError, match="never closed"):
        append_log(text, LINE)


def test_append_log_unclosed_block_after_the_section_is_fine():
    assert (
        append_log("## Log\n- a\n## Code\n```\nx\n", LINE)
        == "## Log\n- a\n" + LINE + "\n## Code\n```\nx\n"
    )


def test_append_log_rejects_multiline():
    with pytest.raises(ValueError):
        append_log("", "- a\n- b")


@pytest.mark.parametrize(
    ("text", "nl"),
    [
        ("a\nb\n", "\n"),
        ("a\r\nb\r\n", "\r\n"),
        ("a\rb", "\r"),
        ("", "\n"),
        ("no ending", "\n"),
        ("a\r\nb\r\nc\n", "\r\n"),
        ("a\nb\nc\r\n", "\n"),
    ],
)
def test_newline_of(text, nl):
    assert newline_of(text) == nl


# ---------------------------------------------------------------- log_line


@pytest.mark.parametrize(
    ("text", "tags", "expected"),
    [
        ("Called Jane", (), "- 2026-11-30 Called Jane"),
        ("Called  Jane\t", ("thank-you",), "- 2026-11-30 Called Jane #thank-you"),
        (
            "Sent note #thank-you",
            ("thank-you", "#linkedin"),
            "- 2026-11-30 Sent note #thank-you #linkedin",
        ),
        ("x", ("a", "A"), "- 2026-11-30 x #a"),
        ("x", ("area/sub",), "- 2026-11-30 x #area/sub"),
    ],
)
def test_log_line(text, tags, expected):
    assert log_line(DAY, text, tags) == expected


@pytest.mark.parametrize(
    ("text", "tags"), [("", ()), ("   ", ()), ("x", ("two words",)), ("x", ("123",)), ("x", ("",))]
)
def test_log_line_rejects(text, tags):
    with pytest.raises(VaultkitError):
        log_line(DAY, text, tags)


def test_done_tags_cover_every_rule_but_task():
    from vaultkit.vault.rulebook import RULE_IDS

    assert set(DONE_TAGS) == set(RULE_IDS) - {"task"}
    assert DONE_TAGS["thank-you"] == "thank-you"
    assert DONE_TAGS["linkedin-connect"] == "linkedin"
    assert DONE_TAGS["keep-in-touch"] == "touch"


# ---------------------------------------------------------------- check_task

TASK_CASES = [
    ("- [ ] Send CV 📅 2026-12-01\n", 1, "- [x] Send CV 📅 2026-12-01 ✅ 2026-11-30\n"),
    ("a\n  * [ ] nested\r\nz", 2, "a\n  * [x] nested ✅ 2026-11-30\r\nz"),
    ("1. [ ] numbered", 1, "1. [x] numbered ✅ 2026-11-30"),
    ("- [/] in progress  \n", 1, "- [x] in progress ✅ 2026-11-30  \n"),
    ("- [ ] with block id ^abc-1\n", 1, "- [x] with block id ✅ 2026-11-30 ^abc-1\n"),
    ("\ufeff- [ ] first line\n", 1, "\ufeff- [x] first line ✅ 2026-11-30\n"),
]


@pytest.mark.parametrize(("before", "line_no", "after"), TASK_CASES)
def test_check_task(before, line_no, after):
    assert check_task(before, line_no, DAY) == after


@pytest.mark.parametrize(
    ("text", "line_no"),
    [
        ("- [x] done already\n", 1),
        ("- [-] cancelled\n", 1),
        ("plain\n", 1),
        ("- [ ] a\n", 2),
        ("- [ ] a\n", 0),
        ("- item\n", 1),
    ],
)
def test_check_task_refuses(text, line_no):
    with pytest.raises(VaultkitError):
        check_task(text, line_no, DAY)


# ---------------------------------------------------------------- templates


def test_fill_template():
    from datetime import datetime

    from vaultkit.commands.note_templates import fill

    template = "{{name}} / {{ title }} / {{date}} / {{company}} / {{time}} / {{date:YYYY}} / {{x}}"
    text, left = fill(template, {"name": "Acme", "company": ""}, datetime(2026, 11, 30, 9, 5))
    assert text == "Acme / Acme / 2026-11-30 /  / 09:05 / 2026 / {{x}}"
    assert left == []


@pytest.mark.parametrize("kind", ["company", "contact"])
def test_default_templates_make_valid_notes(kind):
    from datetime import datetime

    from vaultkit.commands.note_templates import fill

    text, _ = fill(
        edit.default_template(kind),
        {"name": "Jane O'Neil", "company": "[[Acme]]"},
        datetime(2026, 11, 30),
    )
    parsed = parse_note(f"x/{kind}.md", text.encode())
    assert parsed.problems == []
    assert "## Log" in text


# ---------------------------------------------------------------- properties

ENDINGS = st.sampled_from(["\n", "\r\n", "\r", ""])
LINE_POOL = st.one_of(
    st.sampled_from(
        [
            "---",
            "...",
            "## Log",
            "# Log",
            "### Log",
            "## Notes",
            "# Title",
            "```",
            "~~~",
            "",
            "   ",
            "- 2026-11-01 met #x",
            "- [ ] task 📅 2026-12-01",
            "- [x] done",
            "key: value",
            "# comment: yes",
            "text with trailing space  ",
            "\t",
            "#",
            "## Log ##",
            "> quote",
        ]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n☃"),
        max_size=30,
    ),
)


@st.composite
def notes(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.tuples(LINE_POOL, ENDINGS), max_size=25))
    text = "".join(body + ending for body, ending in lines)
    return ("\ufeff" if draw(st.booleans()) else "") + text


def _removed(before: str, after: str, inserted: str) -> None:
    """`after` is `before` with `inserted` added once, plus at most a line ending before it
    (at the end of a file without one) or, at the end, a new `## Log` heading."""
    nl = newline_of(before)
    assert inserted.endswith(nl)
    at = after.find(inserted)
    assert at >= 0
    assert after.count("☃") == before.count("☃") + 1
    head, tail = after[:at], after[at + len(inserted) :]
    if head + tail == before:
        return
    assert tail == ""
    assert head.startswith(before)
    added = head[len(before) :]
    assert added in {nl, nl + nl, f"## Log{nl}", f"{nl}## Log{nl}", f"{nl}{nl}## Log{nl}"}


@settings(max_examples=400)
@given(notes())
def test_append_log_changes_nothing_else(text):
    try:
        after = append_log(text, LINE)
    except edit.UnclosedFenceError:
        assert edit._scan(split_lines(text))[1] is not None
        return
    _removed(text, after, LINE + newline_of(text))


@settings(max_examples=200)
@given(notes())
def test_append_log_puts_the_line_in_the_log_section(text):
    try:
        after = append_log(text, LINE)
    except edit.UnclosedFenceError:
        return
    # The parser reads it as a log line (so not inside a code block). It reads NUL as a binary
    # file and splits lines at more characters than Markdown does; leave those out here.
    assume(not any(c in text for c in "\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))
    entries = parse_note("n.md", after.encode("utf-8", "surrogateescape")).entries
    assert any(e.date == "2026-11-30" and "☃" in e.text for e in entries)
    lines = [line.rstrip("\r\n") for line in split_lines(after)]
    index = lines.index(LINE)
    headings = edit._headings(split_lines(after))
    above = [h for h in headings if h[0] < index]
    # The nearest heading at or above the log level is the Log heading.
    log = next(h for h in headings if h[2].lower() == "log")
    assert log[0] < index
    assert all(h[1] > log[1] for h in above if h[0] > log[0])


@settings(max_examples=300)
@given(
    notes(),
    st.integers(min_value=0, max_value=30),
    ENDINGS.filter(bool),
    st.sampled_from(["", "  ", " ^blk"]),
)
def test_check_task_changes_only_its_line(text, where, ending, tail):
    lines = text.splitlines(keepends=True)
    where = min(where, len(lines))
    if where == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    task = f"- [ ] Call ☃ 📅 2026-12-01{tail}{ending}"
    lines.insert(where, task)
    before = "".join(lines)
    number = where + 1
    assume_same = before.splitlines(keepends=True)
    if assume_same[where] != task:  # e.g. a line ending from `text` merged with ours
        return
    after = check_task(before, number, DAY)
    new = after.splitlines(keepends=True)
    assert len(new) == len(assume_same)
    for i, (old_line, new_line) in enumerate(zip(assume_same, new, strict=True)):
        if i != where:
            assert old_line == new_line
    assert new[where] == f"- [x] Call ☃ 📅 2026-12-01 ✅ 2026-11-30{tail}{ending}"


# ---------------------------------------------------------------- files


def test_write_keeps_bytes_and_permissions(tmp_path):
    path = tmp_path / "n.md"
    raw = (
        b"\xef\xbb\xbf---\r\n# c\r\nstage: 'applied'   \r\n---\r\n\xff\xfe bad utf-8\r\n## Log\r\n"
    )
    path.write_bytes(raw)
    os.chmod(path, 0o640)
    snap = read_snapshot(path)
    write_snapshot(snap, append_log(snap.text, LINE), "n.md")
    assert path.read_bytes() == raw + (LINE + "\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["n.md"]


def test_refuses_when_changed_before_writing(tmp_path):
    path = tmp_path / "n.md"
    path.write_text("## Log\n")
    snap = read_snapshot(path)
    path.write_text("## Log\n- edited in vim\n")
    with pytest.raises(NoteChangedError, match="changed on disk"):
        write_snapshot(snap, append_log(snap.text, LINE), "n.md")
    assert path.read_text() == "## Log\n- edited in vim\n"


def test_refuses_when_changed_during_the_write(tmp_path, monkeypatch):
    path = tmp_path / "n.md"
    path.write_text("## Log\n")
    snap = read_snapshot(path)

    def racing_write(target, data, **kwargs):
        target.write_text("## Log\n- saved meanwhile\n")  # same size would not matter: hash
        atomic_write(target, data, **kwargs)

    monkeypatch.setattr(vaultkit.store.atomic, "atomic_write", racing_write)
    with pytest.raises(NoteChangedError):
        write_snapshot(snap, append_log(snap.text, LINE), "n.md")
    assert path.read_text() == "## Log\n- saved meanwhile\n"
    assert [p.name for p in tmp_path.iterdir()] == ["n.md"]


def test_refuses_same_size_same_mtime_change(tmp_path):
    path = tmp_path / "n.md"
    path.write_text("## Log\n- aaaa\n")
    snap = read_snapshot(path)
    path.write_text("## Log\n- bbbb\n")
    os.utime(path, ns=(snap.mtime_ns, snap.mtime_ns))
    with pytest.raises(NoteChangedError):
        write_snapshot(snap, "x", "n.md")
    assert path.read_text() == "## Log\n- bbbb\n"


def test_symlinked_note_stays_a_symlink(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("## Log\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    snap = read_snapshot(link)
    write_snapshot(snap, append_log(snap.text, LINE), "link.md")
    assert link.is_symlink()
    assert real.read_text() == "## Log\n" + LINE + "\n"


def test_atomic_write_new_file_and_explicit_mode(tmp_path):
    path = tmp_path / "out.ics"
    atomic_write(path, b"one")
    assert path.read_bytes() == b"one"
    atomic_write(path, b"two", mode=0o600)
    assert path.read_bytes() == b"two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_atomic_write_failing_hook_leaves_file(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"old")

    def boom() -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        atomic_write(path, b"new", before_replace=boom)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_create_new_never_overwrites(tmp_path):
    path = tmp_path / "sub" / "n.md"
    edit.create_new(path, b"first")
    with pytest.raises(FileExistsError):
        edit.create_new(path, b"second")
    assert path.read_bytes() == b"first"
    assert sorted(p.name for p in path.parent.iterdir()) == ["n.md"]


@pytest.mark.parametrize(
    "name", ["", "  ", "a/b", "x:y", "a|b", "[[x]]", "#1", ".hidden", "tab\there"]
)
def test_check_name_rejects(name):
    with pytest.raises(VaultkitError):
        edit.check_name(name)


def test_init_files_are_valid(tmp_path: Path):
    from vaultkit.pipeline import evaluate
    from vaultkit.vault.config import load_config

    written = edit.init_vault(tmp_path / "v", DAY)
    assert written == ["vaultkit.toml", "companies/Acme Robotics.md", "people/Jane Doe.md"]
    config = load_config(tmp_path / "v")
    assert config.problems == ()
    assert config.type_list("contact", "folders")[0] == "people"
    vault = evaluate(config, DAY).vault
    assert [p for p in vault.problems if p.severity == "error"] == []
    assert vault.notes["companies/Acme Robotics.md"].kind == "company"
    assert vault.notes["people/Jane Doe.md"].company == "companies/Acme Robotics.md"
    assert "{{" not in (tmp_path / "v/companies/Acme Robotics.md").read_text()
