"""The dashboard in a real browser: headless Chromium (Debian's, driven by Selenium through
Debian's chromedriver) against a served fake with single calls and a 20-recipient batch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.system import debian_binary
from mock_server import FakeCartesia

pytestmark = pytest.mark.slow  # a browser and a server

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "build" / "screenshots" / "dashboard.png"
KEY = "sk_browser_dashboard"
SINGLE = {
    "+14155550100": "completed",  # answers after 2 s, talks 30 s
    "+14155550110": "busy",  # busy after 3 s
    "+14155550125": "no_answer",  # rings until the timeout
    "+14155550135": "failed",  # carrier failure after 1 s
}


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = debian_binary("chromium", "chromium", "chromium-driver")
    driver_path = debian_binary("chromedriver", "chromium", "chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _place(url: str) -> dict[str, str]:
    """The single calls and a 20-recipient batch; returns call id -> destination."""
    headers = {"authorization": f"Bearer {KEY}", "cartesia-version": "2026-08-14"}
    body = {"agent_id": FakeCartesia.agent_id, "from_number_id": FakeCartesia.from_number_id}
    with httpx.Client(base_url=url, headers=headers) as c:
        made = c.post(
            "/agents/calls", json={**body, "outbound_calls": [{"to_number": n} for n in SINGLE]}
        )
        recipients = [{"to_number": f"+1212555{100 + i:04d}"} for i in range(10)]
        recipients += [{"to_number": f"+1212555{140 + i:04d}"} for i in range(10)]
        batch = c.post(
            "/agents/calls/batches",
            json={
                **body,
                "name": "Renewals",
                "target_concurrency_limit": 4,
                "recipients": recipients,
            },
        )
        assert batch.status_code == 201, batch.text
        c.post("/__fake__/clock/advance", json={"seconds": 5})
    return {item["agent_call_id"]: item["number"] for item in made.json()["calls"]}


def test_the_dashboard_shows_calls_live_and_a_call_on_click(browser: Any) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # The view is redrawn whenever it changes: read it with scripts (one step, never stale)
    # and let the waits retry a read that raced a redraw.
    wait = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))

    def text(element_id: str) -> str:
        return str(
            browser.execute_script(
                "const e = document.getElementById(arguments[0]); return e ? e.innerText : '';",
                element_id,
            )
        )

    with FakeCartesia() as fake:
        url = fake.serve().url
        placed = _place(url)
        browser.get(f"{url}/__fake__/ui")
        assert browser.find_elements(By.CSS_SELECTOR, "g.call") == []  # nothing without a key
        browser.find_element(By.ID, "key").send_keys(KEY)
        browser.find_element(By.CSS_SELECTOR, "#key-form button").click()
        # the single calls and the batch's first four (its limit) appear, each as it stands
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "g.call")) >= 8)

        def outcome(call_id: str) -> str:  # read in one go: the view is redrawn as it changes
            return str(
                browser.execute_script(
                    "const g = document.querySelector(`g.call[data-call='${arguments[0]}']`);"
                    "return g ? g.dataset.outcome : null;",
                    call_id,
                )
            )

        by_number = {number: call_id for call_id, number in placed.items()}
        assert outcome(by_number["+14155550110"]) == "busy"
        assert outcome(by_number["+14155550135"]) == "failed"
        assert outcome(by_number["+14155550100"]) == "active"
        assert "4 in flight of a limit of 4" in text("view")
        waiting = "return document.querySelectorAll('g.recipient.waiting').length"
        assert browser.execute_script(waiting) == 16  # the rest of the 20, not yet dialed

        # the clock buttons update the page in place: no reload
        browser.execute_script("window.__stayed = true;")
        clock = text("clock")
        browser.find_element(By.CSS_SELECTOR, "button[data-seconds='10']").click()
        wait.until(lambda d: text("clock") != clock)
        run = browser.find_element(By.XPATH, "//button[text()='Run until idle']")
        run.click()
        wait.until(lambda d: "20 finished" in text("view"))
        assert browser.execute_script("return window.__stayed === true")
        for call_id, number in placed.items():
            assert outcome(call_id) == SINGLE[number], number
        assert len(browser.find_elements(By.CSS_SELECTOR, "g.call")) == 24
        assert browser.execute_script(waiting) == 0

        # a click shows the call: its Get Call object, timeline and transcript
        # the clock has stopped (idle), so the view is no longer redrawn: a plain click
        browser.find_element(
            By.CSS_SELECTOR, f'g.call[data-call="{by_number["+14155550100"]}"] .hit'
        ).click()
        wait.until(lambda d: "Timeline" in text("detail"))
        detail = text("detail")
        assert by_number["+14155550100"] in detail
        assert "answered → started" in detail
        assert "completed (client_hangup)" in detail
        assert "Transcript" in detail

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.execute_script("window.scrollTo(0, 0)")  # the legend and the batch in view
        browser.save_screenshot(str(SCREENSHOT))
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
