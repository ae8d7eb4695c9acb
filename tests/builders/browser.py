"""Headless Chromium driven over the DevTools protocol, for the report's browser tests.

The protocol runs on ``--remote-debugging-pipe`` (file descriptors 3 and 4, NUL-separated JSON):
standard library only, no driver package::

    browser = Browser(tmp_path / "profile", width=1280)
    try:
        browser.open(report.as_uri())
        overflow = browser.js("document.documentElement.scrollWidth")
        browser.screenshot(tmp_path / "table.png", "#variants")
    finally:
        browser.close()
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

VARIANT_TABLE_LAYOUT_JS = """(() => {
  const d = document.documentElement, wrap = document.querySelector('.table-wrap');
  const rows = Array.from(document.querySelectorAll('#variants > tbody > tr'));
  const cells = rows.map(r => Array.from(r.cells).slice(0, 10).map(c => {
    const b = c.getBoundingClientRect(); return [Math.round(b.left), Math.round(b.right)]; }));
  const visible = sel => Array.from(document.querySelectorAll(sel)).filter(e => {
    const b = e.getBoundingClientRect(); return b.width > 0 && b.right <= innerWidth; }).length;
  return {doc: [d.scrollWidth, d.clientWidth], wrap: [wrap.scrollWidth, wrap.clientWidth],
          width: innerWidth, cells: cells, stars: visible('#variants .stars'),
          crit: visible('#variants .crit'), members: visible('#variants .member .gq'),
          expl: Math.min(...rows.map(r => r.querySelector('td.expl').getBoundingClientRect()
            .width))};
})()"""
"""What of the report's variant table is on screen: the page's and the table's scroll and client
widths, each row's first ten cells' left and right edges, and how many review stars, ACMG
criteria and member GQ cells lie within the window; the narrowest explanation cell's width."""


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe."""

    def __init__(self, profile: Path, width: int = 1400, height: int = 1000) -> None:
        """Start Chromium with a fresh profile; pages open at ``width`` × ``height`` CSS px."""
        chromium = shutil.which("chromium")
        if chromium is None:
            pytest.fail("chromium is not installed: run scripts/install.sh --with-browser")
        self.width, self.height = width, height
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # runs in the child: the protocol expects fds 3 (in) and 4 (out)
            os.dup2(to_chrome_r, 100)
            os.dup2(from_chrome_w, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        self.proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"],
            preexec_fn=wire,
            close_fds=False,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self.session: str | None = None

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 65536)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command (to the attached page when there is one) and wait for its result."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                  deviceScaleFactor=1, mobile=False)  # fmt: skip
        self.call("Page.enable")
        self.call("Page.navigate", url=url)
        for _ in range(200):
            if self.js("document.readyState") == "complete":
                return
            subprocess.run(["sleep", "0.05"], check=True)
        raise RuntimeError(f"{url} did not finish loading")

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (press + release) at the centre of the element."""
        box = self.js(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)  # fmt: skip

    def screenshot(self, path: Path, selector: str | None = None) -> None:
        """A PNG of the viewport, or of the whole element ``selector`` (beyond the viewport)."""
        params: dict[str, Any] = {"format": "png"}
        if selector is not None:
            box = self.js(
                f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                " window.scrollTo(0, 0); const r = e.getBoundingClientRect();"
                " return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]; })()"
            )
            params["clip"] = dict(zip(("x", "y", "width", "height"), box, strict=True), scale=1)
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.proc.wait(timeout=30)
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self._to_chrome)
            os.close(self._from_chrome)
