"""`spec-kitty dashboard` in a real browser: Debian's chromium driven by playwright.

Runs in the tox env `browser` (`uv run tox -e browser`). Skips only where no chromium is
installed (CI installs it: scripts/ensure_chromium.sh). The browser is the system's own
(`executable_path`), with a fresh profile and no network features. Set
SPEC_KITTY_DOCS_SCREENSHOT=1 to write the board's screenshot to docs/dashboard-board.png.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dashboard_seed import SCRIPT_TITLE, make_env, seed, sk

CHROMIUM = os.environ.get("SPEC_KITTY_CHROMIUM") or shutil.which("chromium") or ""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parent.parent / "docs"
LIVE_WITHIN_S = 2.0

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")


@dataclass
class Site:
    root: Path
    env: dict[str, str]
    slugs: list[str]
    url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("dashboard")
    env = make_env(base / "home")
    root = base / "project"
    slugs = seed(root, env)
    proc = subprocess.Popen(
        [sys.executable, "-m", "spec_kitty_cli", "dashboard", "--port", "0"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        yield Site(root=root, env=env, slugs=slugs, url=match.group(0))
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # reaps it and closes both pipes


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1500, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    page.problems = problems
    page.goto(site.url)
    page.wait_for_selector("#board [data-wp]")
    yield page
    page.close()
    assert problems == []  # no CSP violation, no script error, no alert ever fired


def lanes_on_page(page: Any) -> dict[str, str]:
    """WP id -> the lane of the column the card is drawn in."""
    cards = page.query_selector_all("#board .column [data-wp]")
    return {
        c.get_attribute("data-wp"): c.evaluate("n => n.closest('.column').dataset.lane")
        for c in cards
    }


def cli_lanes(site: Site, slug: str) -> dict[str, str]:
    board = sk(site.root, site.env, "status", "--mission", slug)
    return {wp["wp_id"]: wp["lane"] for wp in board["work_packages"]}  # type: ignore[index, union-attr]


def test_the_page_lists_the_missions(page: Any, site: Site) -> None:
    items = page.query_selector_all("#missions [data-mission]")
    assert [i.get_attribute("data-mission") for i in items] == site.slugs
    assert "Checkout flow" in page.inner_text("#missions")
    assert page.is_visible("#missions svg.lanebar")


def test_the_board_shows_each_wp_in_its_lane(page: Any, site: Site) -> None:
    columns = [c.get_attribute("data-lane") for c in page.query_selector_all("#board .column")]
    assert columns == [
        "planned",
        "claimed",
        "in_progress",
        "for_review",
        "approved",
        "done",
        "blocked",
        "canceled",
    ]
    for slug in site.slugs:
        page.goto(f"{site.url}#/m/{slug}")
        page.wait_for_function(
            "slug => document.querySelector('#mission-head h2')?.textContent.includes(slug)",
            arg=slug,
        )
        assert lanes_on_page(page) == cli_lanes(site, slug), slug
    page.goto(f"{site.url}#/m/{site.slugs[0]}")
    page.wait_for_selector("[data-lane=blocked] [data-wp=WP05]")
    card = page.inner_text("[data-wp=WP05]")
    assert "waiting for the payment sandbox credentials" in card and "✗ WP02" in card


def test_a_card_opens_its_history(page: Any, site: Site) -> None:
    page.click("[data-wp=WP05]")
    page.wait_for_selector("#history[open] table.history tbody tr")
    rows = page.inner_text("#history-body")
    assert "in_progress → blocked" in rows and "waiting for the payment sandbox" in rows
    assert len(page.query_selector_all("#history tbody tr")) == 4
    page.click("#history-close")
    page.click("[data-wp=WP01]")  # done: evidence derived from git and the review
    page.wait_for_selector("#history[open] tr:nth-child(6)")
    evidence = page.inner_text("#history tbody tr:last-child .evidence")
    assert "project@main" in evidence and "review: ann approved" in evidence
    page.click("#history-close")


def test_a_script_title_renders_as_text(page: Any) -> None:
    assert page.inner_text("[data-wp=WP06] .card-title") == SCRIPT_TITLE
    scripts = page.eval_on_selector_all("script", "nodes => nodes.map(n => n.src)")
    assert [s.rsplit("/", 1)[-1] for s in scripts] == ["plot.js", "app.js"]


def test_a_post_is_refused(page: Any) -> None:
    answer = page.evaluate(
        """async () => {
            const r = await fetch('/api/registry', {method: 'POST', body: '{}'});
            return {status: r.status, allow: r.headers.get('allow'), doc: await r.json()};
        }"""
    )
    assert answer["status"] == 405 and answer["allow"] == "GET"
    assert answer["doc"]["error_code"] == "METHOD_NOT_ALLOWED"
    # the browser reports the refused request on its console: that one is expected
    assert [p for p in page.problems if "405" in p] == page.problems != []
    page.problems.clear()


def test_a_transition_from_the_cli_shows_up_without_a_reload(page: Any, site: Site) -> None:
    slug = site.slugs[1]
    page.goto(f"{site.url}#/m/{slug}")
    page.wait_for_selector("[data-lane=planned] [data-wp=WP03]")
    page.evaluate("window.__sameDocument = 'yes'")
    sk(
        site.root,
        site.env,
        "agent",
        "tasks",
        "move",
        "WP03",
        "--to",
        "claimed",
        "--mission",
        slug,
        "--actor",
        "zoe",
    )
    moved = time.monotonic()
    page.wait_for_selector("[data-lane=claimed] [data-wp=WP03]", timeout=LIVE_WITHIN_S * 1000)
    assert time.monotonic() - moved <= LIVE_WITHIN_S
    assert page.evaluate("window.__sameDocument") == "yes"  # no reload happened
    assert "held by zoe" in page.inner_text("[data-wp=WP03]")
    assert lanes_on_page(page) == cli_lanes(site, slug)


def test_screenshot_of_the_board(page: Any, site: Site, tmp_path: Path) -> None:
    page.goto(f"{site.url}#/m/{site.slugs[0]}")
    page.wait_for_selector("#timeline svg.timeline")
    page.wait_for_timeout(300)
    target = DOCS / "dashboard-board.png"
    if os.environ.get("SPEC_KITTY_DOCS_SCREENSHOT") != "1":
        target = tmp_path / "dashboard-board.png"
    page.screenshot(path=str(target), full_page=True)
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    assert lanes_on_page(page)["WP01"] == "done"
