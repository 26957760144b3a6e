"""The HTTP server of `mou serve`: waitress, with its own error pages (a body over the limit, a malformed request)
carrying the same security headers as the app's pages, and a body limit that admits the signed copy (30 MB) — the
app then holds every other route to 1 MB."""

from __future__ import annotations

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from pipeline.web.review import MAX_SIGNED_COPY

HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
MAX_REQUEST = MAX_SIGNED_COPY + 1_000_000  # the signed copy and its form; every other route: the app's 1 MB


class _ErrorTask(ErrorTask):
    def execute(self):
        self.response_headers.extend(HEADERS)
        super().execute()


class _Channel(HTTPChannel):
    error_task_class = _ErrorTask


def make_server(app, host: str, port: int, threads: int = 8):
    """The server, listening, not yet serving: `run()` serves until `close()`."""
    server = create_server(app, host=host, port=port, threads=threads, max_request_body_size=MAX_REQUEST, ident="mou")
    server.channel_class = _Channel
    return server


def serve(app, host: str, port: int, threads: int = 8) -> None:
    make_server(app, host, port, threads).run()
