"""What people see: the page templates, their static files, rendering and the chrome's two
languages. Runs in the server process (the event loop), on data a query worker computed."""
