"""The HTTP service: SPARQL 1.1 Protocol, JSON API, HTML views, IRI dereferencing, downloads.

:func:`api.main.create_app` builds the FastAPI application; ``plantrace serve`` runs it. Queries
run in worker processes (:mod:`api.pool`, :mod:`api.worker`) that open the store read-only, so
a query can be stopped at its time limit; routes (:mod:`api.routes`) only parse requests, wait
for workers and write answers.
"""
