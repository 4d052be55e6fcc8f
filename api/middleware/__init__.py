"""ASGI middleware, one module per concern, in the order :func:`api.main.create_app` stacks them
(outermost first): request logs and request ids, security headers, compression, the fair share
of the query workers between clients, the request body limit.

Plain ASGI rather than FastAPI dependencies: each sees every request, also those no route
answers, and none reads or buffers a body it does not need to.
"""
