"""HTML pages for people, from Jinja2 templates in ``api/templates``.

Autoescaping is on for every template, so all document text (clause texts, labels, quoted
source lines) is escaped; no template marks anything ``|safe``. Data for scripts (the graphs)
goes in ``data-`` attributes, escaped like any attribute, and is read with ``JSON.parse``; the
scripts themselves are files under ``/static/pages`` (no inline script). Pages load nothing
from other hosts.

Every page gets ``lang`` (``ja`` or ``en``, :mod:`api.i18n`), ``t`` (the chrome's labels in
that language) and ``switch_url`` (this page in the other language).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api import i18n
from api.views import href, item_url, prefixed, statute_url

TEMPLATES = Path(__file__).resolve().parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["href"] = href
env.filters["prefixed"] = prefixed
env.filters["statute_url"] = lambda iri: statute_url(iri) or href(iri)
env.filters["item_url"] = item_url


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context`` (escaped), in the request's language."""
    lang = i18n.choose(request)
    other = "en" if lang == "ja" else "ja"
    text = env.get_template(template).render(
        request=request,
        lang=lang,
        t=i18n.Translator(lang),
        switch_url=i18n.switch_url(request, other),
        **context,
    )
    response = HTMLResponse(text, status_code=status, headers={"Vary": "Accept, Cookie"})
    if request.query_params.get("lang") in i18n.LANGS and request.cookies.get(i18n.COOKIE) != lang:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
