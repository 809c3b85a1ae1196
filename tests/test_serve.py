"""`becoming serve` through the installed entry point: the real server answers on loopback."""

import socket
import subprocess
import time
import urllib.request

from support import BECOMING


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers(cli_env, becoming):
    becoming("workspace", "create", "Served")  # migrates the database the server will use
    port = free_port()
    server = subprocess.Popen([BECOMING, "serve", "--port", str(port)], env=cli_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, body = time.monotonic() + 60, None
        while time.monotonic() < deadline and body is None:
            if server.poll() is not None:
                raise AssertionError(f"the server stopped: {server.stderr.read()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as page:
                    body = page.read().decode()
            except OSError:
                time.sleep(0.3)
        assert body is not None and "password" in body.lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/becoming/becoming.css", timeout=5) as css:
            assert css.status == 200  # static files are served without collectstatic
    finally:
        server.terminate()
        server.wait(timeout=20)
