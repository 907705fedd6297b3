"""Live reload in a real headless Chromium (Debian's `chromium`, driven by Playwright).

Skipped where Playwright or /usr/bin/chromium is missing (the `chromium` fixture).
"""

from __future__ import annotations

from site_helpers import make_vault
from test_serve import Site


def watch_errors(page) -> list[str]:
    """The page's console errors and uncaught exceptions, as they come."""
    errors: list[str] = []
    page.set_default_timeout(10_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_page_reloads_after_an_edit_without_console_errors(tmp_path, chromium):
    site = Site(make_vault(tmp_path / "v"))
    page = chromium.new_page()
    errors = watch_errors(page)
    try:
        page.on(
            "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        base = f"http://127.0.0.1:{site.server.port}/{site.keys.site}/"  # the secret too
        page.goto(base + "index.html")
        page.click('a[href="notes/plan.html"] >> nth=0')
        page.wait_for_url(base + "notes/plan.html")
        assert "Update the resume" in page.content()
        page.wait_for_selector("html[data-vaultkit-live]", state="attached")
        (site.vault / "Plan.md").write_text("# Plan\n- [ ] Browser saw this 📅 2026-12-14\n")
        page.wait_for_selector("text=Browser saw this")
        assert page.url == base + "notes/plan.html"
    finally:
        page.close()
        site.close()
    assert not errors, errors


def test_a_failed_build_shows_a_banner(tmp_path, monkeypatch, chromium):
    from vaultkit.commands.engine import Engine

    site = Site(make_vault(tmp_path / "v"))
    page = chromium.new_page()
    try:
        page.set_default_timeout(10_000)
        page.goto(f"http://127.0.0.1:{site.server.port}/{site.keys.site}/agenda.html")
        page.wait_for_selector("html[data-vaultkit-live]", state="attached")

        def broken(self, **options):
            raise RuntimeError("vaultkit.toml is broken")

        monkeypatch.setattr(Engine, "refresh", broken)
        (site.vault / "Plan.md").write_text("# Plan\n")
        banner = page.wait_for_selector("#vaultkit-error")
        assert "vaultkit.toml is broken" in banner.text_content()
    finally:
        page.close()
        site.close()


def test_a_draft_opens_under_its_follow_up_with_a_working_mailto(tmp_path, runner, chromium):
    """The agenda page in a real browser: the folded draft opens, shows the message as text
    (markup from the notes stays text), and its mailto: link carries that exact message."""
    from urllib.parse import parse_qs, unquote, urlsplit

    from test_drafts import build_site, hostile_draft

    vault = tmp_path / "v"
    vault.mkdir()
    draft = hostile_draft(vault)
    out = build_site(runner, vault)
    dialogs: list[str] = []
    page = chromium.new_page()
    errors = watch_errors(page)
    try:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((out / "agenda.html").as_uri())
        item = page.locator(f"#f-{draft.followup}")
        text = item.locator(".draft-text")
        assert not text.is_visible()  # folded until asked for
        item.locator(".draft summary").click()
        assert text.is_visible()
        assert text.inner_text().strip() == draft.as_text().strip()
        href = item.locator("a.mailto").get_attribute("href")
        parts = urlsplit(href)
        query = parse_qs(parts.query)
        assert (parts.scheme, unquote(parts.path)) == ("mailto", "jane+jobs@globex.example")
        assert query["subject"] == [draft.subject]
        assert query["body"] == [draft.body.replace("\n", "\r\n")]
        assert "<script>" in text.inner_text()  # shown, never run
        assert page.locator("script").count() == 0
    finally:
        page.close()
    assert not dialogs and not errors, (dialogs, errors)
