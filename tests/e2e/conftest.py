"""The browser harness: Playwright's sync API driving Debian's Chromium against pytest-django's
live server.

Playwright never downloads a browser here: the tests use the `chromium` on PATH (`make browser`
installs it). Without it they skip, except under CI=true, where a skipped browser suite would
pass silently, so they fail.

Fixture names avoid pytest-playwright's (`browser`, `page`, ...), which may be installed too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts" / "e2e"

PHONE = {"width": 390, "height": 844}

# This machine's network is closed; without these Chromium keeps trying to reach Google's
# services (updates, sync, field trials) and logs every refused connection.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Containers often give /dev/shm only 64 MB, and Chromium then crashes mid-test.
    "--disable-dev-shm-usage",
]

# Long enough for a slow CI machine, short enough that a wrong locator fails in seconds.
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e/ is marked `e2e`, so `-m "not e2e"` leaves the browser out."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Kept so that fixtures can tell, at teardown, whether the test itself failed.
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def find_chromium() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    )


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "Chromium is not installed, so the browser tests cannot run. Install Debian's "
            "chromium with `make browser` or `apt-get install chromium`."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} CI=true: the browser tests must not be skipped.")
        pytest.skip(message)
    return path


@pytest.fixture(scope="package")
def chromium(chromium_executable: str) -> Iterator[Browser]:
    """One browser for the whole folder, closed when its last test is done."""
    # Playwright's sync API keeps an asyncio event loop marked as running on the test thread
    # (it runs in a greenlet), so Django takes every ORM call from the test code, such as
    # factories and pytest-django's flush between tests, for a call from async code and refuses
    # it. Nothing runs concurrently: the test thread waits while the browser talks to the live
    # server's thread. Only while the browser is up, so that the other suites keep the check.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@dataclass
class BrowserLog:
    """What the pages of one test wrote to the console, and the scripts that threw."""

    messages: list[ConsoleMessage] = field(default_factory=list)
    page_errors: list[Error] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors and any Content Security Policy report, whatever its level."""
        found = [
            f"console.{m.type}: {m.text} ({m.location.get('url', '')})"
            for m in self.messages
            if m.type == "error" or "Content Security Policy" in m.text
        ]
        found += [f"uncaught: {e.message}" for e in self.page_errors]
        return found


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


def artifact_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Saves test-artifacts/e2e/<test-name>-<step>.png, full page, and returns its path."""

    def _screenshot(page: Page, step: str) -> Path:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS_DIR / f"{artifact_name(request)}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return _screenshot


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(
    chromium: Browser, live_server, browser_log: BrowserLog, request: pytest.FixtureRequest
) -> Iterator[OpenPage]:
    """Opens a page in a fresh browser context (its own cookies) whose relative URLs go to the
    live server; `open_page(width=360)` for another screen. Each page's console output is
    collected in `browser_log`; a failing test leaves a screenshot of every page it opened."""
    # The test's screenshots from an earlier run go first, so that none is taken for new.
    for old in ARTIFACTS_DIR.glob(f"{artifact_name(request)}-*.png"):
        old.unlink(missing_ok=True)
    contexts: list[BrowserContext] = []

    def _open(width: int = PHONE["width"], height: int = PHONE["height"]) -> Page:
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            is_mobile=width < 600,
            has_touch=width < 600,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        # Playwright cannot wrap a built-in such as list.append as a handler.
        page.on("console", lambda message: browser_log.messages.append(message))
        page.on("pageerror", lambda error: browser_log.page_errors.append(error))
        return page

    yield _open

    call = request.node.stash.get(_reports, {}).get("call")
    for number, context in enumerate(contexts, start=1):
        if call is not None and call.failed:
            for page in context.pages:
                ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
                path = ARTIFACTS_DIR / f"{artifact_name(request)}-failure-{number}.png"
                # A crashed page has nothing to show, and the test has failed already.
                with contextlib.suppress(Error):
                    page.screenshot(path=path, full_page=True)
        context.close()


@pytest.fixture
def phone(open_page: OpenPage) -> Page:
    """A page at 390 by 844 CSS pixels, an everyday phone, where most case managers use Tandem."""
    return open_page()
