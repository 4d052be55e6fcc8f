"""Behind a reverse proxy under a path (issue 23): Debian's nginx forwards ``/plantrace/`` to
``plantrace serve`` told ``PLANTRACE_BASE_URL``; every page opened through it in Chromium links
and loads only URLs under the prefix, and none of them is missing (api/middleware/public_url.py).

The crawl starts at the dashboard and opens every page it links (of the ``/id/``, statute,
SPARQL and English pages a few of each: they share templates), collecting every link, form
action, script, stylesheet and image of each and every request the page made; then each of
those URLs is fetched through the proxy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from servers import Server, clean_env, free_port, serve, start, start_plantrace

PREFIX = "/plantrace"
NGINX = """daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location {prefix}/ {{
      proxy_pass http://127.0.0.1:{upstream}/;
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
    location / {{ return 404; }}
  }}
}}
"""
LINKS_JS = """() => Array.from(document.querySelectorAll(
  'a[href], a[*|href], link[href], script[src], img[src], form[action]'))
  .map(e => e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src')
            || e.getAttribute('action'))
  .filter(v => v !== null)
  .map(v => new URL(v, document.baseURI).href)"""
FEW = 2
"""Pages opened of each kind that shares a template with others (an item, an ``/id/…`` page, a
statute, a SPARQL answer, a search, an English page); every other page is opened."""


@pytest.fixture(scope="module")
def proxied(built_state: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """nginx on a free port of 127.0.0.1 in front of a plantrace server told its public URL."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("Debian's nginx is not installed (apt-get install nginx-light; .ci/run does)")
    tmp = tmp_path_factory.mktemp("proxy")
    os.chmod(tmp, 0o777)  # (nginx's workers may run as another user)
    port = free_port()
    public = f"http://127.0.0.1:{port}{PREFIX}/"
    env = clean_env(PLANTRACE_BASE_URL=public, PLANTRACE_QUERY_TIMEOUT="30")
    upstream = start_plantrace(serve("--state-dir", str(built_state)), env, tmp / "serve.log")
    config = tmp / "nginx.conf"
    config.write_text(NGINX.format(tmp=tmp, port=port, prefix=PREFIX,
                                   upstream=urlsplit(upstream.url).port))  # fmt: skip
    subprocess.run([nginx, "-t", "-q", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c",
                    str(config)], check=True)  # fmt: skip
    proxy = start([nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(config)],
                  env, tmp / "nginx.log", PREFIX + "/healthz", port=port)  # fmt: skip
    yield proxy
    proxy.stop()
    upstream.stop()


def _kind(path: str) -> str:
    """What template a page path shares with others, for :data:`FEW`."""
    inner = path[len(PREFIX) :]
    if "lang=en" in path:
        return "english"
    for kind in ("/id/", "/statutes/", "/sparql", "/items/", "/query?"):
        if inner.startswith(kind):
            return kind
    return inner


def test_every_page_links_and_loads_only_under_the_prefix(
    proxied: Server, open_page: Callable[[int], tuple[Any, Any]]
) -> None:
    """Open the dashboard, then every page it links (a few of each kind), through the proxy;
    every URL any of them links or loads is fetched once: none outside the prefix, none
    failing."""
    _, page = open_page(1280)
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    queue, opened = [proxied.url + PREFIX + "/"], []
    statuses: dict[str, tuple[int, str]] = {queue[0]: (200, "text/html")}
    kinds: Counter[str] = Counter()
    with httpx.Client(timeout=60, trust_env=False) as client:
        while queue:
            url = queue.pop(0)
            response = page.goto(url, wait_until="load")
            assert response is not None and response.status == 200, url
            opened.append(url)
            links = {link.split("#", 1)[0] for link in [*page.evaluate(LINKS_JS), *loaded]}
            loaded.clear()
            for target in sorted(links - statuses.keys()):
                if not target.startswith(proxied.url + "/"):
                    continue  # (another site: an IRI's home, the source of a statute)
                answer = client.get(target)
                kind = answer.headers.get("content-type", "").split(";")[0]
                statuses[target] = (answer.status_code, kind)
                shared = _kind(target[len(proxied.url) :])
                if kind == "text/html" and answer.status_code == 200 and kinds[shared] < FEW:
                    kinds[shared] += 1
                    queue.append(target)
    assert len(opened) > 15 and kinds["/items/"] == FEW, opened
    outside = sorted(u for u in statuses if not urlsplit(u).path.startswith(PREFIX + "/"))
    assert outside == []
    failed = sorted((u, s) for u, (s, _) in statuses.items() if s >= 400)
    assert failed == [], failed[:20]


def test_the_service_names_itself_by_its_public_url(proxied: Server) -> None:
    public = proxied.url + PREFIX
    with httpx.Client(base_url=public, timeout=60, trust_env=False) as c:
        description = c.get("/sparql", headers={"Accept": "text/turtle"}).text
        void = c.get("/downloads/void.ttl").text
        trace = c.get("/api/items/I-1").json()
        page = c.get("/items/I-1").text
        stripped = c.get("/id/jlis/item/I-1", headers={"Accept": "text/turtle"})
    assert f"<{public}/sparql>" in description
    assert f"<{public}/sparql>" in void and f"<{public}/downloads/plantrace.trig>" in void
    assert trace["item"]["href"].startswith(PREFIX + "/id/")
    assert f'data-root="{PREFIX}"' in page and 'href="/items' not in page
    assert stripped.status_code == 200 and "I-1" in stripped.text
