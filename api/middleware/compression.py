"""Compressed answers: a response of 1 KiB or more goes gzip-compressed to a client that says it
accepts gzip (``Accept-Encoding``, RFC 9110 12.5.3), with ``Vary: Accept-Encoding``.

The pages are mostly repeated markup and Japanese text: an item page of ~180 KB travels as
~25 KB, which is what a phone on a slow network waits for (Lighthouse's mobile profile, see
bench/RESULTS.md). Starlette's middleware does the work; it leaves alone what is compressed
already (images, archives) and server-sent events, and compresses large bodies in a worker
thread, so the event loop is not held. Level 6 rather than 9: nearly as small, several times
less CPU for the large dumps of ``/downloads``.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware

from api.middleware.asgi import ASGIApp

MINIMUM_SIZE = 1024
LEVEL = 6


class Compression(GZipMiddleware):
    """gzip for clients that accept it, with this service's size threshold and level."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)
