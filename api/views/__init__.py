"""Read models and views: what runs inside a query worker."""
