"""The Jupyter server's part of the live-latency benchmark: when each kernel message passes it.

A Jupyter server extension loaded by ``live_latency.py`` only (``--ServerApp.jpserver_extensions``
on the command line of the benchmark's own JupyterLab, with this folder on its ``PYTHONPATH``).
It stamps every message of a kernel websocket, both ways, with the wall clock (``time.time()``:
the page's ``performance.timeOrigin + performance.now()`` and the kernel's ``time.time()`` read
the same clock, so the three logs line up), one JSON line each in the file named by
``BACKPROP_SERVER_STAMPS``:

* ``["in", start, end, bytes]``: the page's message, from the websocket to the kernel's socket;
* ``["out", start, end, bytes, msg_type]``: the kernel's message, from its socket to the
  websocket (``end`` is after the websocket write).

What it adds to a message is a clock read, the type read from the message's header and a line
written: ~20 µs (a message of chapter 4's explorer takes the server 0.3-1 ms). A benchmark's
tool: nothing in the course loads it.
"""
from __future__ import annotations

import json
import os
import time

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

ENV = "BACKPROP_SERVER_STAMPS"


def _size(part) -> int:
    return part.nbytes if isinstance(part, memoryview) else len(part) if isinstance(part, (bytes, str)) \
        else len(part.bytes)


def _msg_type(parts) -> str:
    """The type in a kernel message's header (the first frame after the identities)."""
    for i, part in enumerate(parts):
        data = part if isinstance(part, bytes) else getattr(part, "bytes", None)
        if data == b"<IDS|MSG>" and i + 2 < len(parts):
            header = parts[i + 2]
            header = header if isinstance(header, bytes) else getattr(header, "bytes", bytes(header))
            try:
                return json.loads(header).get("msg_type", "?")
            except ValueError:
                return "?"
    return "?"


def _install(log) -> None:
    incoming = ZMQChannelsWebsocketConnection.handle_incoming_message
    outgoing = ZMQChannelsWebsocketConnection.handle_outgoing_message

    def handle_incoming_message(self, message):
        start = time.time()
        try:
            return incoming(self, message)
        finally:
            log.write(json.dumps(["in", start, time.time(), len(message)]) + "\n")

    def handle_outgoing_message(self, stream, message):
        start = time.time()
        try:
            return outgoing(self, stream, message)
        finally:
            log.write(json.dumps(["out", start, time.time(), sum(_size(p) for p in message),
                                  _msg_type(message)]) + "\n")

    ZMQChannelsWebsocketConnection.handle_incoming_message = handle_incoming_message
    ZMQChannelsWebsocketConnection.handle_outgoing_message = handle_outgoing_message


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    path = os.environ.get(ENV)
    if not path:
        serverapp.log.info("server_stamps: %s not set, nothing stamped", ENV)
        return
    _install(open(path, "a", buffering=1))      # one line per message, written at once
    serverapp.log.info("server_stamps: kernel websocket messages stamped in %s", path)
