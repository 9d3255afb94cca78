"""Helpers for the browser tests (tests/test_browser_*.py): Chromium, JupyterLab, axe-core.

Playwright drives Debian's ``chromium`` (Playwright's own browser download is not available
here), found at ``$SEMINARKIT_CHROMIUM`` or as ``chromium`` on PATH. Without it the browser tests
skip, unless ``SEMINARKIT_REQUIRE_BROWSER=1`` or ``CI=true``: then they fail, so CI can never
skip them silently. The same rule covers axe-core, which ``make bootstrap`` and ``.ci/run``
install from ``tests/tooling/package.json`` (never fetched while the tests run).

Everything here talks only to 127.0.0.1 and ``file://`` pages.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
MATERIALS = REPO / "materials"
# Test artifacts never go under build/ (build/student/ is published as it is).
SCREENSHOTS = Path(os.environ.get("SEMINARKIT_TEST_RESULTS", REPO / "test-results")) / "screenshots"
TOOLING = Path(__file__).resolve().parent / "tooling"
AXE_JS = TOOLING / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root; harmless otherwise in a throwaway headless profile
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

INSTALL_HINT = ("install Debian's Chromium (`apt-get install chromium`) or point "
                "SEMINARKIT_CHROMIUM at a Chromium binary")


def browser_required() -> bool:
    """Tell whether a missing browser (or its tooling) must fail the tests instead of skipping."""
    return os.environ.get("SEMINARKIT_REQUIRE_BROWSER", "") not in ("", "0") or \
        os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip the test with ``reason``, or fail it when the browser tests are required."""
    if browser_required():
        pytest.fail(f"{reason} (SEMINARKIT_REQUIRE_BROWSER/CI is set, so this is a failure, "
                    "not a skip)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """Return the Chromium to drive: ``$SEMINARKIT_CHROMIUM``, else ``chromium`` on PATH."""
    explicit = os.environ.get("SEMINARKIT_CHROMIUM", "").strip()
    if explicit:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        return shutil.which(explicit)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """Return the Chromium path, or skip/fail with a message that says how to install it."""
    path = find_chromium()
    if path is None:
        where = os.environ.get("SEMINARKIT_CHROMIUM", "").strip()
        what = f"SEMINARKIT_CHROMIUM={where!r} is not an executable" if where else \
            "no `chromium` on PATH"
        unavailable(f"browser tests need Chromium: {what}; {INSTALL_HINT}")
    assert path is not None
    return path


def require_axe() -> Path:
    """Return the vendored ``axe.min.js``, or skip/fail with how to install it."""
    if not AXE_JS.is_file():
        unavailable(f"accessibility tests need axe-core in {AXE_JS.parent}: run `make bootstrap` "
                    "or `npm ci --prefix tests/tooling`")
    return AXE_JS


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Launch a headless Chromium driven by Playwright (one per test module)."""
    executable = require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extras
        unavailable("browser tests need Playwright for Python: pip install -e '.[test]'")
        raise
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str, locator: Any | None = None, *, full_page: bool = False) -> Path:
    """Save a PNG of the viewport (or of one element, or the whole page) under test-results/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if locator is not None:
        locator.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


# -- JupyterLab -----------------------------------------------------------------------------------
def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def set_parameters(notebook: Path, **values: Any) -> None:
    """Rewrite assignments in the notebook's ``parameters`` cell (values written as Python reprs)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    lines = source.splitlines()
    for name, value in values.items():
        for index, line in enumerate(lines):
            if line.split("=", 1)[0].strip() == name:
                comment = line[line.index("#"):] if "#" in line else ""
                lines[index] = f"{name} = {value!r}" + (f"  {comment}" if comment else "")
                break
        else:
            raise AssertionError(f"{notebook.name}: no parameter {name!r} in {source!r}")
    cell["source"] = "\n".join(lines)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass
