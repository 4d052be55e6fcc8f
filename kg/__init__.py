"""plantrace: a knowledge graph from statute articles to the grades of a public body's plans.

Data flows one way (docs/architecture.md, "Data flow")::

    data/sources → kg.ingest (typed records with source spans) → kg.rdf (triples, one named
    graph per document) → kg.store (pyoxigraph) → queries, validation, views, API
"""

__version__ = "0.1.0"
