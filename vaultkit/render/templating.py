"""The HTML pages' templates (`render/templates/*.html`): one Jinja2 environment with autoescape
on, built the first time a page is rendered, its templates compiled once per process.

Every page is built from note text, which is untrusted: so every `{{ value }}` is escaped
unless the value is `Markup`, and only fragments the code made safe on purpose are `Markup`
(the charts' SVG, a Markdown body rendered with raw HTML off, another template's output).
Note text is only ever a value given to a template, never template source, so `{{ 7*7 }}` in
a note is shown as written.

Jinja2 is imported here and only here, when the first page is rendered: the commands that
render no HTML (`agenda`, `check`, `--help`) never load it.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from vaultkit.vault.problems import spelled_controls

if TYPE_CHECKING:
    from jinja2 import Environment, Template


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` on its way to autoescape: `Markup` as it is; anything else as text
    with its control characters spelled out (HTML does not allow them, and an ESC copied from
    a page into a terminal would be obeyed). Text with a quote is escaped here, the way the
    pages always have (`&quot;`, `&#x27;` where markupsafe writes `&#34;`, `&#39;`), so the
    pages stay the same bytes; any other text is left to autoescape, which escapes `&`, `<`
    and `>` exactly as `html.escape` does."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    if not text.isprintable():  # a fast scan: nearly all text has no control character
        text = spelled_controls(text)
    if '"' in text or "'" in text:
        return Markup(escape(text, quote=True))
    return text


@cache
def environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("vaultkit.render", "templates"),
        autoescape=True,
        finalize=_finalize,
        # A misspelt name in a template fails the build instead of rendering as nothing.
        undefined=StrictUndefined,
        # layout.html ends with a line break, as the pages always have.
        keep_trailing_newline=True,
        # The templates are the package's: compiled once, never checked for changes.
        auto_reload=False,
        cache_size=-1,
    )


@cache
def template(name: str) -> Template:
    return environment().get_template(name)


def render(name: str, **values: Any) -> str:
    """A whole template rendered with `values`."""
    return template(name).render(values)


@cache
def macros(name: str) -> Any:
    """The macros of template `name`, as callables returning `Markup`: each row of a
    site-wide file is one call (the live engine keeps each row as a piece: render/site.py)."""
    return template(name).module
