"""HTML pages for people, from Jinja2 templates in ``api/web/templates``.

Autoescaping is on for every template, so all document text (clause texts, labels, quoted
source lines) is escaped; no template marks anything ``|safe``. Data for scripts (the graphs)
goes in ``data-`` attributes, escaped like any attribute, and is read with ``JSON.parse``; the
scripts themselves are files under ``/static/pages`` (no inline script). Pages load nothing
from other hosts.

Every page gets ``lang`` (``ja`` or ``en``, :mod:`api.i18n`), ``t`` (the chrome's labels in
that language), ``switch_url`` (this page in the other language, ``other_lang``), ``of_body``
(``?body=…`` of a page shown for one public body, for the links that keep it), ``data_lang``
(the attribute ``lang="ja"`` on an English page, empty on a Japanese one: templates put it on
every element holding text read from the documents, WCAG 2.1 SC 3.1.2) and ``asset`` (the
versioned address of a static file, :func:`api.web.assets.asset_url`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.views.links import href, item_url, prefixed, statute_link
from api.web import i18n
from api.web.assets import asset_url

TEMPLATES = Path(__file__).resolve().parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["href"] = href
env.filters["prefixed"] = prefixed
env.filters["statute_url"] = statute_link
env.filters["item_url"] = item_url
env.globals["asset"] = asset_url


def _of_body(request: Request, status: int) -> str:
    """``?body=…`` of a page shown for one body (empty otherwise): the navigation and the
    links between pages keep it, so a reader stays with the body they chose. Not on an error
    page: an unknown body would follow the reader from page to page."""
    body = request.query_params.get("body") if status == 200 else None
    return f"?body={quote(body, safe='')}" if body else ""


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context`` (escaped), in the request's language."""
    lang = i18n.choose(request)
    other = "en" if lang == "ja" else "ja"
    text = env.get_template(template).render(
        request=request,
        lang=lang,
        t=i18n.Translator(lang),
        switch_url=i18n.switch_url(request, other),
        other_lang=other,
        data_lang=Markup("") if lang == i18n.DATA_LANG else Markup(f' lang="{i18n.DATA_LANG}"'),
        of_body=_of_body(request, status),
        **context,
    )
    response = HTMLResponse(text, status_code=status, headers={"Vary": "Accept, Cookie"})
    if request.query_params.get("lang") in i18n.LANGS and request.cookies.get(i18n.COOKIE) != lang:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
