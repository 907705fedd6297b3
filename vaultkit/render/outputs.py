"""Every output file of the site, from the renderers in turn."""

from __future__ import annotations

from vaultkit.render import html, ics, json, markdown_pages, pages, stats_page
from vaultkit.render.site import SiteData, draft_texts, stylesheet


def render_site(data: SiteData) -> dict[str, bytes]:
    files: dict[str, bytes] = {"style.css": stylesheet()}
    files.update(html.render_index(data))
    files.update(pages.render_agenda(data))
    files.update(pages.render_note_pages(data))
    files.update(markdown_pages.render(data))
    files.update(stats_page.render_stats_page(data))
    files.update(
        ics.render(
            data.vault,
            data.followups,
            data.pages,
            data.feed or ics.FeedInputs(data.today),
            draft_texts(data.drafts),
        )
    )
    files.update(json.render(data))
    return files