class LabServer:
    """A JupyterLab server on 127.0.0.1 serving ``root`` (a temp copy of notebooks/).

    With ``seminarkit_args``, the server is started the way users start it, by
    ``seminarkit lab ARGS --port P --no-browser -- <test-only JupyterLab options>`` run in
    ``cwd``; ``root`` is then the folder that command serves.
    """

    root: Path
    home: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None
    seminarkit_args: list[str] | None = None
    cwd: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        """Return the URL that opens ``notebook`` alone (``reset`` drops any saved workspace)."""
        return f"{self.base}/lab/tree/{notebook}?reset&token={self.token}"

    @property
    def log(self) -> Path:
        return self.home / "lab.log"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                         ("JUPYTER_DATA_DIR", "data"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                         ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("IPYTHONDIR", "ipython"),
                         ("MPLCONFIGDIR", "matplotlib")]:
            (self.home / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(self.home / sub)
        env["SEMINARKIT_MATERIALS"] = str(MATERIALS)
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("JUPYTER_PREFER_ENV_PATH", None)
        return env

    def _settings(self) -> None:
        settings = self.home / "settings"
        # No news or update checks (they would reach outside the machine) and no toast.
        _write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                    {"fetchNews": "false", "checkForUpdates": False})
        # Every cell in the DOM, so locators find outputs below the fold.
        _write_json(settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
                    {"windowingMode": "none"})

    def start(self, timeout: float = 60.0) -> None:
        """Start ``jupyter lab`` and wait until ``/api/status`` answers."""
        self._settings()
        quiet = ["--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                 "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if self.seminarkit_args is not None:
            cmd = [sys.executable, "-m", "seminarkit", "lab", *self.seminarkit_args, "--port", str(self.port),
                   "--no-browser", "--", *quiet]
        else:
            cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={self.port}",
                   f"--ServerApp.root_dir={self.root}", *quiet]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                cmd.append("--allow-root")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(cmd, cwd=self.cwd or self.root, env=self._env(), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        status = f"{self.base}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                with urllib.request.urlopen(status, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server by its process id: terminate, then kill."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no log)"


