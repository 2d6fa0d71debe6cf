"""Headless Chromium for the report tests: load a page, read what an in-page probe wrote into the DOM.

Chromium is driven with its own command-line modes (``--dump-dom`` and ``--screenshot``), so no
browser-automation library is needed. The probe is injected into a copy of the report; the copy's
Content-Security-Policy still forbids every network fetch and only adds inline scripts.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("AQUADSL_ARTIFACTS", Path(__file__).resolve().parents[2] / ".artifacts")) / "report"

CATCH = """<script>window.__errors = [];
addEventListener("error", e => __errors.push(String(e.message || (e.target && (e.target.src || e.target.href)))), true);
const __ce = console.error; console.error = (...a) => { __errors.push(a.join(" ")); __ce(...a); };</script>"""
PROBE = """<script>(function () {
  const charts = [...document.querySelectorAll("svg.chart")].map(svg => {
    const r = svg.getBoundingClientRect();
    return {id: (svg.closest("figure") || svg).id, width: r.width, height: r.height,
            shapes: svg.querySelectorAll("rect, polyline, line").length};
  });
  const out = {errors: __errors, charts: charts, text: document.body.innerText,
               resources: performance.getEntriesByType("resource").map(e => e.name),
               height: document.documentElement.scrollHeight};
  const pre = document.createElement("pre"); pre.id = "aqs-probe"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();</script>"""


def chromium() -> str:
    """The Chromium binary; fails under CI=true when it is missing, else skips with the reason."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    reason = "Chromium is not installed (apt-get install -y chromium; .ci/run and `make test` do it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _run(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def probe(report: Path, work: Path) -> dict:
    """Load a probed copy of ``report``; returns the probe's findings plus Chromium's console lines."""
    binary = chromium()
    page = report.read_text(encoding="utf-8")
    page = page.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", 1)
    page = page.replace("<head>", "<head>" + CATCH, 1).replace("</body>", PROBE + "</body>", 1)
    probed = work / f"probed-{report.name}"
    probed.write_text(page, encoding="utf-8")
    result = _run(binary, work / "profile-dom", "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="aqs-probe">(.*?)</pre>', result.stdout, re.S)
    assert found, f"the probe did not run: {result.stderr[-2000:]}"
    data = json.loads(html.unescape(found.group(1)))
    data["console"] = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line]
    return data


def screenshot(report: Path, work: Path, name: str, height: int) -> Path:
    """A full-page PNG of ``report`` saved under the artifacts folder (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    result = _run(chromium(), work / "profile-shot", f"--window-size=1000,{min(max(height, 600), 16000)}",
                  f"--screenshot={target}", report.as_uri())
    assert target.exists() and target.stat().st_size > 10_000, result.stderr[-2000:]
    return target
