"""The village clerk registers an application in a real browser: Debian's
chromium driven by Playwright against a live server, pages in English."""

from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from claims.models import Claim
from tests.factories import make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The password tests.factories.UserFactory gives every user.
PASSWORD = "demo-pass-123"

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing; install Debian's chromium package to run the "
        "browser tests",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an asyncio loop in this thread, so Django's
    # guard refuses the ORM calls of the test and its fixtures. They are
    # safe: each Playwright call finishes before it returns, so no coroutine
    # runs while the ORM works, and the live server serves requests from its
    # own threads.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="en-US", base_url=live_server.url)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # With a loop running, Django keeps the thread's connections per
            # context rather than per thread. Those opened since the loop
            # started are closed here, or PostgreSQL cannot drop the test
            # database at the end of the run.
            connections.close_all()


@pytest.fixture
def neighbour(village):
    """A second household of the village, so the search has one to leave out."""
    return make_household(village, head_name="李秀英")


def log_in(page, username: str) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    sync_api.expect(page.locator("h1")).to_have_text("Work queue")
    sync_api.expect(page.locator(".who")).to_contain_text(username)


def fill_application(page, household, amount: str, bill_png: bytes) -> None:
    """Search the household, pick it, and fill in the cause, amount and bill."""
    page.goto(reverse("claims:register"))
    options = page.locator("#id_household option")
    sync_api.expect(options).to_have_count(3)
    page.fill("#household-search", "张建国")
    sync_api.expect(options).to_have_count(2)
    page.select_option("#id_household", value=str(household.pk))
    page.select_option("#id_cause", value="illness")
    page.fill("#id_amount_claimed", amount)
    page.set_input_files(
        "#id_documents",
        files=[{"name": "bill.png", "mimeType": "image/png", "buffer": bill_png}],
    )


def test_clerk_registers_application(
    page, staff, household, neighbour, policy, bill_png, tmp_path
):
    # Given the village clerk logged in through the login form
    log_in(page, staff.village_clerk.username)

    # When the clerk registers 张建国's illness application with a scanned bill
    fill_application(page, household, "18000.00", bill_png)
    page.click("button[name=register]")

    # Then the claim page shows it submitted, with the bill listed
    sync_api.expect(page.locator("#claim-status")).to_have_text("Submitted")
    sync_api.expect(page.locator("ul.documents a")).to_have_text("bill.png")
    sync_api.expect(page.locator("h1")).to_contain_text("Claim ")
    page.screenshot(path=str(tmp_path / "claim-page.png"), full_page=True)
    claim = Claim.objects.get()
    assert page.url.endswith(reverse("claims:detail", args=[claim.pk]))
    assert claim.documents.count() == 1


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("1.234", "more than two decimal places"), ("-5", "must not be negative")],
)
def test_bad_amount_names_field(
    page, staff, household, neighbour, policy, bill_png, tmp_path, amount, reason
):
    # Given the village clerk logged in through the login form
    log_in(page, staff.village_clerk.username)

    # When the clerk types a bad amount
    fill_application(page, household, amount, bill_png)
    page.click("button[name=register]")

    # Then the form comes back with an error naming the field and the value
    error = page.locator(".field.has-error .field-error")
    sync_api.expect(error).to_contain_text("Amount claimed")
    sync_api.expect(error).to_contain_text(amount)
    sync_api.expect(error).to_contain_text(reason)
    sync_api.expect(page.locator(".error-summary")).to_contain_text("Nothing was saved")
    page.screenshot(path=str(tmp_path / "bad-amount.png"), full_page=True)
    assert Claim.objects.count() == 0
