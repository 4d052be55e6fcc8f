"""The HTTP routes, one module per area: SPARQL protocol, items and evaluations, statutes,
linked data (``/id/…`` and HTML pages), downloads."""
