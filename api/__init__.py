"""The HTTP service: SPARQL 1.1 Protocol, JSON API, HTML pages, IRI dereferencing, downloads.

Folders by role, each importing only from the ones below it (docs/architecture.md; a test
checks it): :mod:`api.jobs` (the job registry) < :mod:`api.views` (read models and views: what
runs inside a query worker) < :mod:`api.workers` (the process boundary) < :mod:`api.web`
(templates and rendering) < :mod:`api.routes` (HTTP) < :mod:`api.main` and :mod:`api.server`.
"""
