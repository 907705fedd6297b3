"""Obsidian's wikilinks, read one way everywhere: link extraction (`parse.find_links`), the
Markdown renderer (`render/markdown.py`) and the plain text of titles and log lines."""

from __future__ import annotations

import re

WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
"""`[[Name#Heading|shown]]`, or `![[embed]]`: group 1 is the `!`, group 2 what is inside."""


def split_wikilink(inner: str) -> tuple[str, str, str]:
    """`folder/Name#Heading|shown` -> (`folder/Name`, `Heading`, `shown`); the shown text
    defaults to the name (and heading: `Name › Heading`). A `.md` suffix is dropped."""
    target, _, shown = inner.partition("|")
    target, _, heading = target.partition("#")
    target = target.strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    heading = heading.strip()
    name = target.rsplit("/", 1)[-1]
    label = shown.strip() or (f"{name} › {heading}" if name and heading else name or heading)
    return target, heading, label


def link_target(inner: str) -> str:
    """`Name#Heading|shown` -> `Name` (the note or file the link names)."""
    return split_wikilink(inner)[0]


def plain(text: str) -> str:
    """`Call [[Jane Doe|Jane]] about [[Globex#Team]]` -> `Call Jane about Globex › Team`:
    every wikilink as the words Obsidian shows for it."""
    return WIKILINK.sub(lambda m: split_wikilink(m.group(2))[2], text)
