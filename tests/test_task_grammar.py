"""Task lines read as Obsidian Tasks and Dataview read them: one row per documented form.

The rows are written from the plugins' documentation (Tasks: "Tasks Emoji Format", "Dataview
Format", "Priority", "Recurring Tasks", "On Completion", "Task Dependencies"; Dataview:
"Metadata on Tasks and Lists", "Adding Metadata"), in our own words and dates; the last group
is where the plugins disagree and which one vaultkit follows (docs/note-format.md#tasks).
"""

from __future__ import annotations

import pytest

from vaultkit.vault.parse import parse_note

# One row per form: the line, then what differs from an open, normal-priority task with no
# dates or ids (`None` for a line that is not a task).
# fmt: off
ROWS = [
    # Tasks emoji format: dates
    ('- [ ] #task Has a created date ➕ 2026-04-13', {'title': '#task Has a created date'}),
    ('- [ ] #task Has a scheduled date ⏳ 2026-04-14', {'title': '#task Has a scheduled date', 'scheduled': '2026-04-14'}),
    ('- [ ] #task Has a start date 🛫 2026-04-15', {'title': '#task Has a start date', 'start': '2026-04-15'}),
    ('- [ ] #task Has a due date 📅 2026-04-16', {'title': '#task Has a due date', 'due': '2026-04-16'}),
    ('- [x] #task Has a done date ✅ 2026-04-17', {'status': 'done', 'title': '#task Has a done date', 'done': '2026-04-17'}),
    ('- [-] #task Has a cancelled date ❌ 2026-04-18', {'status': 'cancelled', 'title': '#task Has a cancelled date'}),
    ('- [ ] Other due signs 📆 2026-04-19', {'title': 'Other due signs', 'due': '2026-04-19'}),
    ('- [ ] Calendar sign 🗓 2026-04-20', {'title': 'Calendar sign', 'due': '2026-04-20'}),
    ('- [ ] Hourglass ⌛ 2026-04-21', {'title': 'Hourglass', 'scheduled': '2026-04-21'}),
    ('- [ ] No space📅2026-04-22', {'title': 'No space', 'due': '2026-04-22'}),
    # Tasks emoji format: priorities
    ('- [ ] #task Lowest priority ⏬', {'title': '#task Lowest priority', 'priority': 'low'}),
    ('- [ ] #task Low priority 🔽', {'title': '#task Low priority', 'priority': 'low'}),
    ('- [ ] #task Normal priority', {'title': '#task Normal priority'}),
    ('- [ ] #task Medium priority 🔼', {'title': '#task Medium priority', 'priority': 'medium'}),
    ('- [ ] #task High priority ⏫', {'title': '#task High priority', 'priority': 'high'}),
    ('- [ ] #task Highest priority 🔺', {'title': '#task Highest priority', 'priority': 'high'}),
    ('- [ ] Typed with a selector ⏫️', {'title': 'Typed with a selector', 'priority': 'high'}),
    # Recurrence, on completion, dependencies, block ids
    ('- [ ] #task Is a recurring task 🔁 every day when done', {'title': '#task Is a recurring task', 'recurrence': 'every day when done'}),
    ('- [ ] take out the trash 🔁 every Sunday 📅 2026-04-26', {'title': 'take out the trash', 'due': '2026-04-26', 'recurrence': 'every Sunday'}),
    ('- [ ] Mow the lawn 🔁 every 2 weeks ⏳ 2026-10-28 📅 2026-10-30', {'title': 'Mow the lawn', 'due': '2026-10-30', 'scheduled': '2026-10-28', 'recurrence': 'every 2 weeks'}),
    ('- [ ] Review 🔁 every week on Tuesday, Friday 📅 2026-05-01', {'title': 'Review', 'due': '2026-05-01', 'recurrence': 'every week on Tuesday, Friday'}),
    ('- [ ] Remove this task when done 🏁 delete', {'title': 'Remove this task when done'}),
    ('- [ ] Leave me alone too! 🏁 keep', {'title': 'Leave me alone too!'}),
    ('- [ ] #task do this first 🆔 dcf64c', {'title': '#task do this first', 'id': 'dcf64c'}),
    ('- [ ] #task do this after 🆔 next1 ⛔ dcf64c,0h17ye', {'title': '#task do this after', 'id': 'next1'}),
    ('- [ ] #task blocked ⛔️ dcf64c', {'title': '#task blocked'}),
    ('- [ ] With a block link 📅 2026-04-23 ^abc-123', {'title': 'With a block link', 'due': '2026-04-23', 'block': 'abc-123'}),
    # Tags among the signifiers stay in the title (Tasks puts trailing tags back)
    ('- [ ] Do something #tag1 📅 2026-04-24 #tag2 🛫 2026-04-20', {'title': 'Do something #tag1 #tag2', 'due': '2026-04-24', 'start': '2026-04-20'}),
    ('- [ ] Weekly check 🔁 every week #review 📅 2026-12-02', {'title': 'Weekly check #review', 'due': '2026-12-02', 'recurrence': 'every week'}),
    # Tasks' Dataview format
    ('- [ ] #task Has a created date  [created:: 2026-04-13]', {'title': '#task Has a created date'}),
    ('- [ ] #task Has a scheduled date  [scheduled:: 2026-04-14]', {'title': '#task Has a scheduled date', 'scheduled': '2026-04-14'}),
    ('- [ ] #task Has a start date  [start:: 2026-04-15]', {'title': '#task Has a start date', 'start': '2026-04-15'}),
    ('- [ ] #task Has a due date  [due:: 2026-04-16]', {'title': '#task Has a due date', 'due': '2026-04-16'}),
    ('- [x] #task Has a done date  [completion:: 2026-04-17]', {'status': 'done', 'title': '#task Has a done date', 'done': '2026-04-17'}),
    ('- [ ] #task Lowest priority  [priority:: lowest]', {'title': '#task Lowest priority', 'priority': 'low'}),
    ('- [ ] #task Medium priority  [priority:: medium]', {'title': '#task Medium priority', 'priority': 'medium'}),
    ('- [ ] #task Highest priority  [priority:: highest]', {'title': '#task Highest priority', 'priority': 'high'}),
    ('- [ ] #task Is a recurring task [repeat:: every day when done]', {'title': '#task Is a recurring task', 'recurrence': 'every day when done'}),
    ('- [ ] #task do this first  [id:: dcf64c]', {'title': '#task do this first', 'id': 'dcf64c'}),
    ('- [ ] #task after  [dependsOn:: dcf64c,0h17ye]', {'title': '#task after'}),
    ('- [ ] #task done later  [onCompletion:: delete]', {'title': '#task done later'}),
    ('- [ ] Task [priority:: high], [start:: 2026-04-24], [due:: 2026-05-01]', {'title': 'Task', 'due': '2026-05-01', 'start': '2026-04-24', 'priority': 'high'}),
    ('- [ ] In parentheses (due:: 2026-05-02)', {'title': 'In parentheses', 'due': '2026-05-02'}),
    ('- [ ] Spaced key [ due:: 2026-05-03 ]', {'title': 'Spaced key', 'due': '2026-05-03'}),
    # Dataview: shorthands without a space, fields anywhere, other fields kept
    ('- [ ] Due this saturday 🗓️2026-08-29', {'title': 'Due this saturday', 'due': '2026-08-29'}),
    ('- [x] Completed last saturday ✅2026-08-22', {'status': 'done', 'title': 'Completed last saturday', 'done': '2026-08-22'}),
    ('- [ ] Hello, this is some [metadata:: value]!', {'title': 'Hello, this is some [metadata:: value]!'}),
    ('- [X] I finished this on [completion:: 2026-08-15].', {'status': 'done', 'title': 'I finished this on .', 'done': '2026-08-15'}),
    # Where vaultkit once read differently (issue 15, item 7)
    ('> - [ ] In a blockquote 📅 2026-05-04', {'title': 'In a blockquote', 'due': '2026-05-04'}),
    ('>> - [ ] Nested quote 📅 2026-05-05', {'title': 'Nested quote', 'due': '2026-05-05'}),
    ('- [ ] Send `resume-v3.pdf` to Ana 📅 2026-05-06', {'title': 'Send `resume-v3.pdf` to Ana', 'due': '2026-05-06'}),
    ('- [ ] An ⏫ arrow mid-sentence', {'title': 'An ⏫ arrow mid-sentence'}),
    ('- [ ] Two dues 📅 2026-05-07 📅 2026-05-09', {'title': 'Two dues', 'due': '2026-05-07'}),
    ('- [ ] A comment %% not shown %% stays out 📅 2026-05-08', {'title': 'A comment stays out', 'due': '2026-05-08'}),
    # Where the plugins disagree (vaultkit's choice is in docs/note-format.md)
    ('- [ ] Call 📅 2026-05-10 about the offer', {'title': 'Call about the offer', 'due': '2026-05-10'}),
    ('- [ ] Ask [due:: 2026-05-11] about relocation', {'title': 'Ask about relocation', 'due': '2026-05-11'}),
    ('- [X] Upper-case done', {'status': 'done', 'title': 'Upper-case done'}),
    # Statuses ("Statuses", "Custom Statuses"): Tasks' built-in `[/]` and `[-]`, and a symbol
    # it does not know, which it reads as a to-do ("Unknown Statuses")
    ('- [/] In progress 📅 2026-05-12', {'title': 'In progress', 'due': '2026-05-12'}),
    ('- [-] Dropped ❌ 2026-05-13', {'status': 'cancelled', 'title': 'Dropped'}),
    ('- [?] A question 📅 2026-05-14', {'title': 'A question', 'due': '2026-05-14'}),
    ('- [>] Rescheduled ⏳ 2026-05-15', {'title': 'Rescheduled', 'scheduled': '2026-05-15'}),
    ('- [!] Important 🔺', {'title': 'Important', 'priority': 'high'}),
    # Lists: any bullet, numbered, indented ("Tasks: Getting Started": a task is a list item)
    ('* [ ] Star bullet 📅 2026-05-16', {'title': 'Star bullet', 'due': '2026-05-16'}),
    ('+ [ ] Plus bullet 📅 2026-05-17', {'title': 'Plus bullet', 'due': '2026-05-17'}),
    ('1. [ ] Numbered 📅 2026-05-18', {'title': 'Numbered', 'due': '2026-05-18'}),
    ('    - [ ] Indented sub-task 📅 2026-05-19', {'title': 'Indented sub-task', 'due': '2026-05-19'}),
    ('> [!todo] Callout title', None),
    # Not tasks
    ('-[ ] no space after the marker', None),
    ('- [] empty checkbox', None),
]
# fmt: on


