"""The Jupyter server's side of a live explorer: kernel websockets that send each message at once.

A move of a slider in JupyterLab is a round trip: the page sends the new value, the kernel answers
with a few small messages (its "busy" status, the slider's echo) and then the new picture. Jupyter
Server writes them to the page's websocket with Nagle's algorithm on (tornado's default), so a
message written while the previous one is not yet acknowledged waits for the page's delayed ACK:
on the course machine a slider answered by a stored picture took 48-50 ms (median) from key to
new ``src`` with Nagle's algorithm and 24-25 ms without (``benchmarks/live_latency.py
--stored-frames``, README; tornado's ``WebSocketHandler.set_nodelay`` documents the delay).

This module is a Jupyter server extension, enabled by the ``jupyter_server_config.d`` file the
package installs (``jupyter-config/`` in the repository), so JupyterLab on Binder or a reader's
machine loads it: every kernel websocket gets ``TCP_NODELAY``. A server configured with its own
kernel websocket class (a gateway, say) keeps that class.
"""
from __future__ import annotations

import socket

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayKernelWebsocketConnection"]


def _nodelay(handler) -> int | None:
    """The TCP_NODELAY option of the websocket's socket (1 on, 0 off; None: no socket)."""
    stream = getattr(getattr(handler, "ws_connection", None), "stream", None)
    sock = getattr(stream, "socket", None)
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


class NoDelayKernelWebsocketConnection(ZMQChannelsWebsocketConnection):
    """Jupyter Server's kernel websocket connection with Nagle's algorithm off on the socket."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        self.log.info("Kernel %s websocket: TCP_NODELAY %s", self.kernel_id, _nodelay(self.websocket_handler))
        return super().connect()


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Use :class:`NoDelayKernelWebsocketConnection` when the server uses Jupyter Server's own."""
    settings = serverapp.web_app.settings
    current = settings.get("kernel_websocket_connection_class")
    if current is ZMQChannelsWebsocketConnection:
        settings["kernel_websocket_connection_class"] = NoDelayKernelWebsocketConnection
        serverapp.log.info("backprop_lib: kernel websockets send without Nagle's delay")
    else:
        serverapp.log.info("backprop_lib: kernel websockets left to %s", getattr(current, "__name__", current))
