"""The HTML report in a real headless Chromium: summary numbers, filters, inline findings, a screenshot.

Needs Debian's chromium and chromium-driver (scripts/test installs them) and selenium; skipped with
the reason when one is missing. The browser is started here with a fresh profile and no network
features; nothing is downloaded. The screenshot lands in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scrubber.synthetic import ClaimSpec, LineSpec, render_837
from tests.conftest import ROOT
from tests.structure.broken import BROKEN_CHARGE, BROKEN_CLAIM, broken_text

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "test-artifacts"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
    pytest.skip(
        "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
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
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _report(tmp_path: Path, cli) -> Path:
    text = broken_text()
    extra = render_837(
        [ClaimSpec(claim_id="PCND", lines=[LineSpec(pointers=[4])]), ClaimSpec(claim_id="PCNE")],
        first_isa13=7,
        line_break="\n",
    )
    first, second = tmp_path / "broken.837", tmp_path / "pointer.837"
    first.write_text(text)
    second.write_text(extra)
    page = tmp_path / "report.html"
    result = cli("check", "--format", "html", "--output", str(page), str(first), str(second))
    assert result.code == 1, result.stderr
    return page


def _visible_claims(driver) -> list[str]:
    return [
        row.get_attribute("data-claim")
        for row in driver.find_elements(By.CSS_SELECTOR, "tbody.claim")
        if row.is_displayed()
    ]


@pytest.mark.slow  # a browser start; the HTML itself is checked quickly (test_golden.py, test_reports.py)
def test_html_report_in_chromium(browser, tmp_path, cli):
    page = _report(tmp_path, cli)
    browser.get(page.as_uri())

    summaries = browser.find_elements(By.CSS_SELECTOR, ".summary")
    numbers = [
        {
            key: box.find_element(By.CSS_SELECTOR, f'[data-summary="{key}"]').text
            for key in ("claims", "accepted", "rejected")
        }
        for box in summaries
    ]
    assert numbers == [
        {"claims": "3", "accepted": "2", "rejected": "1"},
        {"claims": "2", "accepted": "1", "rejected": "1"},
    ]
    # The summary is written last but shown first (above the claims table).
    first_file = browser.find_element(By.ID, "file-1")
    assert summaries[0].location["y"] < first_file.find_element(By.CSS_SELECTOR, "table.claims").location["y"]

    assert browser.find_element(By.ID, "shown-count").text == "5"
    Select(browser.find_element(By.ID, "filter-status")).select_by_value("rejected")
    assert sorted(_visible_claims(browser)) == [BROKEN_CLAIM, "PCND"]
    assert browser.find_element(By.ID, "shown-count").text == "2"

    Select(browser.find_element(By.ID, "filter-status")).select_by_value("")
    rule = Select(browser.find_element(By.ID, "filter-rule"))
    assert "X12013" in [o.get_attribute("value") for o in rule.options]
    rule.select_by_value("X12013")
    assert _visible_claims(browser) == [BROKEN_CLAIM]

    claim = browser.find_element(By.CSS_SELECTOR, f'tbody.claim[data-claim="{BROKEN_CLAIM}"]')
    mark = claim.find_element(By.CSS_SELECTOR, ".seg.has-finding mark.error")
    assert mark.is_displayed() and mark.text == BROKEN_CHARGE
    finding = claim.find_element(By.CSS_SELECTOR, '.finding[data-rule="X12013"]')
    assert finding.is_displayed() and "CLM02" in finding.text

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
