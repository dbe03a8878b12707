"""The payout certificate PDF: its text, stored once, rendered by the task,
and the amount in Chinese capital numerals (大写)."""

import datetime
import logging
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from claims.models import Status
from payouts import certificates
from payouts import services as payouts
from payouts.certificates import amount_in_capitals
from payouts.models import Certificate
from payouts.tasks import render_certificate
from relief import celery_app
from relief.pdf import harfbuzz_subsetter_available, html_to_pdf, store_file_once
from tests.factories import make_claim
from tests.journey import advance


def pdf_text(path: Path) -> str:
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode()


def pdf_pages(path: Path) -> int:
    result = subprocess.run(  # noqa: S603
        ["pdfinfo", str(path)],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=60,
    )
    for line in result.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError(f"pdfinfo printed no page count for {path}")


def pay_claim(claim, household, staff, today) -> None:
    """Take the claim from application to paid through the services; the
    certificate's PDF is not rendered, because on-commit callbacks are not run."""
    advance(claim, to=Status.APPROVED, staff=staff)
    payouts.mark_paid(user=staff.coordinator, claim_id=claim.pk, bank_reference="B1")


@pytest.fixture
def unrendered(staff, household, policy, fund, today) -> Certificate:
    """A paid claim's certificate whose PDF has not been rendered yet."""
    claim = make_claim(household, staff.village_clerk)
    pay_claim(claim, household, staff, today)
    return Certificate.objects.get(payment__claim=claim)


@pytest.fixture
def rendered(unrendered) -> Certificate:
    return certificates.render_and_store(unrendered.pk)


def stored_files(settings, folder: str) -> list[Path]:
    return [
        path for path in (settings.MEDIA_ROOT / folder).rglob("*") if path.is_file()
    ]


# Text of the rendered certificate ---------------------------------------


@pytest.mark.django_db
def test_certificate_text(rendered):
    # One test for the whole text, because each paid claim takes seconds to set up.
    text = pdf_text(Path(rendered.pdf.path))
    claim = rendered.payment.claim
    id_number = claim.household.head.id_number
    assert "张建国" in text
    assert "¥7,100.00" in text
    assert "柒仟壹佰元整" in text
    assert "¥18,000.00" in text
    assert rendered.number in text
    assert rendered.verification_code in text
    assert claim.number in text
    assert f"{id_number[:6]}********{id_number[-4:]}" in text
    assert id_number not in text
    assert "示范市东川县东乐镇兴岭村" in text
    assert rendered.payment.fund.name in text
    assert "B1" in text
    assert "http://127.0.0.1:8000/payouts/certificates/check/" in text
    assert pdf_pages(Path(rendered.pdf.path)) == 1


@pytest.mark.django_db
def test_certificate_text_beijing_dates(rendered, tmp_path):
    # 23:30 UTC on 31 May is 1 June in Beijing.
    paid_at = datetime.datetime(2025, 5, 31, 23, 30, tzinfo=datetime.UTC)
    type(rendered.payment).objects.filter(pk=rendered.payment_id).update(
        paid_at=paid_at
    )
    pdf = certificates.render_certificate_pdf(certificates._load(rendered.pk))
    path = tmp_path / "dates.pdf"
    path.write_bytes(pdf)
    assert "2025年6月1日" in pdf_text(path)


# Storing once --------------------------------------------------------------


@pytest.mark.django_db
def test_render_twice_stores_one_file(rendered, settings):
    again = certificates.render_and_store(rendered.pk)
    assert again.pdf.name == rendered.pdf.name
    assert again.rendered_at == rendered.rendered_at
    assert stored_files(settings, "certificates") == [Path(rendered.pdf.path)]


@pytest.mark.django_db
def test_store_race_keeps_first_file(unrendered, settings):
    # Two workers loaded the row before either stored a PDF.
    first = Certificate.objects.get(pk=unrendered.pk)
    second = Certificate.objects.get(pk=unrendered.pk)
    assert store_file_once(first, "pdf", "a.pdf", b"%PDF-first")
    assert not store_file_once(second, "pdf", "a.pdf", b"%PDF-second")
    stored = Certificate.objects.get(pk=unrendered.pk)
    assert stored.pdf.read() == b"%PDF-first"
    assert stored_files(settings, "certificates") == [Path(stored.pdf.path)]


