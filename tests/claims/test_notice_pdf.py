"""The public notice PDF: what it shows, what it never shows, stored once."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from claims import notice_pdf, notices, services
from claims.models import PublicNotice
from claims.tasks import render_notice_pdf
from tests.factories import make_household
from verification import services as verification
from verification.services import IncomeLine

HEALTH_DETAILS = "患尿毒症，每周透析三次"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode()


def deliberate(household, staff, today, verified_amount: str) -> int:
    """Register an illness application and take it to deliberated; return its id."""
    claim = services.register_application(
        user=staff.village_clerk,
        household=household,
        cause="illness",
        amount_claimed=Decimal(verified_amount),
        description=HEALTH_DETAILS,
    )
    for user, step in [
        (staff.village_clerk, "review_in_village"),
        (staff.town_reviewer, "review_in_town"),
        (staff.poverty_office, "refer"),
    ]:
        services.take_step(user=user, claim_id=claim.pk, step=step)
    verification.schedule_visit(
        user=staff.coordinator,
        claim_id=claim.pk,
        inspector=staff.inspector,
        planned_on=today,
    )
    verification.record_verification(
        user=staff.inspector,
        claim_id=claim.pk,
        visited_on=today,
        members_present=list(household.members.values_list("pk", flat=True)),
        income=[IncomeLine("wage", "30000.00"), IncomeLine("transfer", "1200.00")],
        production_costs="2000.00",
        rigid_expenditure="18000.00",
        verified_amount=verified_amount,
        stable_income=True,
    )
    services.record_deliberation(
        user=staff.village_clerk,
        claim_id=claim.pk,
        held_on=today,
        members_total=9,
        members_present=7,
        members_agreeing=6,
        attendees="村委会成员七人",
        minutes="同意",
    )
    return claim.pk


@pytest.fixture
def households(village):
    first = make_household(village, head_name="张建国")
    second = make_household(village, head_name="李秀英")
    for household, phone, account in [
        (first, "13800138000", "6222020200112233445"),
        (second, "13912345678", "6217000010002223334"),
    ]:
        household.phone = phone
        household.bank_account = account
        household.save(update_fields=["phone", "bank_account"])
    return [first, second]


@pytest.fixture
def notice(households, staff, policy, fund, today) -> PublicNotice:
    claim_ids = [
        deliberate(households[0], staff, today, "18000.00"),
        deliberate(households[1], staff, today, "25000.00"),
    ]
    return notices.open_notice(user=staff.poverty_office, claim_ids=claim_ids)


def stored_files(settings) -> list[Path]:
    folder = settings.MEDIA_ROOT / "notices"
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_notice_text(notice, households, tmp_path):
    # One test for the whole text, because each claim takes seconds to set up.
    text = pdf_text(notice_pdf.render_notice_pdf(notice), tmp_path)
    first, last = notice.starts_on, notice.ends_on
    assert notice.number in text
    assert f"{first.year}年{first.month}月{first.day}日" in text
    assert f"{last.year}年{last.month}月{last.day}日" in text
    assert "兴岭村" in text
    # 10,000 x 50% + 3,000 x 70%, and 10,000 x 50% + 10,000 x 70%
    assert "¥7,100.00" in text
    assert "¥12,000.00" in text
    assert "¥19,100.00" in text


@pytest.mark.django_db
def test_notice_language_not_callers(notice, tmp_path):
    with translation.override("en"):
        text = pdf_text(notice_pdf.render_notice_pdf(notice), tmp_path)
    first = notice.starts_on
    assert f"{first.year}年{first.month}月{first.day}日" in text


@pytest.mark.django_db
def test_notice_lists_each_head(notice, households, tmp_path):
    text = pdf_text(notice_pdf.render_notice_pdf(notice), tmp_path)
    for household in households:
        head = household.head
        assert head.name in text
        assert f"{head.id_number[:6]}********{head.id_number[-4:]}" in text


@pytest.mark.django_db
def test_notice_hides_personal_data(notice, households, tmp_path):
    text = pdf_text(notice_pdf.render_notice_pdf(notice), tmp_path)
    for household in households:
        for member in household.members.all():
            assert member.id_number not in text
        assert household.phone not in text
        assert household.bank_account not in text
    assert HEALTH_DETAILS not in text


@pytest.mark.django_db
def test_store_twice_keeps_one_file(notice, settings):
    stored = notice_pdf.store_notice_pdf(notice.pk)
    again = notice_pdf.store_notice_pdf(notice.pk)
    assert stored.pdf.name.endswith(".pdf")
    assert again.pdf.name == stored.pdf.name
    assert stored_files(settings) == [Path(stored.pdf.path)]


@pytest.mark.django_db
def test_task_stores_pdf(notice, households, tmp_path):
    render_notice_pdf.delay(notice.pk)
    notice.refresh_from_db()
    text = pdf_text(notice.pdf.read(), tmp_path)
    assert households[1].head.name in text
