"""HTML pages for people, from Jinja2 templates in ``api/templates``.

Autoescaping is on for every template, so all document text (clause texts, labels, quoted
source lines) is escaped; no template marks anything ``|safe``. Pages load nothing from other
hosts: the small stylesheet is inline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.views import href, prefixed

TEMPLATES = Path(__file__).resolve().parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["href"] = href
env.filters["prefixed"] = prefixed


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context`` (escaped)."""
    text = env.get_template(template).render(request=request, **context)
    return HTMLResponse(text, status_code=status, headers={"Vary": "Accept"})
