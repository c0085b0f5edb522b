"""A threaded WSGI server for the emulator that can drop a connection without answering
(the "dropped connection" fault) and does not log each request to stderr."""

from __future__ import annotations

import contextlib
import socket
from socketserver import ThreadingMixIn
from typing import IO, Any, cast
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from jobsync.emulator.app import EmulatorApp


class DroppingHandler(ServerHandler):
    environ: dict[str, Any]  # set by ServerHandler.run
    request_handler: WSGIRequestHandler  # set by QuietRequestHandler.handle, as wsgiref's handle does

    def finish_response(self) -> None:
        if self.environ.get("jobsync.drop"):
            self.close()  # write nothing: the client sees the connection close
            return
        super().finish_response()

    def log_exception(self, exc_info: Any) -> None:  # noqa: ARG002  overrides ServerHandler's
        return None  # client went away mid-answer; nothing to report


class QuietRequestHandler(WSGIRequestHandler):
    server: WSGIServer  # typeshed says BaseServer; a WSGIServer (with get_app) creates this handler

    def log_message(self, format: str, *args: Any) -> None:  # noqa: ARG002  overrides BaseHTTPRequestHandler's
        return None

    def handle(self) -> None:
        """WSGIRequestHandler.handle, with DroppingHandler and a hard close on drop."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536 or not self.parse_request():
            return
        environ = self.get_environ()
        handler = DroppingHandler(self.rfile, cast(IO[bytes], self.wfile), self.get_stderr(), environ, multithread=True)
        handler.request_handler = self
        app = self.server.get_app()
        assert app is not None, "the emulator's server always has its app set"
        handler.run(app)
        if environ.get("jobsync.drop"):
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> ThreadingWSGIServer:
    server = ThreadingWSGIServer((host, port), QuietRequestHandler)
    server.set_app(app)
    return server
