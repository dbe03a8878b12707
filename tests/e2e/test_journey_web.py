"""A household's illness claim from village application to payout certificate,
driven through the web pages, each step posted by the role that takes it.

The story runs on a simulated clock in June of the current year, so every
stored time is a known Beijing time and the notice's period can be checked
day by day. Pages are asked for in English, so their text matches the msgids.
"""

import datetime
import re
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from claims.models import Claim, PublicNotice, Status
from claims.tasks import close_due_notices
from payouts.models import Fund, NoticeDayKind
from registry.demo.clock import SimulatedClock, simulated_time
from registry.models import User

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock(year):
    """Run the test on a clock that starts at 08:00 on 3 June, Beijing time."""
    start = datetime.datetime(year, 6, 3, 8, 0, tzinfo=BEIJING)
    with simulated_time(SimulatedClock(start)) as simulated:
        yield simulated


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def file_bytes(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def pdf_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode()


def status_of(claim: Claim) -> str:
    return Claim.objects.values_list("status", flat=True).get(pk=claim.pk)


def in_queue(client: Client, user: User, claim: Claim) -> bool:
    """Log in as ``user`` and return whether their work queue lists the claim."""
    client.force_login(user)
    html = page_text(client.get(reverse("claims:queue")))
    return f'href="{reverse("claims:detail", args=[claim.pk])}"' in html


def fund_figures(client: Client, fund: Fund) -> dict[str, str]:
    """Return the totals shown on the fund's page, by their CSS class."""
    html = page_text(client.get(reverse("payouts:fund", args=[fund.pk])))
    return dict(re.findall(r'<dd class="(\w+)">([\d,.]+)</dd>', html))


def timeline_rows(html: str) -> list[tuple[str, str, str]]:
    """Return (transition, Beijing time, actor) as shown in each timeline row."""
    rows = re.findall(
        r'<tr data-transition="(\w+)">\s*'
        r'<td><time datetime="[^"]*">([^<]+)</time></td>\s*'
        r"<td>(.*?)</td>",
        html,
        flags=re.DOTALL,
    )
    return [
        (transition, time, " ".join(re.sub(r"<[^>]+>", " ", actor).split()))
        for transition, time, actor in rows
    ]


def beijing(year: int, month: int, day: int, hour: int, minute: int = 0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def test_illness_claim_through_pages(
    client,
    clock,
    staff,
    household,
    policy,
    fund,
    year,
    bill_png,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    # Given 张建国's household of three in 兴岭村, with 18,000 yuan of medical
    # costs left after insurance, and the year's policy of a seven-day notice
    # counted in calendar days.
    head = household.head
    members = list(household.members.order_by("pk"))
    assert head.name == "张建国"
    assert policy.notice_days == 7
    assert policy.notice_day_kind == NoticeDayKind.CALENDAR

    # When the village clerk registers the application with a scanned bill
    clock.move_to(beijing(year, 6, 3, 9))
    client.force_login(staff.village_clerk)
    response = client.post(
        reverse("claims:register"),
        {
            "household": household.pk,
            "cause": "illness",
            "amount_claimed": "18000.00",
            "description": "住院治疗，医保报销后自付部分",
            "documents": [SimpleUploadedFile("bill.png", bill_png, "image/png")],
            "register": "1",
        },
    )

    # Then the claim page shows it submitted, with the bill attached
    claim = Claim.objects.get(household=household)
    assert response.status_code == 302
    assert response.url == reverse("claims:detail", args=[claim.pk])
    html = page_text(client.get(response.url))
    assert 'data-status="submitted">Submitted<' in html
    assert ">bill.png</a>" in html
    document = claim.documents.get()
    assert file_bytes(client.get(reverse("claims:document", args=[document.pk]))) == (
        bill_png
    )
    assert in_queue(client, staff.village_clerk, claim)

    # When the village confirms its review
    clock.move_to(beijing(year, 6, 3, 9, 30))
    client.force_login(staff.village_clerk)
    client.post(
        reverse("claims:step", args=[claim.pk]),
        {"step": "review_in_village", "note": "材料齐全"},
    )

    # Then the claim leaves the clerk's queue for the town's
    assert status_of(claim) == Status.VILLAGE_REVIEWED
    assert not in_queue(client, staff.village_clerk, claim)
    assert in_queue(client, staff.town_reviewer, claim)

    # When the town confirms its review
    clock.move_to(beijing(year, 6, 4, 10))
    client.force_login(staff.town_reviewer)
    client.post(
        reverse("claims:step", args=[claim.pk]),
        {"step": "review_in_town", "note": ""},
    )

    # Then the poverty office has it to refer
    assert status_of(claim) == Status.TOWN_REVIEWED
    assert in_queue(client, staff.poverty_office, claim)

    # When the poverty office refers it to the insurer
    clock.move_to(beijing(year, 6, 5, 10))
    client.force_login(staff.poverty_office)
    client.post(reverse("claims:step", args=[claim.pk]), {"step": "refer"})

    # Then the insurer's coordinator has it to schedule
    assert status_of(claim) == Status.REFERRED
    assert in_queue(client, staff.coordinator, claim)

    # When the coordinator schedules a visit on 9 June for the inspector
    clock.move_to(beijing(year, 6, 5, 15))
    client.force_login(staff.coordinator)
    response = client.post(
        reverse("verification:schedule_visit", args=[claim.pk]),
        {
            "inspector": staff.inspector.pk,
            "planned_on": f"{year}-06-09",
            "vehicle": "闽A12345",
            "schedule": "1",
        },
    )

    # Then the visit is on the inspector's queue, off the coordinator's
    assert response.status_code == 302
    assert status_of(claim) == Status.SCHEDULED
    assert not in_queue(client, staff.coordinator, claim)
    assert in_queue(client, staff.inspector, claim)

    # When the inspector logs the home check: the child is at school, the
    # household earned 30,000 in wages and 1,200 in transfers, spent 2,000 on
    # farming and 18,000 on the illness.
    clock.move_to(beijing(year, 6, 9, 16))
    client.force_login(staff.inspector)
    response = client.post(
        reverse("verification:record", args=[claim.pk]),
        {
            "visited_on": f"{year}-06-09",
            "members_present": [members[0].pk, members[1].pk],
            "income-TOTAL_FORMS": "3",
            "income-INITIAL_FORMS": "0",
            "income-MIN_NUM_FORMS": "0",
            "income-MAX_NUM_FORMS": "50",
            "income-0-category": "wage",
            "income-0-description": "务工",
            "income-0-amount": "30000.00",
            "income-1-category": "transfer",
            "income-1-description": "养老金",
            "income-1-amount": "1200.00",
            "income-2-category": "",
            "income-2-description": "",
            "income-2-amount": "",
            "production_costs": "2000.00",
            "rigid_expenditure": "18000.00",
            "verified_amount": "18000.00",
            "stable_income": "yes",
            "notes": "住院发票已核对",
            "record": "1",
        },
        follow=True,
    )

    # Then the record page shows (31,200 - 2,000 - 18,000) / 3 = 3,733.33 yuan
    # per person, under the line of 5,200, so the household is eligible
    html = page_text(response)
    assert status_of(claim) == Status.VERIFIED
    assert 'class="conclusion-eligible">Eligible<' in html
    assert "<dd>3,733.33</dd>" in html
    assert "÷ 3 members who count = 3733.33 yuan" in html
    assert "against the income line of 5200.00 yuan" in html
    assert in_queue(client, staff.village_clerk, claim)

    # When the village committee meets: 7 of 9 members present, 6 agreeing
    clock.move_to(beijing(year, 6, 12, 19))
    client.force_login(staff.village_clerk)
    response = client.post(
        reverse("claims:deliberation", args=[claim.pk]),
        {
            "held_on": f"{year}-06-12",
            "members_total": "9",
            "members_present": "7",
            "members_agreeing": "6",
            "attendees": "村委会成员七人",
            "minutes": "同意列入公示",
            "record": "1",
        },
    )

    # Then two thirds are present and agree, and the claim awaits its notice
    assert response.status_code == 302
    assert status_of(claim) == Status.DELIBERATED
    assert in_queue(client, staff.poverty_office, claim)

    # When the poverty office opens the notice at 00:30 on 14 June in Beijing,
    # which is still 13 June in UTC
    clock.move_to(beijing(year, 6, 14, 0, 30))
    client.force_login(staff.poverty_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("claims:notice_open"), {"claims": [claim.pk], "open": "1"}
        )

    # Then the seven days run from 14 to 20 June on the Beijing calendar, the
    # notice may close from midnight after the last day, and its PDF is stored
    notice = PublicNotice.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("claims:notice_detail", args=[notice.pk])
    assert notice.starts_on == datetime.date(year, 6, 14)
    assert notice.ends_on == datetime.date(year, 6, 20)
    assert notice.closes_at == beijing(year, 6, 21, 0)
    assert notice.pdf
    html = page_text(client.get(response.url))
    assert f"<dt>Last day</dt><dd>{year}-06-20</dd>" in html
    assert f"<dt>Closes at (Beijing)</dt><dd>{year}-06-21 00:00</dd>" in html
    assert status_of(claim) == Status.ON_NOTICE
    assert in_queue(client, staff.village_clerk, claim)

    # And the notice the clerk prints names the head with the ID masked
    client.force_login(staff.village_clerk)
    response = client.get(reverse("claims:notice_pdf", args=[notice.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path, "notice.pdf")
    masked = head.id_number[:6] + "********" + head.id_number[-4:]
    assert "张建国" in text
    assert masked in text
    assert head.id_number not in text
    assert "¥7,100.00" in text

    # When the scheduled duty runs a minute before the period ends
    clock.move_to(beijing(year, 6, 20, 23, 59))
    close_due_notices.delay()

    # Then the notice stays open
    notice.refresh_from_db()
    assert notice.closed_at is None
    assert status_of(claim) == Status.ON_NOTICE

    # When it runs five minutes after midnight, with no objection recorded
    clock.move_to(beijing(year, 6, 21, 0, 5))
    result = close_due_notices.delay()

    # Then the notice closes and the claim passes it
    notice.refresh_from_db()
    assert result.get() == 1
    assert notice.closed_at == beijing(year, 6, 21, 0, 5)
    assert status_of(claim) == Status.NOTICE_PASSED
    assert in_queue(client, staff.poverty_office, claim)

    # When the poverty office reviews the payout and approves it
    clock.move_to(beijing(year, 6, 23, 9))
    client.force_login(staff.poverty_office)
    html = page_text(client.get(reverse("payouts:approve", args=[claim.pk])))
    response = client.post(
        reverse("payouts:approve", args=[claim.pk]),
        {"note": "同意发放", "approve": "1"},
    )

    # Then 10,000 x 50% + 3,000 x 70% = 7,100.00 is computed and reserved
    assert '<strong id="payout-amount">7,100.00</strong>' in html
    assert '<td class="num">50%</td><td class="num">5000.00</td>' in html
    assert '<td class="num">70%</td><td class="num">2100.00</td>' in html
    assert response.status_code == 302
    assert status_of(claim) == Status.APPROVED
    assert fund_figures(client, fund) == {
        "total": "4,500,000.00",
        "reserved": "7,100.00",
        "disbursed": "0.00",
        "remaining": "4,492,900.00",
    }
    assert in_queue(client, staff.coordinator, claim)

    # When the coordinator records the bank transfer
    clock.move_to(beijing(year, 6, 24, 10))
    client.force_login(staff.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("payouts:mark_paid", args=[claim.pk]),
            {"bank_reference": "NX0624001", "mark_paid": "1"},
        )

    # Then the reservation becomes a disbursement, and no work queue lists the
    # claim any more
    assert response.status_code == 302
    assert status_of(claim) == Status.PAID
    assert fund_figures(client, fund) == {
        "total": "4,500,000.00",
        "reserved": "0.00",
        "disbursed": "7,100.00",
        "remaining": "4,492,900.00",
    }
    for user in (staff.village_clerk, staff.poverty_office, staff.coordinator):
        assert not in_queue(client, user, claim)

    # And the household's clerk downloads the certificate the task rendered
    client.force_login(staff.village_clerk)
    html = page_text(client.get(reverse("claims:detail", args=[claim.pk])))
    certificate_url = reverse("payouts:certificate_pdf", kwargs={"claim_pk": claim.pk})
    assert f'id="certificate-link" href="{certificate_url}"' in html
    text = pdf_text(file_bytes(client.get(certificate_url)), tmp_path, "cert.pdf")
    assert "张建国" in text
    assert "¥7,100.00" in text
    assert "柒仟壹佰元整" in text
    assert claim.number in text

    # And the claim page shows every step at its Beijing time and by whom. The
    # scheduled duty, not a person, passed the notice.
    day = f"{year}-06"
    assert timeline_rows(html) == [
        ("register", f"{day}-03 09:00:00", "clerk Village clerk"),
        ("review_in_village", f"{day}-03 09:30:00", "clerk Village clerk"),
        ("review_in_town", f"{day}-04 10:00:00", "town Town reviewer"),
        ("refer", f"{day}-05 10:00:00", "office Poverty office"),
        ("schedule_visit", f"{day}-05 15:00:00", "coordinator Insurer coordinator"),
        ("verify_eligible", f"{day}-09 16:00:00", "inspector Insurer inspector"),
        ("record_deliberation", f"{day}-12 19:00:00", "clerk Village clerk"),
        ("post_notice", f"{day}-14 00:30:00", "office Poverty office"),
        ("pass_notice", f"{day}-21 00:05:00", "Scheduled duty"),
        ("approve", f"{day}-23 09:00:00", "office Poverty office"),
        ("mark_paid", f"{day}-24 10:00:00", "coordinator Insurer coordinator"),
    ]

    # And the clerk of another village can reach neither claim nor certificate
    client.force_login(staff.other_clerk)
    assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 404
    assert client.get(certificate_url).status_code == 404
    assert client.get(reverse("claims:document", args=[document.pk])).status_code == (
        404
    )
    assert client.get(reverse("claims:notice_pdf", args=[notice.pk])).status_code == (
        404
    )
