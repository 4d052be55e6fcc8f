"""The HTTP routes, one module per area: HTTP only. A route parses the request, runs its job in a
query worker (:func:`api.deps.run`, naming the function) and writes the answer: JSON through the
response models, a page through :mod:`api.web.html`, or bytes in the negotiated format."""
