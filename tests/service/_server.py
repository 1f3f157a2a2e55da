"""A uvicorn server on a free loopback port, run in a daemon thread (test helper)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

__all__ = ["LoopbackServer"]

#: Seconds to wait for the server to start; reached only on failure.
PATIENCE = 60.0


class LoopbackServer:
    """Serve ``app`` on 127.0.0.1 while the ``with`` block runs; ``.url`` is its address."""

    def __init__(self, app) -> None:
        self.app = app
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        deadline = time.monotonic() + PATIENCE
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the uvicorn server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.should_exit = True
        self._thread.join(PATIENCE)
        self._socket.close()
