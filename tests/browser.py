"""The real server and the real Chromium for the browser tests: `mou serve` started as a process over a workspace,
Debian's Chromium driven by Selenium (one per test session, its cookies cleared between tests), and the few moves a
user makes on a page (type, tick, click and wait, download with the session's cookie)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from pipeline.library.clauses import PROJECT_ROOT
from pipeline.render import pdftext

MOU = [sys.executable, "-m", "pipeline.cli"]
WINDOW = (1280, 1600)


def chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--lang=th",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def fresh(driver: webdriver.Chrome, shots: Path) -> webdriver.Chrome:
    """The session's Chromium as a new user would find it: no cookie of an earlier test (each test's server is on
    127.0.0.1, whatever its port), the usual window, an empty page, screenshots into this test's folder."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.set_window_size(*WINDOW)
    driver.shots = shots
    driver.shots.mkdir(exist_ok=True)
    driver.shot_count = 0
    return driver


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mou serve` over a workspace, as a process. One warm worker unless a test needs more (the default of
    `mou serve` is two): a server starts in less CPU, and one worker builds the previews and finals all the same."""

    def __init__(self, workspace: Path, workers: int = 1):
        self.workspace, self.port, self.workers = workspace, free_port(), workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            MOU
            + ["serve", "--workspace", str(self.workspace), "--port", str(self.port), "--workers", str(self.workers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=PROJECT_ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError):
                assert self.proc.poll() is None, self.proc.stdout.read()
                time.sleep(0.1)
        raise AssertionError("mou serve did not answer in 60 s")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class LocalServer:
    """The same server — `mou serve`'s app (create_app) behind its waitress (`web.server.make_server`) with a warm
    pool of workers and their LibreOffice — run on a thread of the test process, for the tests that do not stop,
    kill or count its process (those start `Server`). A `mou serve` process costs a Python start importing the web
    pages and a fork server importing the build (two seconds of CPU); here the test process has imported both, its
    fork server stays up, and the session's pool (`shared_pool`) is warm already."""

    def __init__(self, workspace: Path, pool):
        self.workspace, self.port, self.pool = workspace, free_port(), pool
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = self.thread = None

    def start(self) -> LocalServer:
        import threading

        from pipeline.spec.settings import Settings
        from pipeline.web.app import create_app
        from pipeline.web.server import make_server

        app = create_app(self.workspace, None, Settings(), self.pool)
        self.server = make_server(app, "127.0.0.1", self.port)
        self.thread = threading.Thread(target=self.server.run, name=f"mou serve :{self.port}", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            from waitress import wasyncore

            server = self.server
            # in the server's own loop: its socket, its wake-up pipe and the connections the browser kept open
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            self.thread.join(timeout=10)
            server.task_dispatcher.shutdown()
            self.server = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def shot(driver, label: str, always: bool = False) -> Path | None:
    """A full-height screenshot of the page into the test's folder, when they are kept (MOU_SCREENSHOTS) or asked for
    `always` (the page a failing test ended on): a full-height capture costs Chromium a second of CPU, and a run of
    the suite took forty of them that nobody looked at."""
    if not (always or os.environ.get("MOU_SCREENSHOTS")):
        return None
    driver.shot_count += 1
    path = driver.shots / f"{driver.shot_count:02d}-{re.sub(r'[^A-Za-z0-9_-]', '_', label)}.png"
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, max(800, min(height + 100, 8000)))
    driver.save_screenshot(str(path))
    return path


def field(driver, name):
    return driver.find_element(By.NAME, name)


def set_value(driver, name: str, value) -> None:
    el = field(driver, name)
    if el.get_attribute("type") == "radio":  # yes or no
        driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']").click()
    elif el.tag_name == "select":
        Select(el).select_by_value(value)
    elif len(value) > TYPED:  # a paragraph: pasted, as users paste them (keys one by one cost seconds of CPU)
        driver.execute_script(PASTE, el, value)
    else:
        el.clear()
        el.send_keys(value)


TYPED = 24  # characters typed key by key (dates, amounts, names); a longer value is pasted
PASTE = """const el = arguments[0]; el.focus(); el.value = arguments[1];
el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));"""


def fill_records(driver, path: str, rows: list[dict]) -> None:
    while len(driver.find_elements(By.CSS_SELECTOR, f"[name^='r.{path}.'][name$='.{next(iter(rows[0]))}']")) < len(
        rows
    ):
        click(driver, driver.find_element(By.CSS_SELECTOR, f"button[value='add_row:{path}']"))
    for i, row in enumerate(rows):
        for key, value in row.items():
            set_value(driver, f"r.{path}.{i}.{key}", value)


def fill_page(driver, answers: dict) -> None:
    for path, value in answers.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            fill_records(driver, path, value)
        elif isinstance(value, list):
            set_value(driver, f"f.{path}", "\n".join(value))
        else:
            set_value(driver, f"f.{path}", value)


POLL = 0.05  # seconds between two looks at the page: Selenium's default (0.5 s) was most of a click's wait


def click(driver, element) -> None:
    """Click what loads a new page, and wait until it has (a click returns before the navigation ends)."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(drv) -> bool:  # Chromium reports a replaced document either way
        try:
            old.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return drv.execute_script("return document.readyState") == "complete"

    WebDriverWait(driver, 120, poll_frequency=POLL).until(replaced)


def submit(driver) -> None:
    click(driver, driver.find_element(By.CSS_SELECTOR, "button[name=action][value=next]"))


def here(driver) -> str:
    return urllib.parse.urldefrag(driver.current_url)[0]


def fetch(driver, url: str, timeout: float = 240) -> bytes:
    """A file as the browser would download it: with the browser's own session cookie. A draft not yet built answers
    202 with a page that reloads itself while the server's queue builds it; this asks again, as that page does."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    deadline = time.monotonic() + timeout
    while True:
        req = urllib.request.Request(url, headers={"Cookie": cookies})
        with urllib.request.urlopen(req, timeout=120) as resp:
            body = resp.read()
            if resp.status != 202:
                return body
        assert time.monotonic() < deadline, f"{url} still being built after {timeout} s"
        time.sleep(POLL * 4)


def built(driver, element_id: str, timeout: float = 240):
    """The link to a document whose build was queued: the review page reloads itself (meta refresh) until the build
    is over; the link is there then."""

    def found(drv):
        try:
            got = drv.find_elements(By.ID, element_id)
            if got:
                return got[0]
            failed = drv.find_elements(By.CSS_SELECTOR, ".banner.bad.built")
            assert not failed, failed[0].text
        except StaleElementReferenceException:
            return False
        return False

    return WebDriverWait(driver, timeout, poll_frequency=POLL * 2).until(found)


def pdf_text(data: bytes) -> str:
    """The text of a PDF the browser downloaded, read in process with PDFium (what poppler's pdftotext finds is held
    to SPEC §4 by `assert_official_and_searchable`, on the PDFs the build writes; here the pages only need reading)."""
    return pdftext.read_pdf(data).text
