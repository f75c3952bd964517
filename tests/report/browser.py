"""Headless Chromium driven over the DevTools protocol: load a page, read its text, console, screenshot, PDF.

One browser process serves a whole test session (``Browser``); each ``render`` opens the
page in a fresh tab with network access to other hosts cut (``--host-resolver-rules``), so a
page that needs a CDN or a remote font fails to load it, and the failed load is logged.
What is collected: console calls (any level), uncaught exceptions, and the browser's own
log entries (failed resource loads, security errors). Uses ``websocket-client`` (test extra).
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field

import numpy as np


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Rendered:
    text: str                       # document.body.innerText
    html: str                       # the DOM after load
    console: list = field(default_factory=list)   # (source, level, text)
    png: bytes = b""
    pdf_pages: int = 0

    def errors(self):
        return [entry for entry in self.console if entry[1] in ("error", "warning", "assert") or entry[0] == "exception"]

    def ink(self):
        """Fraction of screenshot pixels that are not (near) white."""
        import io

        from PIL import Image

        image = np.asarray(Image.open(io.BytesIO(self.png)).convert("L"), dtype=np.float64)
        return float(np.mean(image < 235))


class Browser:
    def __init__(self):
        import websocket  # websocket-client, test extra

        self._websocket = websocket
        self.profile = tempfile.mkdtemp(prefix="gw-chromium-")
        self.process = subprocess.Popen(
            [chromium_path(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("headless Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        self.port = int(open(port_file).read().split("\n")[0])

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _http(self, path, method="GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body.startswith((b"{", b"[")) else body

    def render(self, url, width=1200, height=1800, pdf=False, timeout=60):
        if os.path.exists(url):
            url = "file://" + os.path.abspath(url)
        target = self._http("/json/new?about:blank", method="PUT")
        socket = self._websocket.create_connection(target["webSocketDebuggerUrl"], timeout=timeout,
                                                   suppress_origin=True)
        try:
            return _Session(socket, timeout).render(url, width, height, pdf)
        finally:
            socket.close()
            self._http(f"/json/close/{target['id']}")


class _Session:
    def __init__(self, socket, timeout):
        self.socket, self.timeout, self.next_id, self.events = socket, timeout, 0, []

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)
        raise TimeoutError(method)

    def wait_for(self, event):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if any(message.get("method") == event for message in self.events):
                return
            self.events.append(json.loads(self.socket.recv()))
        raise TimeoutError(event)

    def render(self, url, width, height, pdf):
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        text = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''",
                         returnByValue=True)["result"].get("value", "")
        html = self.call("Runtime.evaluate", expression="document.documentElement.outerHTML",
                         returnByValue=True)["result"].get("value", "")
        png = base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])
        pages = 0
        if pdf:  # A4 portrait, in inches
            data = base64.b64decode(self.call("Page.printToPDF", paperWidth=8.27, paperHeight=11.69,
                                              preferCSSPageSize=True)["data"])
            pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages") if b"/Type /Page" in data else \
                data.count(b"/Type/Page") - data.count(b"/Type/Pages")
        return Rendered(text, html, _console(self.events), png, pages)


def _console(events):
    entries = []
    for message in events:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            entries.append(("console", params.get("type"), text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            entries.append(("exception", "error", details.get("exception", {}).get("description") or details.get("text")))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            entries.append(("log", entry.get("level"), f"{entry.get('text')} {entry.get('url', '')}".strip()))
    return entries
