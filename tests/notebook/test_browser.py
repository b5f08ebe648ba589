"""The quickstart notebook in JupyterLab, in a real headless Chromium.

The widget tests read traits; this one proves the panel renders: JupyterLab on
127.0.0.1 with a token, Debian's Chromium driven by Selenium through its own
chromedriver (no browser download), the notebook run from the browser, a screenshot of
the panel, rows in its Runs, Models and Drift tabs, and the Approve button moving the
production alias in the store. Marked ``browser``: ``-m "not browser"`` skips it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import nbformat
import pytest

from workbench.api import connect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
RUN_S = 150.0
"""Bound on running the notebook in the browser (it promises under a minute)."""
WAIT_S = 30.0
"""Bound on anything else the test waits for (a page, a tab, an approval)."""
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
LAB_SETTINGS = {  # no virtual scrolling (every cell in the DOM), no news, no autosave
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}

if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
    pytest.skip(
        "needs Debian's chromium and chromium-driver (.ci/run installs them)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402  (after the skip: only with a browser)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """JupyterLab on 127.0.0.1 serving a copy of the quickstart; ``(url, scratch)``.

    The copy sits beside a link to ``sample_data/`` (the notebook looks for it above its
    folder); the kernel's temporary files (the notebook's workspace) go to ``scratch``.
    """
    root, scratch, settings = tmp_path / "lab", tmp_path / "scratch", tmp_path / "settings"
    for folder in (root, scratch, settings):
        folder.mkdir()
    (root / "sample_data").symlink_to(REPO / "sample_data")
    shutil.copy(REPO / "notebooks" / "quickstart.ipynb", root / "quickstart.ipynb")
    for name, values in LAB_SETTINGS.items():
        path = settings / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token, port = secrets.token_hex(16), free_port()
    env = {
        **os.environ,
        "TMPDIR": str(scratch),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.extension_manager=readonly",  # no PyPI look-ups
            "--ServerApp.allow_root=True",  # CI containers run as root
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read_log() -> None:
        assert server.stderr is not None
        for line in server.stderr:
            lines.append(line)
            if f"127.0.0.1:{port}/lab" in line:
                ready.set()
        ready.set()  # the server exited: stop waiting, the check below says why

    threading.Thread(target=read_log, daemon=True).start()
    try:
        if not ready.wait(WAIT_S) or server.poll() is not None:
            raise AssertionError("JupyterLab did not start:\n" + "".join(lines[-30:]))
        yield f"http://127.0.0.1:{port}/lab/tree/quickstart.ipynb?token={token}", scratch
    finally:
        server.terminate()
        try:
            server.wait(WAIT_S)
        except subprocess.TimeoutExpired:
            server.kill()
        _stop_scoring_servers(scratch)


def _stop_scoring_servers(scratch: Path) -> None:
    """Scoring servers of a kernel that was stopped before the notebook's clean-up."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(scratch) in cmdline and "workbench.serving" in cmdline:
            os.kill(int(entry.name), 15)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[webdriver.Chrome]:
    """Debian's Chromium, headless, with a fresh profile, driven through chromedriver."""
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not look online
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


NOTEBOOK_STATE = """
const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
if (!panel || !panel.content || !panel.sessionContext || !panel.sessionContext.session) {
  return null;
}
const kernel = panel.sessionContext.session.kernel;
const cells = panel.content.widgets.slice(0, -1).filter(c => c.model.type === 'code');
const errors = cells.flatMap(c => c.model.outputs.toJSON())
  .filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue);
return {
  kernel: kernel ? kernel.status : 'none',
  pending: cells.filter(c => c.model.executionCount === null).length,
  cells: panel.content.widgets.length,
  errors: errors,
};
"""

RUN_ALL_BUT_CLEAN_UP = """
const notebook = window.jupyterapp.shell.currentWidget.content;
notebook.activeCellIndex = notebook.widgets.length - 1;
window.jupyterapp.commands.execute('notebook:run-all-above');
return true;
"""

RUN_CLEAN_UP = """
const notebook = window.jupyterapp.shell.currentWidget.content;
notebook.activeCellIndex = notebook.widgets.length - 1;
window.jupyterapp.commands.execute('notebook:run-cell');
return true;
"""

