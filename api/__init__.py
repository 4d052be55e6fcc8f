"""The HTTP service (SPARQL protocol, JSON API, HTML views, IRI dereferencing).

Not built yet: it comes in a later issue. It will read the store :mod:`kg.store` builds, opening
the on-disk store read-only (see ``../shared/DESIGN.md``, "Interfaces").
"""
