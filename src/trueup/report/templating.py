"""The Jinja2 environment of the HTML report: its templates, filters, and the static files it inlines.

Autoescaping is on for every template. Values printed with ``{{ ... }}`` are escaped with the
standard library's :func:`html.escape` (``&#x27;``, ``&quot;``) rather than MarkupSafe's
(``&#39;``, ``&#34;``): the same five characters, so the same safety, spelled as the report always
spelled them. Only values that already are markup (macro output, the inlined CSS and JavaScript)
pass through as they are. Constant expressions in a template (``{{ "a'b" }}``) are escaped by
Jinja at compile time with MarkupSafe: keep literal text out of ``{{ }}``.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

PACKAGE = "trueup.report"


def escape_output(value: Any) -> Markup:
    """Escape what a template prints (markup as is); the environment's ``finalize``."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape(str(value), quote=True))


def number(value: int) -> str:
    """``12345`` as ``12,345``."""
    return f"{value:,}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 database``, ``2 databases``, ``1,234 databases``."""
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"


def category_label(category: str) -> str:
    """``reference_data`` as ``reference data``."""
    return category.replace("_", " ")


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader(PACKAGE, "templates"), autoescape=True, undefined=StrictUndefined,
                      finalize=escape_output, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(num=number, plural=plural, label=category_label)
    return env


def template(name: str) -> Template:
    return environment().get_template(name)


@cache
def inline_static(name: str, element: str) -> Markup:
    """The text of ``static/<name>``, marked safe to go verbatim into a ``<style>`` or ``<script>``
    element (it must not close that element itself)."""
    text = resources.files(PACKAGE).joinpath("static").joinpath(name).read_text(encoding="utf-8")
    if f"</{element}" in text.lower():
        raise ValueError(f"static/{name} contains </{element}: it cannot be inlined")
    return Markup(text)
