"""The funnel: how many companies reached each active stage, as inline SVG (no script, no
network). Colours come from the page's stylesheet, so it follows light and dark mode."""

from __future__ import annotations

from html import escape

from vaultkit.vault.model import Vault
from vaultkit.views.stats import reached

BAR_HEIGHT = 26
GAP = 8
WIDTH = 640
LABEL_WIDTH = 120


def funnel_counts(vault: Vault) -> list[tuple[str, int]]:
    order = [s for s, active in vault.config.stages.items() if active]
    counts = [0] * len(order)
    for company in vault.records("company"):
        for i in range(reached(vault, company, order) + 1):
            counts[i] += 1
    return list(zip(order, counts, strict=True))


def funnel_svg(vault: Vault) -> str:
    rows = funnel_counts(vault)
    top = max((n for _, n in rows), default=0) or 1
    height = len(rows) * (BAR_HEIGHT + GAP)
    room = WIDTH - LABEL_WIDTH - 48
    parts = []
    for i, (stage, n) in enumerate(rows):
        y = i * (BAR_HEIGHT + GAP)
        w = round(room * n / top) if n else 0
        x = LABEL_WIDTH + (room - w) // 2
        parts.append(
            f"<g><title>{escape(stage)}: {n}</title>"
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT // 2 + 5}" '
            f'text-anchor="end">{escape(stage)}</text>'
            f'<rect class="bar" x="{x}" y="{y}" width="{max(w, 2)}" height="{BAR_HEIGHT}" '
            f'rx="4"/>'
            f'<text class="value" x="{LABEL_WIDTH + room + 8}" y="{y + BAR_HEIGHT // 2 + 5}">'
            f"{n}</text></g>"
        )
    summary = ", ".join(f"{stage} {n}" for stage, n in rows)
    return (
        f'<figure class="funnel"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {max(height, 1)}" aria-label="Funnel: {escape(summary)}">'
        + "".join(parts)
        + "</svg><figcaption>Companies that reached each stage "
        "(closed ones count as far as their notes show).</figcaption></figure>"
    )
