"""The process boundary: the pool of query worker processes and what runs on each side of it.

Server side (the event loop): :mod:`~api.workers.pool` hands jobs to workers under a time limit,
:mod:`~api.workers.backend` decides what they open, :mod:`~api.workers.validation_runner` runs
validation in a worker of its own. Worker side: :mod:`~api.workers.worker` (the process: opens
the store, runs jobs), :mod:`~api.workers.engine_jobs` (the jobs that need the store itself) and
:mod:`~api.workers.guard` (checks of untrusted SPARQL). :mod:`~api.workers.http_errors` is the one
table from an error to the HTTP status a client gets, used on both sides.
"""