# -- driving a notebook in JupyterLab -----------------------------------------------------------------
CODE_PROMPTS_JS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt'))
    .map(e => e.textContent.trim())"""

ERROR_OUTPUTS = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
                 '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')


def open_notebook(page: Any, lab: LabServer, notebook: str, timeout: float = 60_000) -> None:
    """Open ``notebook`` in a fresh workspace and wait until its kernel is idle."""
    page.goto(lab.url(notebook))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout)
    # The indicator says "idle" before any kernel is attached; running cells then would open
    # the "Select Kernel" dialog. Wait for the notebook's own kernel to be named and idle.
    page.wait_for_function(
        """() => {
            const name = document.querySelector('.jp-NotebookPanel .jp-Toolbar-kernelName');
            const state = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
            return name && !/no kernel/i.test(name.textContent) &&
                   state && state.getAttribute('data-status') === 'idle';
        }""", timeout=timeout)


def run_all(page: Any, timeout: float = 120_000) -> None:
    """Run → Run All Cells from the menu bar, then wait until every code cell has run.

    Run All stops at a cell that raises, so an error output also ends the wait: the caller's
    ``error_outputs(page) == []`` then shows the traceback instead of a time-out.
    """
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
    page.wait_for_function(
        f"""() => {{
            const prompts = ({CODE_PROMPTS_JS})();
            const ran = prompts.filter(p => /^\\[\\d+\\]:$/.test(p)).length;
            const done = prompts.length > 0 && ran === prompts.length;
            const stopped = ran > 0 && !prompts.includes('[*]:') &&
                document.querySelector({json.dumps(ERROR_OUTPUTS)}) !== null;
            return done || stopped;
        }}""", timeout=timeout)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout)


def error_outputs(page: Any) -> list[str]:
    """Return the text of every stderr or error output in the page."""
    return [t.strip()[:2000] for t in page.locator(ERROR_OUTPUTS).all_inner_texts()]


def broken_images(page: Any, scope: str = "") -> list[str]:
    """Describe each ``<img>`` under ``scope`` that did not load or lacks alt text."""
    return list(page.evaluate(
        """(scope) => Array.from(document.querySelectorAll(scope ? scope + ' img' : 'img'))
            .filter(img => !(img.complete && img.naturalWidth > 0)
                           || !(img.getAttribute('alt') || '').trim())
            .map(img => `${(img.getAttribute('src') || '').slice(0, 60)} alt=` +
                        `${JSON.stringify(img.getAttribute('alt'))} ` +
                        `natural=${img.naturalWidth}x${img.naturalHeight}`)""", scope))


def illegible_options(page: Any, scope: str) -> list[str]:
    """Answer options under ``scope`` whose text overflows its row (overlapping or cut off)."""
    return list(page.evaluate(
        """(scope) => Array.from(document.querySelectorAll(
                `${scope} .widget-radio-box label, ${scope} .widget-checkbox .widget-label-basic span`))
            .filter(el => el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2)
            .map(el => `${el.textContent.trim().slice(0, 80)} ` +
                       `(${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight})`)""",
        scope))


# -- layout that reads -----------------------------------------------------------------------------
LAYOUT_JS = """([scope, bound]) => {
    const roots = Array.from(document.querySelectorAll(scope));
    const all = sel => roots.flatMap(r => Array.from(r.querySelectorAll(sel)));
    const problems = [];
    const short = el => (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    // Definition lists: every term is followed by its definition, left of it, on the same row.
    for (const dt of all('dl dt')) {
        if (!visible(dt)) continue;
        const dd = dt.nextElementSibling;
        if (!dd || dd.tagName !== 'DD') {
            problems.push(`term "${short(dt)}" is not followed by its definition`);
            continue;
        }
        const a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
        if (a.right > b.left + 1) problems.push(`term "${short(dt)}" is not left of its definition`);
        if (Math.abs(a.top - b.top) > 3) problems.push(`term "${short(dt)}" (y ${Math.round(a.top)}) and ` +
            `its definition (y ${Math.round(b.top)}) are on different rows`);
    }
    // Tables: text is never right-aligned; numbers may be, and so may the heading of a column of numbers.
    const number = /^\\d{1,3}(,\\d{3})*(\\.\\d+)?(–\\d{1,3})?[′%]?$/;
    const numericColumn = th => {
        const table = th.closest('table'), index = th.cellIndex;
        const cells = Array.from(table.querySelectorAll('tbody tr')).map(tr => tr.cells[index]).filter(Boolean);
        return cells.length > 0 && cells.every(td => number.test(short(td)));
    };
    for (const cell of all('table td, table th')) {
        const text = short(cell);
        if (!text || !visible(cell) || number.test(text)) continue;
        if (cell.tagName === 'TH' && cell.closest('thead') && numericColumn(cell)) continue;
        const align = getComputedStyle(cell).textAlign;
        if (align === 'right' || align === 'end') problems.push(`text cell right-aligned: "${text}"`);
    }
    // Nothing wider than the page (or than its output area, in JupyterLab).
    const width = document.documentElement.clientWidth;
    for (const el of all('*')) {
        if (!visible(el)) continue;
        const r = el.getBoundingClientRect();
        const box = bound ? el.closest(bound) : null;
        const right = box ? box.getBoundingClientRect().right : width;
        const left = box ? box.getBoundingClientRect().left : 0;
        if (r.right > right + 1 || r.left < left - 1) problems.push(
            `<${el.tagName.toLowerCase()} class="${el.className}"> "${short(el)}" overflows: ` +
            `${Math.round(r.left)}..${Math.round(r.right)} outside ${Math.round(left)}..${Math.round(right)}`);
    }
    // Figures: loaded, not distorted, not clipped by a scrolling or hidden-overflow ancestor.
    for (const img of all('.seminarkit-figure img')) {
        const r = img.getBoundingClientRect();
        if (!img.complete || !img.naturalWidth) { problems.push('a figure did not load'); continue; }
        const shown = r.width / r.height, natural = img.naturalWidth / img.naturalHeight;
        if (Math.abs(shown - natural) > 0.02 * natural) problems.push(`figure "${img.alt.slice(0, 40)}" is distorted`);
        for (let p = img.parentElement; p && !p.matches('body, .jp-Cell'); p = p.parentElement) {
            const st = getComputedStyle(p);
            if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
            const q = p.getBoundingClientRect();
            if (r.left < q.left - 1 || r.right > q.right + 1 || r.top < q.top - 1 || r.bottom > q.bottom + 1)
                problems.push(`figure "${img.alt.slice(0, 40)}" is cut by ` +
                              `<${p.tagName.toLowerCase()} class="${p.className}">`);
        }
    }
    return problems;
}"""


def layout_problems(page: Any, scope: str = "body", bound: str = "") -> list[str]:
    """Return what does not read in ``scope``: glossary rows, right-aligned text, overflow, cut figures.

    ``bound`` is the container nothing may overflow (default: the page width).
    """
    return list(page.evaluate(LAYOUT_JS, [scope, bound]))


# -- axe-core ---------------------------------------------------------------------------------------
SEVERE = ("moderate", "serious", "critical")


def axe_violations(page: Any, axe_js: Path, include: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page (or on the elements matching ``include``).

    Return its violations of impact moderate, serious or critical.
    """
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("async (include) => await axe.run(include ? {include: [include]} : document, "
                           "{resultTypes: ['violations']})", include)
    return [v for v in result["violations"] if v.get("impact") in SEVERE]


def format_violations(violations: list[dict[str, Any]], limit: int = 5) -> str:
    """Format a readable report: rule, impact, help URL, a few offending nodes and the fix."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes) {v['helpUrl']}")
        for node in v["nodes"][:limit]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = " | ".join(s.strip() for s in node.get("failureSummary", "").splitlines()
                                 if s.strip())
            lines.append(f"       {summary[:400]}")
    return "\n".join(lines)
