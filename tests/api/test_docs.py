"""The OpenAPI schema and the interactive docs. The docs page must work under the site's
Content-Security-Policy and load nothing from a CDN: ninja serves Swagger UI from its own
static files when "ninja" is in INSTALLED_APPS (and from a CDN when it is not)."""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import urlsplit

import pytest
from django.conf import settings


def test_openapi_schema_is_served_without_credentials(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["info"]["title"] == "Tandem API"
    assert set(schema["paths"]) == {
        "/api/v1/me",
        "/api/v1/people",
        "/api/v1/people/match",
        "/api/v1/people/{person_id}",
        "/api/v1/referrals",
        "/api/v1/referrals/{referral_id}",
    }
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "MemberSessionAuth"}


def test_schema_documents_every_answer_an_operation_gives(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert set(paths["/api/v1/me"]["get"]["responses"]) == {"200", "401", "403"}
    assert set(paths["/api/v1/people"]["get"]["responses"]) == {"200", "401", "403", "422"}
    assert set(paths["/api/v1/people/{person_id}"]["get"]["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "422",
    }
    referrals = paths["/api/v1/referrals"]
    assert set(referrals["post"]["responses"]) == {"201", "400", "401", "403", "422"}
    assert set(referrals["get"]["responses"]) == {"200", "401", "403", "422"}
    assert set(paths["/api/v1/referrals/{referral_id}"]["get"]["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "422",
    }


def test_docs_page_loads_swagger_ui_from_tandems_own_static_files(client, db):
    assert "ninja" in settings.INSTALLED_APPS, "without it ninja serves Swagger UI from a CDN"

    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    html = response.text
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert all(url.startswith("/static/") for url in assets), assets
    # The only inline script is Swagger UI's settings, a JSON data block the CSP allows.
    inline = re.findall(r"<script\b(?![^>]*\bsrc=)([^>]*)>", html)
    assert [attributes.strip() for attributes in inline] == [
        'type="application/json" id="swagger-settings"'
    ]
    for url in assets:
        assert client.get(url).status_code == 200, url


def chromium_or_skip() -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing and CI=true: browser tests cannot be skipped")
        pytest.skip("chromium is not installed (make browser)")
    return chromium


RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.mark.e2e
def test_docs_page_renders_in_a_browser_under_the_sites_csp(live_server):
    from playwright.sync_api import sync_playwright

    chromium = chromium_or_skip()
    origin = live_server.url
    foreign_requests: list[str] = []
    console_errors: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.add_init_script(RECORD_CSP_VIOLATIONS)
            page.on(
                "request",
                lambda request: (
                    None
                    if f"{urlsplit(request.url).scheme}://{urlsplit(request.url).netloc}" == origin
                    or request.url.startswith("data:")
                    else foreign_requests.append(request.url)
                ),
            )
            page.on(
                "console",
                lambda message: (
                    console_errors.append(message.text) if message.type == "error" else None
                ),
            )

            page.goto(f"{origin}/api/v1/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
            page.wait_for_selector(".opblock", timeout=15_000)
            title = page.inner_text(".swagger-ui .info .title")
            operations = page.locator(".opblock-summary-path").all_inner_texts()
            violations = page.evaluate("window.cspViolations")
        finally:
            browser.close()

    assert "Tandem API" in title
    assert sorted(operations) == [
        "/api/v1/me",
        "/api/v1/people",
        "/api/v1/people/match",
        "/api/v1/people/{person_id}",
        "/api/v1/referrals",
        "/api/v1/referrals",
        "/api/v1/referrals/{referral_id}",
    ]
    assert violations == []
    assert foreign_requests == []
    assert console_errors == []
