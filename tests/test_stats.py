"""Every figure of `vaultkit stats` against a small vault whose answers were worked out by hand
(the reasoning is in the comments), plus empty vaults, divisions by zero, the charts and the
CLI."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from conftest import TODAY

from vaultkit.render.site import SiteData
from vaultkit.render.stats_page import bar_chart, heatmap, render_stats_page
from vaultkit.render.terminal_stats import format_stats
from vaultkit.rules.registry import derive_followups
from vaultkit.views.stats import compute_stats

# TODAY is Tuesday 2026-12-01 (ISO week 2026-W49, which starts Monday 2026-11-30).
NOTES = {
    # Alpha: an application that got a reply and an interview.
    #   reached interviewing (its stage); responded (stage past applied);
    #   first response: the 11-05 log line, 3 days after applying on 11-02;
    #   first interview: 11-09, 7 days after applying.
    "companies/Alpha.md": """\
        ---
        stage: interviewing
        applied: 2026-11-02
        resume: r1
        cover_letter: c1
        source: referral
        interviews:
          - {date: 2026-11-09, with: "[[Ann]]", kind: phone}
        ---
        ## Log
        - 2026-11-02 Applied
        - 2026-11-05 Recruiter replied
        - 2026-11-10 Thank-you to [[Ann]] #thank-you
        """,
    # Beta: applied, then only chased: the #follow-up line is your own outreach, no response.
    "companies/Beta.md": """\
        ---
        stage: applied
        applied: 2026-11-16
        resume: r2
        source: linkedin
        ---
        ## Log
        - 2026-11-16 Applied
        - 2026-11-20 Pinged the recruiter #follow-up
        """,
    # Gamma: rejected after an interview, so it reached interviewing (closed companies count
    # as far as their notes show); responded; first response = first interview = 11-03,
    # 8 days after applying on 10-26.
    "companies/Gamma.md": """\
        ---
        stage: rejected
        applied: 2026-10-26
        resume: r2
        cover_letter: c1
        source: linkedin
        interviews:
          - {date: 2026-11-03, kind: phone}
        ---
        ## Log
        - 2026-11-12 Rejection email
        """,
    # Delta: ghosted: its log line is not a response; it reached applied only.
    "companies/Delta.md": """\
        ---
        stage: ghosted
        applied: 2026-11-23
        resume: r2
        source: job-board
        ---
        ## Log
        - 2026-11-24 Marked ghosted
        """,
    # Epsilon: a lead, not an application; no interactions.
    "companies/Epsilon.md": """\
        ---
        stage: lead
        source: meetup
        ---
        """,
    # Ann waits on a reply since 11-25: reply-promptly due 11-26, 5 days overdue on 12-01.
    "people/Ann.md": """\
        ---
        company: "[[Alpha]]"
        relationship: recruiter
        linkedin_connected: 2026-11-09
        awaiting_reply: 2026-11-25
        ---
        """,
    # Bob: every week; last seen 11-18 (daily note) -> keep-in-touch due 11-25, 6 days overdue.
    "people/Bob.md": """\
        ---
        cadence: 1w
        ---
        """,
    # Cy: every 4 weeks from 11-20 -> due 12-18, not owed yet; met on 11-20 and never written
    # to -> met-follow-up due 11-22 (missed in W47).
    "people/Cy.md": """\
        ---
        cadence: 4w
        met: 2026-11-20
        ---
        """,
    "daily/2026-11-18.md": """\
        - Coffee with [[Bob]]
        """,
    # One task done on 11-17; one open, due 11-20: overdue, so missed in W47.
    "Plan.md": """\
        - [x] Update the resume ✅ 2026-11-17
        - [ ] Write the portfolio page 📅 2026-11-20
        """,
}


@pytest.fixture
def fixture_vault(write_note, load):
    for rel, text in NOTES.items():
        write_note(rel, text)
    return load()


def _stats(vault, since=None, today=TODAY):
    return compute_stats(vault, derive_followups(vault, today), today, since)


def test_the_fixture_has_the_follow_ups_the_figures_assume(fixture_vault):
    # Open on 12-01: Ann's reply (11-26), Bob's keep-in-touch (11-25), the task (11-20),
    # Alpha gone stale (last touch 11-10 + 21 days = 12-01: due today, so not missed),
    # Cy's keep-in-touch (12-18, ahead), the note to Cy after meeting (11-22), and an
    # informational-interview request for Beta, where you know nobody (applied 11-16: 11-23).
    got = sorted((f.rule, f.due.isoformat()) for f in derive_followups(fixture_vault, TODAY))
    assert got == [
        ("info-interview-request", "2026-11-23"),
        ("keep-in-touch", "2026-11-25"),
        ("keep-in-touch", "2026-12-18"),
        ("met-follow-up", "2026-11-22"),
        ("reply-promptly", "2026-11-26"),
        ("stale", "2026-12-01"),
        ("task", "2026-11-20"),
    ]


def test_funnel_and_conversion(fixture_vault):
    stats = _stats(fixture_vault)
    # lead: all 5 companies; applied: Alpha, Beta, Gamma, Delta; screening and interviewing:
    # Alpha and Gamma (a rejected company with an interview reached interviewing); offer: 0.
    assert [(s.stage, s.count) for s in stats.funnel] == [
        ("lead", 5),
        ("applied", 4),
        ("screening", 2),
        ("interviewing", 2),
        ("offer", 0),
    ]
    # 4/5, 2/4, 2/2, 0/2.
    assert [s.conversion for s in stats.funnel] == [None, 0.8, 0.5, 1.0, 0.0]
    assert stats.companies == 5 and stats.applications == 4


def test_response_rates(fixture_vault):
    stats = _stats(fixture_vault)
    # Responses: Alpha and Gamma; not Beta (only chased) nor Delta (ghosted). 2 of 4.
    assert (stats.responses, stats.response_rate) == (2, 0.5)
    rates = lambda items: [(r.key, r.applications, r.responses, r.rate) for r in items]  # noqa: E731
    # r1: Alpha (1/1); r2: Beta, Gamma, Delta, of which Gamma responded (1/3).
    assert rates(stats.by_resume) == [("r1", 1, 1, 1.0), ("r2", 3, 1, 1 / 3)]
    # c1: Alpha and Gamma, both responded; no cover letter: Beta and Delta, neither did.
    assert rates(stats.by_cover_letter) == [("c1", 2, 2, 1.0), ("(none)", 2, 0, 0.0)]
    assert rates(stats.by_source) == [
        ("job-board", 1, 0, 0.0),
        ("linkedin", 2, 1, 0.5),
        ("referral", 1, 1, 1.0),
    ]


def test_medians_and_endings(fixture_vault):
    stats = _stats(fixture_vault)
    assert stats.median_days_to_response == 5.5  # Alpha 3, Gamma 8
    assert stats.median_days_to_interview == 7.5  # Alpha 7, Gamma 8
    assert stats.endings == [("accepted", 0), ("rejected", 1), ("withdrawn", 0), ("ghosted", 1)]


def test_activity_per_week(fixture_vault):
    stats = _stats(fixture_vault)
    # Applications: 10-26 (W44), 11-02 (W45), 11-16 (W47), 11-23 (W48).
    # Touches (every interaction but `applied`, each once): W45: 11-02 log, 11-03 interview,
    # 11-05 log; W46: 11-09 interview, 11-10 thank-you, 11-12 rejection; W47: 11-16 log,
    # 11-18 daily note, 11-20 follow-up; W48: 11-24 log.
    # Done: W46: the #thank-you line; W47: the task checked 11-17 and the #follow-up line.
    # Missed (open, due before today): W47 the task and Cy's note (11-22); W48 Beta's request
    # (11-23), Bob (11-25) and Ann (11-26).
    assert [
        (w.week, w.start.isoformat(), w.applied, w.touches, w.done, w.missed) for w in stats.weeks
    ] == [
        ("2026-W44", "2026-10-26", 1, 0, 0, 0),
        ("2026-W45", "2026-11-02", 1, 3, 0, 0),
        ("2026-W46", "2026-11-09", 0, 3, 1, 0),
        ("2026-W47", "2026-11-16", 1, 3, 2, 2),
        ("2026-W48", "2026-11-23", 1, 1, 0, 3),
        ("2026-W49", "2026-11-30", 0, 0, 0, 0),
    ]
    # Per day: applications + touches + tasks done (a tagged touch counts once).
    assert {d.isoformat(): n for d, n in stats.days.items()} == {
        "2026-10-26": 1,
        "2026-11-02": 2,
        "2026-11-03": 1,
        "2026-11-05": 1,
        "2026-11-09": 1,
        "2026-11-10": 1,
        "2026-11-12": 1,
        "2026-11-16": 2,
        "2026-11-17": 1,
        "2026-11-18": 1,
        "2026-11-20": 1,
        "2026-11-23": 1,
        "2026-11-24": 1,
    }


def test_owed_list_most_overdue_first(fixture_vault):
    stats = _stats(fixture_vault)
    # Every follow-up that asks you to write, due by today; not the stale company nor the task.
    assert [(o.name, o.rule, o.due.isoformat(), o.days_overdue) for o in stats.owed] == [
        ("Cy", "met-follow-up", "2026-11-22", 9),
        ("Beta", "info-interview-request", "2026-11-23", 8),
        ("Bob", "keep-in-touch", "2026-11-25", 6),
        ("Ann", "reply-promptly", "2026-11-26", 5),
    ]


def test_owed_list_includes_today_and_names_whom_to_write(write_note, load, runner, vault_dir):
    write_note("people/Zoe.md", "---\ncadence: 1w\nlast_contact: 2026-11-24\n---\n")
    write_note("people/Yan.md", "---\nawaiting_reply: 2026-11-30\n---\n")
    write_note("people/Xia.md", "---\ncadence: 1w\nlast_contact: 2026-11-25\n---\n")
    write_note(
        "companies/Wex.md",
        "---\nstage: applied\napplied: 2026-11-27\ncontacts: ['[[Vic]]']\n---\n"
        "- [ ] Update the CV 📅 2026-11-20\n",
    )
    write_note("people/Vic.md", "---\nrelationship: recruiter\n---\n")
    stats = _stats(load())
    # Due today: Yan's reply (high) before the normal ones, then by name; Xia's is tomorrow;
    # the application follow-up goes to Wex's recruiter; the overdue task is no message.
    assert [(o.name, o.rule, o.days_overdue) for o in stats.owed] == [
        ("Yan", "reply-promptly", 0),
        ("Vic", "application-follow-up", 0),
        ("Zoe", "keep-in-touch", 0),
    ]
    assert stats.to_json()["owed"][0]["draft"] == f"vaultkit draft {stats.owed[0].id}"
    text = format_stats(stats, colour=False)
    assert f"today  Yan  Reply to Yan  vaultkit draft {stats.owed[0].id}" in text


def test_since_limits_the_window_and_divides_by_zero_safely(fixture_vault):
    stats = _stats(fixture_vault, since=date(2026, 11, 10))
    # Only applications started on or after 11-10: Beta and Delta (Epsilon has no date).
    assert stats.companies == 2 and stats.applications == 2 and stats.responses == 0
    assert [(s.stage, s.count, s.conversion) for s in stats.funnel] == [
        ("lead", 2, None),
        ("applied", 2, 1.0),
        ("screening", 0, 0.0),
        ("interviewing", 0, None),
        ("offer", 0, None),
    ]  # 0/0 twice
    assert stats.response_rate == 0.0
    assert stats.median_days_to_response is None and stats.median_days_to_interview is None
    assert dict(stats.endings)["ghosted"] == 1 and dict(stats.endings)["rejected"] == 0
    # The weeks start with the one holding 11-10; only what happened from 11-10 counts.
    assert [(w.week, w.applied, w.touches, w.done, w.missed) for w in stats.weeks] == [
        ("2026-W46", 0, 2, 1, 0),
        ("2026-W47", 1, 3, 2, 2),
        ("2026-W48", 1, 1, 0, 3),
        ("2026-W49", 0, 0, 0, 0),
    ]
    assert len(stats.owed) == 4  # what you owe now, whatever the window


def test_empty_vault(load):
    stats = _stats(load())
    assert stats.companies == stats.applications == stats.responses == 0
    assert [(s.count, s.conversion) for s in stats.funnel] == [(0, None)] * 5
    assert stats.response_rate is None
    assert stats.by_resume == stats.by_cover_letter == stats.by_source == []
    assert stats.median_days_to_response is None and stats.median_days_to_interview is None
    assert stats.weeks == [] and stats.owed == [] and stats.days == {}
    data = stats.to_json()
    assert data["response_rate"] is None and data["funnel"][1]["conversion"] is None
    text = format_stats(stats, colour=False)
    assert "(–)" in text and "nothing logged yet" in text


def test_a_vault_with_no_applications(write_note, load):
    write_note("companies/Lead.md", "---\nstage: lead\n---\n")
    write_note("people/Pat.md", "---\nname: Pat\n---\n")
    stats = _stats(load())
    # One lead: lead 1; applied 0 of 1 = 0%; every later stage 0 of 0.
    assert [(s.count, s.conversion) for s in stats.funnel] == [
        (1, None),
        (0, 0.0),
        (0, None),
        (0, None),
        (0, None),
    ]
    assert stats.applications == 0 and stats.response_rate is None
    assert stats.by_source == []


def test_json_is_plain_data(fixture_vault):
    data = _stats(fixture_vault).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["response_rate_by"]["resume"][1] == {
        "key": "r2",
        "applications": 3,
        "responses": 1,
        "rate": 1 / 3,
    }
    assert data["endings"] == {"accepted": 0, "rejected": 1, "withdrawn": 0, "ghosted": 1}
    assert data["owed"][0]["name"] == "Cy"


# ---------------------------------------------------------------- charts


def _page(vault, today=TODAY) -> str:
    data = SiteData(vault, derive_followups(vault, today), today)
    return render_stats_page(data)["stats.html"].decode()


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg.*?</svg>", html, re.S)]


NS = "{http://www.w3.org/2000/svg}"


def test_page_charts_parse_and_have_text_alternatives(fixture_vault):
    html = _page(fixture_vault)
    svgs = _svgs(html)
    assert len(svgs) == 3  # funnel, resume, heatmap
    for svg in svgs:
        title, desc = svg.find(f"{NS}title"), svg.find(f"{NS}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "lead: 5; applied: 4 (80%)" in svgs[0].find(f"{NS}desc").text
    assert html.count("<table") >= 6  # a table beside every chart, and more
    assert "<script" not in html
    # The owed list links each person's page.
    assert 'href="notes/people/bob.html"' in html


def test_empty_vault_page_renders(load):
    html = _page(load())
    for svg in _svgs(html):
        assert svg.find(f"{NS}title") is not None
    assert "Nobody is waiting on you." in html and "–" in html


def _bar_widths(svg: str) -> list[int]:
    root = ET.fromstring(svg)
    return [int(r.get("width")) for r in root.iter(f"{NS}rect") if r.get("class") == "bar"]


def test_bars_scale_with_their_data():
    small = _bar_widths(bar_chart("t", "T", [("a", 4, "4"), ("b", 1, "1")], top=4))
    large = _bar_widths(bar_chart("t", "T", [("a", 4, "4"), ("b", 3, "3")], top=4))
    assert large[0] == small[0] and large[1] > small[1] * 2
    rates = _bar_widths(bar_chart("t", "T", [("x", 0.25, ""), ("y", 0.75, "")], top=1.0))
    assert rates[1] == 3 * rates[0]


def test_funnel_bar_grows_with_more_applications(write_note, load):
    write_note("companies/A.md", "---\nstage: lead\n---\n")
    write_note("companies/B.md", "---\nstage: applied\napplied: 2026-11-02\n---\n")
    before = _bar_widths(re.findall(r"<svg.*?</svg>", _page(load()), re.S)[0])
    write_note("companies/C.md", "---\nstage: screening\napplied: 2026-11-03\n---\n")
    after = _bar_widths(re.findall(r"<svg.*?</svg>", _page(load()), re.S)[0])
    # applied: 1 of 2 -> 2 of 3 of the widest bar.
    assert after[1] > before[1]


def test_heatmap_has_more_cells_for_a_longer_history(fixture_vault):
    def cells(since):
        stats = _stats(fixture_vault, since=since)
        root = ET.fromstring(heatmap(stats))
        return [r for r in root.iter(f"{NS}rect") if "cell" in (r.get("class") or "")]

    # From Monday 10-26 to Tuesday 12-01: 5 full weeks and 2 days = 37 cells.
    assert len(cells(None)) == 37
    # From Monday 11-09: 3 weeks and 2 days = 23 cells.
    assert len(cells(date(2026, 11, 10))) == 23
    levels = {r.get("class") for r in cells(None)}
    assert "cell l0" in levels and "cell l4" in levels  # the busiest days are the darkest


# ---------------------------------------------------------------- CLI


def test_cli_stats_json(runner, fixture_vault, vault_dir):
    from vaultkit.cli import cli

    result = runner.invoke(
        cli, ["stats", "--vault", str(vault_dir), "--today", "2026-12-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["applications"] == 4 and data["median_days_to_response"] == 5.5
    result = runner.invoke(
        cli,
        [
            "stats",
            "--vault",
            str(vault_dir),
            "--today",
            "2026-12-01",
            "--since",
            "2026-11-10",
            "--json",
        ],
    )
    assert json.loads(result.output)["since"] == "2026-11-10"


def test_cli_stats_text(runner, fixture_vault, vault_dir):
    from vaultkit.cli import cli

    result = runner.invoke(cli, ["stats", "--vault", str(vault_dir), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "4 application(s), 2 with a response (50%)" in result.output
    assert "6d overdue  Bob   Keep in touch with Bob  vaultkit draft " in result.output
    assert "\033[" not in result.output


def test_cli_stats_empty_vault(runner, vault_dir):
    from vaultkit.cli import cli

    result = runner.invoke(cli, ["stats", "--vault", str(vault_dir), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "0 application(s)" in result.output and "–" in result.output


def test_build_writes_stats_html_linked_from_the_index(runner, tmp_path):
    from site_helpers import build, make_vault

    vault = make_vault(tmp_path / "v")
    result = build(runner, vault)
    assert result.exit_code == 0, result.output
    assert (vault / "_site" / "stats.html").is_file()
    assert 'href="stats.html"' in (vault / "_site" / "index.html").read_text()


def test_cli_stats_still_prints_but_exits_1_on_note_errors(runner, write_note, vault_dir):
    from vaultkit.cli import cli

    write_note("companies/Bad.md", "---\nstage: applied\napplied: 2026-11-31\n---\n")
    result = runner.invoke(
        cli, ["stats", "--vault", str(vault_dir), "--today", "2026-12-01", "--json"]
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["applications"] == 1
    assert "vaultkit check" in result.stderr
