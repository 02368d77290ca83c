"""Real-browser fixtures: Debian's chromium driven by chromedriver through Selenium, against pytest-django's
``live_server`` (a transactional database). Missing chromium/chromedriver skips locally and fails in CI
(``tests.tools.require_tool``). Screenshots of the pages a test visits go to ``.data/screenshots/`` (gitignored)
or to ``$CHAIRSIDE_SCREENSHOTS``."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.tools import require_tool

# CHAIRSIDE_SCREENSHOTS moves them (e.g. bench/out/screenshots/, also gitignored).
SCREENSHOTS = Path(os.environ.get("CHAIRSIDE_SCREENSHOTS") or Path(settings.BASE_DIR) / ".data" / "screenshots")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1366,900",
)
WAIT_SECONDS = 20  # an upper bound on waiting for a page, never a measured threshold


@pytest.fixture
def browser(tmp_path) -> Iterator[WebDriver]:
    chromium = require_tool("chromium")
    chromedriver = require_tool("chromedriver", package="chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")  # a fresh profile every test
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


class Admin:
    """A person using the admin in ``browser`` on ``live_server``."""

    def __init__(self, browser: WebDriver, base_url: str, test_name: str):
        self.browser, self.base_url = browser, base_url
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)

    def open(self, path: str) -> None:
        self.browser.get(self.base_url + path)
        self.wait_for(By.TAG_NAME, "body")

    def wait_for(self, by: str, value: str):
        return WebDriverWait(self.browser, WAIT_SECONDS).until(
            expected_conditions.presence_of_element_located((by, value))
        )

    def find(self, css: str):
        return self.browser.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.browser.find_elements(By.CSS_SELECTOR, css)

    def log_in(self, email: str, password: str) -> None:
        self.open("/admin/login/?next=/admin/")
        self.find("input[name=username]").send_keys(email)
        self.find("input[name=password]").send_keys(password)
        self.find("input[type=submit]").click()
        self.wait_for(By.ID, "user-tools")

    def click_and_wait(self, element) -> None:
        """Click something that loads a new page, and wait until the old page is gone."""
        old = self.find("html")
        element.click()
        WebDriverWait(self.browser, WAIT_SECONDS).until(expected_conditions.staleness_of(old))
        self.wait_for(By.TAG_NAME, "body")

    def screenshot(self, name: str) -> Path:
        """The whole page (not only the window), through the DevTools protocol."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}__{name}.png"
        size = self.browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
        shot = self.browser.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def messages(self) -> list[str]:
        return [element.text for element in self.find_all("ul.messagelist li")]


@pytest.fixture
def admin_ui(browser, live_server, request) -> Admin:
    return Admin(browser, live_server.url, request.node.name)
