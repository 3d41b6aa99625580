"""The Jupyter server's part of the live-latency benchmark: when each kernel message passes it.

A Jupyter server extension loaded by ``live_latency.py`` only (``--ServerApp.jpserver_extensions``
on the command line of the benchmark's own JupyterLab, with this folder on its ``PYTHONPATH``).
It stamps every message of a kernel websocket, both ways, with the wall clock (``time.time()``,
as the kernel's stamps; the benchmark puts the page's on it), one JSON line each in the file
named by ``BACKPROP_SERVER_STAMPS``:

* ``["in", start, end, bytes]``: the page's message, from the websocket to the kernel's socket;
* ``["out", start, end, bytes, msg_type]``: the kernel's message, from its socket to the
  websocket (``end`` is after the websocket write).

What it adds to a message is a clock read, the type read from the message's header and a line
written: ~20 µs (a message of chapter 4's explorer takes the server 0.3-1 ms). A benchmark's
tool: nothing in the course loads it.
"""
from __future__ import annotations

import atexit
import json
import os
import time

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

ENV = "BACKPROP_SERVER_STAMPS"


def _bytes(part) -> bytes:
    """A message frame's bytes (pyzmq hands the server bytes or ``zmq.Frame``s)."""
    if isinstance(part, bytes):
        return part
    data = getattr(part, "bytes", None)
    return data if isinstance(data, bytes) else bytes(part)


def _size(part) -> int:
    return len(part) if isinstance(part, (bytes, str)) else len(_bytes(part))


def _msg_type(parts) -> str:
    """The type in a kernel message's header (the second frame after the ``<IDS|MSG>``
    delimiter, which the HMAC signature follows), "?" when there is none."""
    for i, part in enumerate(parts):
        if _bytes(part) == b"<IDS|MSG>" and i + 2 < len(parts):
            try:
                return str(json.loads(_bytes(parts[i + 2])).get("msg_type", "?"))
            except (ValueError, AttributeError):
                return "?"
    return "?"


def _stamp(log, fields: list) -> None:
    """Write one line; a stamp that cannot be written is lost, never the message."""
    try:
        log.write(json.dumps(fields) + "\n")
    except (TypeError, ValueError, OSError):
        pass


def _install(log) -> None:
    incoming = ZMQChannelsWebsocketConnection.handle_incoming_message
    outgoing = ZMQChannelsWebsocketConnection.handle_outgoing_message

    def handle_incoming_message(self, message):
        start = time.time()
        try:
            return incoming(self, message)
        finally:
            _stamp(log, ["in", start, time.time(), _size(message)])

    def handle_outgoing_message(self, stream, message):
        start = time.time()
        try:
            return outgoing(self, stream, message)
        finally:
            try:
                fields = ["out", start, time.time(), sum(_size(p) for p in message), _msg_type(message)]
            except TypeError:
                fields = ["out", start, time.time(), 0, "?"]
            _stamp(log, fields)

    ZMQChannelsWebsocketConnection.handle_incoming_message = handle_incoming_message
    ZMQChannelsWebsocketConnection.handle_outgoing_message = handle_outgoing_message


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    path = os.environ.get(ENV)
    if not path:
        serverapp.log.info("server_stamps: %s not set, nothing stamped", ENV)
        return
    log = open(path, "a", buffering=1)          # one line per message, written at once
    atexit.register(log.close)
    _install(log)
    serverapp.log.info("server_stamps: kernel websocket messages stamped in %s", path)