FIELDS = ("status", "text", "due", "scheduled", "start", "done", "priority", "id", "block")


@pytest.mark.parametrize(("line", "expected"), ROWS, ids=[r[0][:50] for r in ROWS])
def test_documented_task_forms(line, expected):
    note = parse_note("n.md", (line + "\n").encode())
    if expected is None:
        assert note.tasks == []
        return
    assert len(note.tasks) == 1, note.tasks
    want = {"status": "open", "priority": "normal", **expected}
    want["text"] = want.pop("title")
    got = {name: getattr(note.tasks[0], name) for name in (*FIELDS, "recurrence")}
    assert got == {name: want.get(name) for name in (*FIELDS, "recurrence")}


def test_tasks_in_callouts_and_comments():
    note = parse_note(
        "n.md",
        "> [!todo] Before the final round\n"
        "> - [ ] Re-read the blog 📅 2026-12-02\n"
        "%%\n- [ ] hidden in an Obsidian comment 📅 2026-12-01\n%%\n"
        "<!--\n- [ ] hidden in an HTML comment 📅 2026-12-01\n-->\n"
        "<!-- - [ ] one-line comment 📅 2026-12-01 -->\n"
        "- [ ] seen again 📅 2026-12-03\n"
        "%% a comment with ``` inside %%\n"
        "- [ ] not in a code block 📅 2026-12-04\n".encode(),
    )
    assert [(t.line, t.text) for t in note.tasks] == [
        (2, "Re-read the blog"),
        (10, "seen again"),
        (12, "not in a code block"),
    ]


def test_tags_and_links_in_inline_code_do_not_count():
    note = parse_note(
        "n.md", "- [ ] Run `#not-a-tag [[Nope]]` with [[Ana Lima]] #prep 📅 2026-12-02\n".encode()
    )
    task = note.tasks[0]
    assert task.tags == ["prep"] and task.links == ["Ana Lima"]
    assert task.text == "Run `#not-a-tag [[Nope]]` with [[Ana Lima]] #prep"
