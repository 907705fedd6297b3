from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from site_helpers import build, make_vault

from vaultkit.render.markdown import render_body
from vaultkit.render.templating import environment

HOSTILE = """\
---
name: "<script>alert('name')</script> & Co"
stage: applied
role: "<img src=x onerror=alert(1)>"
follow_up: 2026-12-05
---
<script>alert('body')</script>
<b onclick="x()">bold</b>

[click me](javascript:alert('link')) and [data](data:text/html;base64,PHNjcmlwdD4=)
and [[<script>alert('wikilink')</script>]]
"""


def _pages(site):
    return {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*.html")}


def test_hostile_note_never_becomes_markup(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    (vault / "companies/Evil.md").write_text(HOSTILE)
    result = build(runner, vault)
    assert result.exit_code == 0, result.output
    pages = _pages(vault / "_site")
    assert "notes/companies/evil.html" in pages
    for name, html in pages.items():
        assert "<script" not in html, name
        assert "<img" not in html, name
        assert "onclick=" not in html.replace("onclick=&quot;", ""), name
        assert not re.search(r'href="\s*(javascript|data):', html, re.I), name
    page = pages["notes/companies/evil.html"]
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt; &amp; Co" in page
    assert "&lt;b onclick" in page  # raw HTML shown as text
    assert "&lt;script&gt;alert(&#x27;name&#x27;)" in pages["index.html"]  # board + tables
    assert "&lt;script&gt;" in pages["agenda.html"]
    md = (vault / "_site/index.md").read_text()
    assert "<script>" not in md and "\\<script\\>" in md


def test_markdown_renderer_neutralizes_javascript_links():
    html = render_body(
        "[x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [ok](https://a.example)",
        lambda target: None,
    )
    assert "javascript:" not in html.lower().replace("](javascript:", "")
    assert 'href="https://a.example"' in html
    assert "<a" in html and html.count("<a ") == 1


def test_wikilinks_link_pages(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    assert build(runner, vault).exit_code == 0
    page = (vault / "_site/notes/companies/globex.html").read_text()
    assert '<a class="wikilink" href="../people/jane-doe.html">Jane</a>' in page
    assert 'href="../people/jane-doe.html#background">Jane Doe › Background</a>' in page
    assert '<span class="missing" title="no such note">Nobody Here</span>' in page
    jane = (vault / "_site/notes/people/jane-doe.html").read_text()
    assert '<h2 id="background">Background</h2>' in jane
    assert 'href="../companies/globex.html"' in jane  # the company field


def test_index_board_tables_and_funnel(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    assert build(runner, vault).exit_code == 0
    index = (vault / "_site/index.html").read_text()
    board = index.split('<div class="board">', 1)[1].split("</div>", 1)[0]
    applied = board.split("<h2>applied", 1)[1].split("</section>", 1)[0]
    assert "Globex" in applied and "Staff Engineer" in applied
    assert "<h2>lead" in board and "<h2>offer" in board
    assert "<svg" in index and 'class="bar"' in index
    assert "2026-11-20" in index  # Globex's last contact
    assert '<a href="notes/people/jane-doe.html">Jane Doe</a>' in index
    # Nothing from the network: no scripts, no remote styles, fonts or images.
    for html in _pages(vault / "_site").values():
        assert "<script" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html.split("<main>")[0])
    css = (vault / "_site/style.css").read_text()
    assert "prefers-color-scheme: dark" in css and "@import" not in css and "url(" not in css


def test_agenda_page_sections_reasons_and_links(runner, tmp_path):
    vault = make_vault(tmp_path / "v")
    (vault / "Old.md").write_text("- [ ] Overdue thing 📅 2026-11-25\n")
    assert build(runner, vault).exit_code == 0
    agenda = (vault / "_site/agenda.html").read_text()
    order = [agenda.find(f'id="{s}"') for s in ("overdue", "tomorrow", "this-week", "later")]
    assert all(i > 0 for i in order) and order == sorted(order)
    assert "Overdue thing" in agenda
    assert 'href="notes/old.html"' in agenda
    assert "Open task in Old.md, due 2026-11-25." in agenda  # the reason
    md = (vault / "_site/agenda.md").read_text()
    assert "## Overdue" in md and "[[Old|Old]]" in md


@given(
    st.lists(st.sampled_from(["notes", "a", "b", "x y", "é"]), min_size=0, max_size=3),
    st.lists(st.sampled_from(["notes", "a", "b", "x y", "é"]), min_size=0, max_size=3),
)
def test_relative_hrefs_match_posixpath(here, there):
    import posixpath

    from vaultkit.render.paths import relative

    from_page = "/".join([*here, "page.html"])
    to_page = "/".join([*there, "other.html"])
    assert relative(from_page, to_page) == posixpath.relpath(
        to_page, posixpath.dirname(from_page) or "."
    )


def test_a_remembered_body_is_rendered_again_when_a_link_goes_elsewhere():
    text = "See [[Jane Doe]] and [[Nobody]].\n"
    first = render_body(text, lambda t: "jane.html" if t == "Jane Doe" else None)
    assert render_body(text, lambda t: "jane.html" if t == "Jane Doe" else None) == first
    moved = render_body(text, lambda t: "people/jane.html" if t == "Jane Doe" else None)
    assert 'href="people/jane.html"' in moved and moved != first
    created = render_body(
        text, lambda t: {"Jane Doe": "people/jane.html", "Nobody": "nobody.html"}.get(t)
    )
    assert 'href="nobody.html"' in created


def test_one_link_reading_for_pages_feed_and_titles():
    """The page, the feed and a task's title read a wikilink alike (they once disagreed:
    `[[Globex#Team]]` was "Globex" in titles and "Globex › Team" in the feed)."""
    from vaultkit.rules.explicit import task_title
    from vaultkit.vault.links import plain

    line = "Call [[people/Jane Doe|Jane]] about [[Globex.md#Team]] and [[Initech]]"
    assert task_title(line) == plain(line) == "Call Jane about Globex › Team and Initech"
    html = render_body(line, lambda target: f"{target.lower()}.html")
    assert ">Jane</a>" in html and ">Globex › Team</a>" in html and ">Initech</a>" in html


# Markup, an attribute break-out, and template syntax: a page is built from note text, which
# must come out as text, and must never be read as a template.
PAYLOAD = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{ 7*7 }} {% raw %}'


def test_note_text_is_escaped_on_every_page_and_never_a_template(runner, tmp_path):
    p = PAYLOAD
    company = f"""\
---
name: '{p}'
stage: applied
applied: 2026-11-02
role: '{p}'
resume: '{p}'
source: '{p}'
cover_letter: '{p}'
url: 'https://example.com/?q={p}'
offer: '{p}'
tags: [fintech]
interviews:
  - {{date: 2026-11-20, kind: '{p}', with: ["[[Contact {{{{ 7*7 }}}}]]"]}}
contacts: ["[[Contact {{{{ 7*7 }}}}]]"]
---
Body: {p}

- [ ] Call about {p} 📅 2026-11-25

## Log
- 2026-11-21 Interviewed: {p} #onsite
"""
    contact = f"""\
---
name: '{p}'
company: "[[Payload]]"
relationship: '{p}'
email: 'a@example.com'
follow_up: 2026-12-01
---
Met: {p}
"""
    vault = make_vault(tmp_path / "v")
    (vault / "companies/Payload.md").write_text(company)
    (vault / "people/Contact {{ 7*7 }}.md").write_text(contact)
    (vault / "{{ 7*7 }} {% raw %} <b>.md").write_text(f"# Other\n\n{p}\n")
    result = build(runner, vault)
    assert result.exit_code == 1, result.output  # `offer` is not a date: its error is shown too
    pages = _pages(vault / "_site")
    shown = {
        "index.html",
        "agenda.html",
        "stats.html",
        "notes/companies/payload.html",
        next(n for n in pages if n.startswith("notes/people/contact")),
        next(n for n in pages if n.startswith("notes/") and "b" in n.rsplit("/", 1)[-1]),
    }
    assert shown <= set(pages), sorted(pages)
    for name, html in pages.items():
        assert "<script" not in html and "<img" not in html, name
        assert "onerror=alert(2)>" not in html, name  # no attribute was broken out of
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
    for name in shown:
        html = pages[name]
        # Shown as written, escaped; the template syntax too: evaluated, `{{ 7*7 }}` would be
        # 49, and a `{% raw %}` without its end would fail the build.
        assert "{{ 7*7 }}" in html, name
        assert "{% raw %}" in html or name.endswith(("index.html", "agenda.html")), name
        assert escaped in html or "&lt;b&gt;" in html, name
    company_page = pages["notes/companies/payload.html"]
    assert f"{escaped} {{{{ 7*7 }}}} {{% raw %}}" in company_page  # name, role, fields, body
    assert "<title>&lt;script&gt;" in company_page
    assert f"{escaped} {{{{ 7*7 }}}} {{% raw %}}" in pages["stats.html"]  # resume, source
    assert escaped in pages["index.html"] and escaped in pages["agenda.html"]


def test_templates_escape_each_value_once_and_leave_markup_alone():
    env = environment()
    page = env.from_string(
        '{% macro m(x) %}<b title="{{ x }}">{{ x }}</b>{% endmacro %}{{ x }}|{{ m(x) }}|{{ safe }}'
    )
    x = "<a href=\"x\">'&'\x1b</a>"
    out = page.render(x=x, safe=Markup("<i>ok</i>"))
    once = "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;\\x1b&lt;/a&gt;"
    assert out == f'{once}|<b title="{once}">{once}</b>|<i>ok</i>'
    assert env.autoescape is True


def test_the_templates_escape_is_html_escape_with_controls_spelled_out():
    from html import escape

    from vaultkit.render.templating import _escape
    from vaultkit.vault.problems import spelled_controls

    for code in range(0x3000):  # ASCII, C1 controls, Latin, and well past
        text = f"a{chr(code)}b"
        assert _escape(text) == escape(spelled_controls(text), quote=True), hex(code)


def test_a_jinja2_whose_compiler_ignores_escape_once_still_escapes_once(monkeypatch):
    """EscapeOnce overrides two methods of Jinja2's code generator; should a later Jinja2 not
    call them, the environment notices on its first render and escapes through autoescape."""
    from jinja2.compiler import CodeGenerator

    from vaultkit.render import templating

    monkeypatch.setattr(templating, "_generator_class", lambda: CodeGenerator)
    env = templating.environment.__wrapped__()
    page = env.from_string('<b title="{{ x }}">{{ x }}</b>{{ safe }}')
    out = page.render(x="<a href=\"x\">'&'\x1b</a>", safe=Markup("<i>ok</i>"))
    once = "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;\\x1b&lt;/a&gt;"
    assert out == f'<b title="{once}">{once}</b><i>ok</i>'
