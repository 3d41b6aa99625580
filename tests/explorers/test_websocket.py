"""The course's Jupyter server extension: kernel websockets with TCP_NODELAY (Nagle's algorithm off).

The end-to-end check, a real JupyterLab whose log reports the option read back from the chapter's
kernel websocket, is in tests/book/test_jupyterlab_e2e.py; here the pieces, without a server.
"""
from __future__ import annotations

import json
import socket
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

from backprop_lib.explorers import websocket

ROOT = Path(__file__).resolve().parents[2]


def server_app(connection_class):
    return SimpleNamespace(web_app=SimpleNamespace(settings={"kernel_websocket_connection_class": connection_class}),
                           log=mock.Mock())


def test_the_extension_replaces_jupyter_servers_own_connection_class():
    app = server_app(ZMQChannelsWebsocketConnection)
    websocket._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is websocket.NoDelayKernelWebsocketConnection
    assert issubclass(websocket.NoDelayKernelWebsocketConnection, ZMQChannelsWebsocketConnection)


def test_the_extension_leaves_a_configured_connection_class_alone():
    class Gateway(ZMQChannelsWebsocketConnection):
        pass

    app = server_app(Gateway)
    websocket._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is Gateway


def test_connect_sets_nodelay_before_jupyter_servers_connect():
    calls = []
    handler = mock.Mock(spec=KernelWebsocketHandler)
    handler.set_nodelay.side_effect = lambda value: calls.append(("set_nodelay", value))
    connection = websocket.NoDelayKernelWebsocketConnection.__new__(websocket.NoDelayKernelWebsocketConnection)
    with mock.patch.object(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append("connect") or "f"), \
            mock.patch.object(websocket.NoDelayKernelWebsocketConnection, "websocket_handler", handler), \
            mock.patch.object(websocket.NoDelayKernelWebsocketConnection, "kernel_id", "k"), \
            mock.patch.object(websocket.NoDelayKernelWebsocketConnection, "log", mock.Mock()):
        assert connection.connect() == "f"
    assert calls == [("set_nodelay", True), "connect"]


def test_nodelay_reads_the_option_of_the_real_socket():
    with socket.create_server(("127.0.0.1", 0)) as server, \
            socket.create_connection(server.getsockname()) as client:
        handler = SimpleNamespace(ws_connection=SimpleNamespace(stream=SimpleNamespace(socket=client)))
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
        assert websocket._nodelay(handler) == 0
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert websocket._nodelay(handler) == 1
    assert websocket._nodelay(SimpleNamespace(ws_connection=None)) is None


def test_the_installed_config_enables_this_module_as_an_extension():
    config = json.loads((ROOT / "jupyter-config" / "jupyter_server_config.d" / "backprop_lib.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {websocket.__name__: True}}}
    assert websocket._jupyter_server_extension_points() == [{"module": websocket.__name__}]
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    assert "./jupyter-config" in requirements       # a regular install: an editable one skips data files
