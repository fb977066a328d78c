"""The requests a driver makes through Playwright's HTTP client rather than the browser (replays, a
probe page without a page): each goes on a connection of its own, so that a server closing an idle
kept-alive connection as the request arrives (gunicorn closes them after 2 s) does not turn into an
error on a correct site. The stand-in server here does that every time, where a real one does it
when the timing falls that way (18 in 1,200 requests 2 s apart on gunicorn: the CI flake of
2026-12-05, 'APIRequestContext.get: read ECONNRESET')."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from types import MappingProxyType, SimpleNamespace

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from conformance.observe import browsers
from conformance.drivers.blackbox import BlackBoxDriver
from conformance.drivers.probe import ProbeDriver
from conformance.exchange import Observation
from conformance.targets.target import BLACK_BOX, PROBE, Target

BODY = json.dumps({"action": "read", "accepted": True}).encode()


class ClosingServer:
    """HTTP/1.1 on loopback that keeps a connection alive after answering, and resets it (closes
    it with RST) when a second request arrives on it: a keep-alive timer firing as it comes."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[tuple[int, dict]] = []  # (connection number, headers)
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn, self.connections), daemon=True).start()

    def _answer(self, conn: socket.socket, number: int) -> None:
        answered, data = 0, b""
        while True:
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    conn.close()
                    return
                data += chunk
            head, data = data.split(b"\r\n\r\n", 1)
            if answered:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                return
            headers = {k.strip().lower(): v.strip() for k, _, v in
                       (line.partition(":") for line in head.decode().split("\r\n")[1:])}
            self.requests.append((number, headers))
            closing = headers.get("connection", "").lower() == "close"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Connection: " + (b"close" if closing else b"keep-alive") +
                         b"\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
            answered += 1
            if closing:
                conn.close()
                return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server():
    s = ClosingServer()
    yield s
    s.close()


def _in_chromium(body):
    async def run():
        spec = browsers.resolve("chromium", browsers.playwright_paths().get("chromium"))
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**spec.launch_args)
            try:
                return await body(pw, await browser.new_context())
            finally:
                await browser.close()
    return asyncio.run(run())


def test_playwrights_client_reuses_a_connection_and_does_not_send_again_when_it_breaks(server):
    # Why the drivers ask for a connection each: were this ever to pass, the hazard would be gone.
    async def body(pw, context):
        await context.request.get(f"http://127.0.0.1:{server.port}/one")
        with pytest.raises(PlaywrightError, match="ECONNRESET"):
            await context.request.get(f"http://127.0.0.1:{server.port}/two")
    _in_chromium(body)


def _target(mode: str, port: int) -> Target:
    site = SimpleNamespace(signed_in_url=f"http://127.0.0.1:{port}/account/",
                           public_urls=[f"http://127.0.0.1:{port}/"], signed_in=lambda body: True)
    return Target("p", mode, f"http://127.0.0.1:{port}/", "token" if mode == PROBE else "", {}, "5.2",
                  lacks=MappingProxyType({}), blackbox=site if mode == BLACK_BOX else None)


@pytest.mark.parametrize("driver", [ProbeDriver, BlackBoxDriver])
def test_replays_each_go_on_a_connection_of_their_own(server, driver):
    target = _target(PROBE if driver is ProbeDriver else BLACK_BOX, server.port)

    async def body(pw, context):
        d = driver(target, Observation("s", "p", "chromium", {}, ()), context)
        return [await d.replay(f"replay-{i}", "value") for i in range(3)]
    replays = _in_chromium(body)
    assert [r.status for r in replays] == [200, 200, 200]
    assert [n for n, _ in server.requests] == [1, 2, 3]
    assert {h["connection"].lower() for _, h in server.requests} == {"close"}
    assert all("sessionid=value" in h["cookie"] for _, h in server.requests)


def test_a_probe_page_without_a_browser_page_goes_on_a_connection_of_its_own(server):
    async def body(pw, context):
        d = ProbeDriver(_target(PROBE, server.port), Observation("s", "p", "chromium", {}, ()), context)
        return [await d.page(f"page-{i}", "welcome") for i in range(2)]
    assert [p.status for p in _in_chromium(body)] == [200, 200]
    assert [n for n, _ in server.requests] == [1, 2]