@pytest.mark.django_db
def test_mark_paid_renders_certificate(
    staff, household, policy, fund, today, django_capture_on_commit_callbacks
):
    claim = make_claim(household, staff.village_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        pay_claim(claim, household, staff, today)
    certificate = Certificate.objects.get(payment__claim=claim)
    assert certificate.rendered_at is not None
    assert "柒仟壹佰元整" in pdf_text(Path(certificate.pdf.path))


# The task ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "runs"),
    [
        (OSError("file store unreachable"), 1 + render_certificate.max_retries),
        (ValueError("bad template"), 1),
    ],
)
def test_task_retries_only_os_error(unrendered, monkeypatch, error, runs):
    calls = []

    def fail(certificate_id):
        calls.append(certificate_id)
        raise error

    monkeypatch.setattr(certificates, "render_and_store", fail)
    # Eager retries run in-process only when errors are not propagated.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    result = render_certificate.apply(args=[unrendered.pk])
    assert result.state == "FAILURE"
    assert isinstance(result.result, type(error))
    assert len(calls) == runs


@pytest.mark.django_db
def test_task_missing_row_fails():
    with pytest.raises(Certificate.DoesNotExist):
        render_certificate.delay(999999)


def test_task_has_time_limits():
    assert render_certificate.soft_time_limit is not None
    assert render_certificate.soft_time_limit < render_certificate.time_limit


# The renderer ---------------------------------------------------------------


def test_harfbuzz_subsetter_loaded():
    assert harfbuzz_subsetter_available()


def test_render_logs_no_fonttools_fallback(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf = html_to_pdf(
        '<html lang="zh-Hans"><body style="font-family: \'Noto Serif CJK SC\'">'
        "<p>防贫帮困金发放凭证</p></body></html>"
    )
    assert pdf.startswith(b"%PDF")
    fallback = [r for r in caplog.records if "fontTools" in r.getMessage()]
    assert fallback == []


def test_render_rejects_file_urls(caplog):
    caplog.set_level(logging.ERROR, logger="weasyprint")
    html_to_pdf('<img src="file:///etc/hostname">')
    messages = [record.getMessage() for record in caplog.records]
    assert any("disallowed protocol" in message for message in messages)


# Amounts in capitals ---------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("7100.00", "柒仟壹佰元整"),
        ("10005.05", "壹万零伍元零伍分"),
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("0.55", "伍角伍分"),
        ("1.00", "壹元整"),
        ("10.00", "壹拾元整"),
        ("15.80", "壹拾伍元捌角整"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("1409.50", "壹仟肆佰零玖元伍角整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("100005.00", "壹拾万零伍元整"),
        ("107000.53", "壹拾万零柒仟元伍角叁分"),
        ("1001000.00", "壹佰万零壹仟元整"),
        ("1000000.00", "壹佰万元整"),
        ("100010000.00", "壹亿零壹万元整"),
        ("200000000.00", "贰亿元整"),
        ("4500000.00", "肆佰伍拾万元整"),
        ("1000000000000.00", "壹万亿元整"),
        ("1000100000000.00", "壹万零壹亿元整"),
        ("1000000010000.00", "壹万亿零壹万元整"),
        (
            "9999999999999999.99",
            "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
        ),
        ("5.5", "伍元伍角整"),
    ],
)
def test_capitals(amount, expected):
    assert amount_in_capitals(Decimal(amount)) == expected


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("-1.00"),
        Decimal("1.005"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("10000000000000000.00"),
        Decimal("1E+30"),
        7100.0,
        "7100.00",
    ],
)
def test_capitals_invalid(amount):
    with pytest.raises(ValueError, match="amount must be a Decimal"):
        amount_in_capitals(amount)
