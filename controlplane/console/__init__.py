"""The web console: server-rendered pages under /ui on the control plane's HTTP port.

Pages are jinja2 templates (`templates/`), made live with htmx (polling fragments every few
seconds, server-sent events for logs and the event stream); htmx and its SSE extension are
vendored in `static/` at pinned versions, so nothing is built or fetched at run time.
`session` holds the pure cookie and CSRF logic, `views` the pure shaping of what pages show,
`web` the aiohttp handlers, which call the API through the same chain as gRPC and ECS JSON.
"""

from controlplane.console.web import Console

__all__ = ["Console"]
