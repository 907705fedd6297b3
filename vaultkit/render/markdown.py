"""Note bodies to HTML: one configured MarkdownIt (raw HTML off, tables and strikethrough on)
plus Obsidian's wikilinks `[[X]]`, `[[X|shown]]`, `[[X#Heading]]` and `![[X]]`.

Links are resolved by a function the caller passes in `env["resolve"]`: target -> href or
None. A target that resolves to nothing renders as plain text with the class `missing`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping, Sequence
from html import escape
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup

from vaultkit.render.paths import slugify
from vaultkit.vault.links import WIKILINK, split_wikilink
from vaultkit.vault.problems import spelled_controls

Resolver = Callable[[str], str | None]
"""A link target (`Jane Doe`, `people/Jane Doe`, `Globex.md`) -> an href, or None if missing."""

_TASK_BOX = re.compile(r"^\[([ xX-])\]\s+")


def link_href(resolve: Resolver, target: str, heading: str) -> str | None:
    if not target:  # [[#Heading]]: a heading in this very note
        return f"#{slugify(heading)}" if heading else None
    href = resolve(target)
    if href is None:
        return None
    return f"{href}#{slugify(heading)}" if heading else href


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    m = WIKILINK.match(state.src, start)
    if not m:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {"inner": m.group(2), "embed": bool(m.group(1))}
        token.content = m.group(0)
    state.pos = m.end()
    return True


def _render_wikilink(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: MutableMapping[str, Any],
) -> str:
    target, heading, label = split_wikilink(tokens[idx].meta["inner"])
    href = link_href(env.get("resolve") or (lambda _t: None), target, heading)
    if href is None:
        return f'<span class="missing" title="no such note">{escape(label)}</span>'
    return f'<a class="wikilink" href="{escape(href)}">{escape(label)}</a>'


def _core_rule(state: StateCore) -> None:
    """Ids on headings (for `[[X#Heading]]`), `.md` links to note pages, task checkboxes."""
    seen: dict[str, int] = {}
    resolve: Resolver = state.env.get("resolve") or (lambda _t: None)
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            slug = slugify(tokens[i + 1].content) or "section"
            count = seen[slug] = seen.get(slug, 0) + 1
            token.attrSet("id", slug if count == 1 else f"{slug}-{count}")
        if (
            token.type == "inline"
            and i >= 2
            and tokens[i - 2].type == "list_item_open"
            and token.children
            and token.children[0].type == "text"
        ):
            first = token.children[0]
            if m := _TASK_BOX.match(first.content):
                first.content = ("☐ " if m.group(1) == " " else "☑ ") + first.content[m.end() :]
                tokens[i - 2].attrSet("class", "task")
        if token.children:
            token.children = _safe_links(token.children, resolve)


_WEB = re.compile(r"(?i)(?:https?://[^/\\]|mailto:)")


def _safe_links(children: list[Token], resolve: Resolver) -> list[Token]:
    """Links to note pages (`X.md`), `http(s)`, `mailto:` and `#headings` stay links; any other
    (`smb:`, `tel:`, `//host`, `file.pdf`) is its text. An image is never fetched: it becomes a
    link to its address (http(s) only) showing its description."""
    out: list[Token] = []
    dropped: list[bool] = []  # for each open link: was it turned into text?
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if (
                "://" not in href
                and ":" not in href.split("/")[0]
                and (href.split("#")[0].lower().endswith(".md"))
            ):
                page, _, heading = href.partition("#")
                href = link_href(resolve, unquote(page), unquote(heading)) or "#missing"
                child.attrSet("href", href)
            keep = href == "#missing" or _allowed(href) or _is_page(href)
            dropped.append(not keep)
            if keep:
                out.append(child)
        elif child.type == "link_close":
            if not (dropped and dropped.pop()):
                out.append(child)
        elif child.type == "image":
            src = str(child.attrGet("src") or "")
            alt = child.content or src
            text = Token("text", "", 0, content=f"🖼 {alt}")
            if _WEB.match(src) and not src.lower().startswith("mailto:"):
                opened = Token("link_open", "a", 1, attrs={"href": src, "class": "image"})
                out += [opened, text, Token("link_close", "a", -1)]
            else:
                out.append(text)
        else:
            out.append(child)
    return out


def _allowed(href: str) -> bool:
    return bool(_WEB.match(href)) or href.startswith("#")


def _is_page(href: str) -> bool:
    """An href the resolver gave: a relative path to a page of the site."""
    return (
        href.split("#")[0].endswith(".html")
        and ":" not in href.split("/")[0]
        and (not href.startswith("//"))
    )


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    md.core.ruler.push("vaultkit", _core_rule)
    return md


MARKDOWN = make_markdown()


def render_body(text: str, resolve: Resolver) -> Markup:
    """A note's Markdown body as safe HTML: `Markup`, which a template shows as it is (raw HTML
    is off, so markdown-it escapes every character of the note's own)."""
    return Markup(MARKDOWN.render(spelled_controls(text), {"resolve": resolve}))


def render_inline(text: str, resolve: Resolver) -> Markup:
    """One line such as a follow-up's reason (`… with [[Jane Doe]] …`), wikilinks as links,
    everything else escaped: `Markup`, which a template shows as it is."""
    text = spelled_controls(text)
    out, last = [], 0
    for m in WIKILINK.finditer(text):
        out.append(escape(text[last : m.start()]))
        target, heading, label = split_wikilink(m.group(2))
        href = link_href(resolve, target, heading)
        out.append(
            f'<a class="wikilink" href="{escape(href)}">{escape(label)}</a>'
            if href
            else f'<span class="missing">{escape(label)}</span>'
        )
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("".join(out))