VISIBLE_ROWS = """
const table = [...arguments[0].querySelectorAll('table')].find(t => t.offsetParent !== null);
return table ? [...table.querySelectorAll('tbody tr')].map(row => row.innerText) : [];
"""
"""The rows of the first table in view (a tab's main table)."""


def wait_for(
    driver: webdriver.Chrome,
    what: str,
    predicate: Callable[[webdriver.Chrome], T],
    timeout: float = WAIT_S,
) -> T:
    """``predicate(driver)`` once truthy, or a failure naming ``what`` after ``timeout``."""
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        predicate, message=f"timed out waiting for {what}"
    )


def show_tab(driver: webdriver.Chrome, panel: WebElement, title: str) -> list[str]:
    """Click the panel's tab ``title`` and return the table rows it shows."""
    tab = panel.find_element(
        By.XPATH, f".//li[contains(@class, 'lm-TabBar-tab')][.//*[text()='{title}']]"
    )
    tab.click()
    return wait_for(
        driver, f"rows in the {title} tab", lambda d: d.execute_script(VISIBLE_ROWS, panel)
    )


def test_the_quickstart_panel_renders_in_jupyterlab_and_approve_moves_the_alias(
    lab: tuple[str, Path], browser: webdriver.Chrome, tmp_path: Path
) -> None:
    url, scratch = lab
    cells = len(nbformat.read(REPO / "notebooks" / "quickstart.ipynb", as_version=4).cells)
    browser.get(url)
    wait_for(
        browser,
        "the notebook and its kernel",
        lambda d: (d.execute_script(NOTEBOOK_STATE) or {}).get("kernel") == "idle",
    )
    assert browser.execute_script(NOTEBOOK_STATE)["cells"] == cells
    started = time.monotonic()
    browser.execute_script(RUN_ALL_BUT_CLEAN_UP)

    def finished(driver: webdriver.Chrome) -> bool:
        state = driver.execute_script(NOTEBOOK_STATE)
        assert not state["errors"], state["errors"]
        return state["pending"] == 0 and state["kernel"] == "idle"

    wait_for(browser, "the notebook to run", finished, RUN_S)
    elapsed = time.monotonic() - started

    panel = browser.find_element(By.CSS_SELECTOR, ".widget-tab").find_element(
        By.XPATH, "./ancestor::div[contains(@class, 'jp-OutputArea-output')]"
    )
    browser.execute_script("arguments[0].scrollIntoView(true);", panel)
    runs = show_tab(browser, panel, "Runs")
    assert any("success" in row for row in runs), runs
    drift = show_tab(browser, panel, "Drift")
    assert any("amount" in row for row in drift), drift
    models = show_tab(browser, panel, "Models")
    assert len(models) == 2 and any("production" in row for row in models), models
    screenshot = tmp_path / "panel.png"
    assert panel.screenshot(str(screenshot))
    assert screenshot.stat().st_size > 10_000  # a picture of the panel, not a blank

    (project,) = scratch.glob("workbench-quickstart-*/project")
    with connect(project) as store:  # attaches to the kernel's engine, as the TUI would
        before = {m.version: m.aliases for m in store.models()}
        assert "production" in before[1] and not before[2], before
        approve = panel.find_element(By.XPATH, ".//button[normalize-space()='Approve']")
        approve.click()
        wait_for(
            browser,
            "the production alias to move to version 2 in the store",
            lambda d: "production" in next(m for m in store.models() if m.version == 2).aliases,
        )
        after = {m.version: m.aliases for m in store.models()}
    assert "production" in after[2] and "previous" in after[1], after
    wait_for(
        browser,
        "the panel to show the new production",
        lambda d: any(
            "production" in row and row.lstrip().startswith("2")
            for row in d.execute_script(VISIBLE_ROWS, panel)
        ),
    )
    browser.execute_script(RUN_CLEAN_UP)
    wait_for(
        browser,
        "the clean-up cell",
        lambda d: not list(scratch.glob("workbench-quickstart-*")),
    )
    assert elapsed < RUN_S, f"the notebook took {elapsed:.0f}s in the browser"
