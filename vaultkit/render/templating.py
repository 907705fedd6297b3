"""The HTML pages' templates (`render/templates/*.html`): one Jinja2 environment with autoescape
on, built the first time a page is rendered, its templates compiled once per process.

Every page is built from note text, which is untrusted: so every `{{ value }}` is escaped
unless the value is `Markup`, and only fragments the code made safe on purpose are `Markup`
(the charts' SVG, a Markdown body rendered with raw HTML off, another template's output).
Note text is only ever a value given to a template, never template source, so `{{ 7*7 }}` in
a note is shown as written.

The escaping is `_escape` (html.escape, control characters spelled out), called once per
value: see `EscapeOnce`. Jinja2 is imported here and only here, when the first page is
rendered: the commands that render no HTML (`agenda`, `check`, `--help`) never load it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from vaultkit.vault.problems import spelled_controls

if TYPE_CHECKING:
    from jinja2 import Environment, Template


_TO_ESCAPE = re.compile(r"[&<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""What `_escape` changes: the characters html.escape escapes and those spelled_controls spells
out (vault/problems.py); text without any is shown as it is."""


def _escape(value: Any) -> Any:
    """Every `{{ value }}` of a template: `Markup` as it is; anything else as escaped text,
    with its control characters spelled out (HTML does not allow them, and an ESC copied
    from a page into a terminal would be obeyed). `html.escape`, as the pages always have
    been escaped (`&quot;`, `&#x27;` where markupsafe writes `&#34;`, `&#39;`): the pages
    stay the same bytes."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    if _TO_ESCAPE.search(text) is None:  # most values (names, dates, numbers): one scan in C
        return text
    return escape(spelled_controls(text), quote=True)


def _generator_class() -> type:
    from jinja2.compiler import CodeGenerator

    class EscapeOnce(CodeGenerator):
        """Autoescape calls `escape(environment.finalize(value))` for each `{{ value }}`:
        with `_escape` as the finalizer, that is one call instead of three (markupsafe's
        escape would wrap `_escape`'s text in a second `Markup`), which is a third of the
        time of a row of 10,000 in the site-wide pages. Where autoescape is on, this writes
        the finalizer's call alone. Should a later Jinja2 stop calling these two methods,
        `environment()` sees it on a first render and uses autoescape's own escape instead
        (slower, the same bytes)."""

        def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
            if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
                self.write("environment.finalize(")
            else:
                super()._output_child_pre(node, frame, finalize)

        def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
            if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
                self.write(")")
            else:
                super()._output_child_post(node, frame, finalize)

    return EscapeOnce


@cache
def environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    class PagesEnvironment(Environment):
        code_generator_class = _generator_class()

    settings: dict[str, Any] = {
        "loader": PackageLoader("vaultkit.render", "templates"),
        "autoescape": True,
        # A misspelt name in a template fails the build instead of rendering as nothing.
        "undefined": StrictUndefined,
        # layout.html ends with a line break, as the pages always have.
        "keep_trailing_newline": True,
        # The templates are the package's: compiled once, never checked for changes.
        "auto_reload": False,
        "cache_size": -1,
    }
    env = PagesEnvironment(finalize=_escape, **settings)
    if env.from_string("{{ v }}").render(v="<&>") == "&lt;&amp;&gt;":
        return env
    # A Jinja2 whose compiler no longer calls what EscapeOnce overrides: autoescape's own
    # escape, given text `_escape` already made Markup (escaped once, the same bytes).
    return Environment(finalize=_escaped_markup, **settings)


def _escaped_markup(value: Any) -> Markup:
    return value if isinstance(value, Markup) else Markup(_escape(value))


@cache
def template(name: str) -> Template:
    return environment().get_template(name)


def render(name: str, **values: Any) -> str:
    """A whole template rendered with `values`."""
    return template(name).render(values)


ENCODE_BATCH = 1 << 16
"""Characters encoded at a time by `encoded`."""


def encoded(texts: Iterable[str]) -> Iterator[bytes]:
    """`"".join(texts).encode()`, cut up: encoded a batch at a time as the texts come, so a
    file of tens of MB is written as it is made, never held whole as text or bytes."""
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= ENCODE_BATCH:
            yield "".join(batch).encode()
            batch.clear()
            size = 0
    yield "".join(batch).encode()


def render_chunks(name: str, **values: Any) -> Iterator[bytes]:
    """A whole template rendered with `values`, as UTF-8 chunks (`encoded`): a page of 20 MB
    (the agenda of 10,000 notes), whose rows can come from a generator, is never held as its
    rows, its text and its bytes at once."""
    return encoded(template(name).generate(values))


@cache
def macros(name: str) -> Any:
    """The macros of template `name`, as callables returning `Markup`: each row of a
    site-wide file is one call (the live engine keeps each row as a piece: render/site.py)."""
    return template(name).module
