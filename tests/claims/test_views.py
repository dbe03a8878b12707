"""The claim pages: registering, the claim page and its steps, deliberation,
public notices and objections, documents, each scoped by role and area."""

import datetime
import shutil
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from claims import notices
from claims.models import Claim, Deliberation, Objection, ObjectionStatus, Status
from registry.models import Area
from tests.conftest import OTHER_VILLAGE_CODE
from tests.factories import make_household
from tests.journey import claim_at, state_logs

pytestmark = pytest.mark.django_db

REGISTER = reverse("claims:register")


@pytest.fixture(autouse=True)
def _english(client):
    """Ask for English pages, so messages match their msgids whatever the
    Chinese catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def pdf_upload(name: str = "bill.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n% hospital bill\n", content_type="application/pdf"
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def application(household, **changes) -> dict:
    data = {
        "household": household.pk,
        "cause": "illness",
        "amount_claimed": "18000.00",
        "description": "住院治疗",
        "documents": [pdf_upload()],
    }
    data.update(changes)
    return data


def post_step(client, claim, step: str, note: str = ""):
    return client.post(
        reverse("claims:step", args=[claim.pk]), {"step": step, "note": note}
    )


def status_of(claim) -> str:
    return Claim.objects.values_list("status", flat=True).get(pk=claim.pk)


# Registering an application ---------------------------------------------------


def test_register_page_renders_for_clerk(client, staff, household, policy):
    client.force_login(staff.village_clerk)

    response = client.get(REGISTER)

    assert response.status_code == 200
    assert household in response.context["form"].fields["household"].queryset


def test_register_refused_for_town(client, staff, household, policy):
    client.force_login(staff.town_reviewer)

    response = client.get(REGISTER)

    assert response.status_code == 403


def test_register_creates_claim(client, staff, household, policy):
    client.force_login(staff.village_clerk)

    response = client.post(REGISTER, application(household))

    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("claims:detail", args=[claim.pk])
    assert claim.amount_claimed == Decimal("18000.00")
    assert claim.status == Status.SUBMITTED
    assert claim.documents.count() == 1
    assert claim.number in messages_of(response)[0]


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-5", "negative"),
        ("1.234", "more than two decimal places"),
        ("abc", "not a number"),
        ("0", "greater than zero"),
    ],
)
def test_register_rejects_bad_amount(client, staff, household, policy, amount, reason):
    client.force_login(staff.village_clerk)

    response = client.post(REGISTER, application(household, amount_claimed=amount))

    assert response.status_code == 200
    error = response.context["form"].errors["amount_claimed"][0]
    assert "Amount claimed" in error
    assert amount in error
    assert reason in error
    assert Claim.objects.count() == 0


def test_register_error_keeps_short_list(client, staff, village, household, policy):
    for _ in range(55):
        make_household(village, members=1)
    last = make_household(village, head_name="尾户", members=1)
    client.force_login(staff.village_clerk)

    response = client.post(REGISTER, application(last, amount_claimed="-5"))

    shown = response.context["form"].fields["household"].queryset
    assert shown.count() == 51
    assert shown.filter(pk=last.pk).exists()
    assert "Attach the documents again" in response.content.decode()


def test_register_error_names_field_in_summary(client, staff, household, policy):
    client.force_login(staff.village_clerk)

    response = client.post(REGISTER, application(household, amount_claimed="-5"))

    text = response.content.decode()
    assert "Amount claimed (yuan)</a>:" in text
    assert "-5" in text


def test_register_rejects_other_village_household(client, staff, household, policy):
    stranger = make_household(Area.objects.get(code=OTHER_VILLAGE_CODE), "李卫东")
    client.force_login(staff.village_clerk)

    response = client.post(REGISTER, application(stranger))

    assert str(stranger.pk) in response.context["form"].errors["household"][0]
    assert Claim.objects.count() == 0


def test_register_rejects_bad_document(client, staff, household, policy):
    client.force_login(staff.village_clerk)
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdos")

    response = client.post(REGISTER, application(household, documents=[script]))

    assert "run.exe" in response.context["form"].errors["documents"][0]
    assert Claim.objects.count() == 0


def test_register_requires_document(client, staff, household, policy):
    client.force_login(staff.village_clerk)

    response = client.post(REGISTER, application(household, documents=[]))

    assert "documents" in response.context["form"].errors
    assert Claim.objects.count() == 0


def test_register_accepts_several_documents(client, staff, household, policy):
    client.force_login(staff.village_clerk)
    files = [pdf_upload("bill.pdf"), pdf_upload("discharge.pdf")]

    client.post(REGISTER, application(household, documents=files))

    titles = set(Claim.objects.get().documents.values_list("title", flat=True))
    assert titles == {"bill.pdf", "discharge.pdf"}


def test_household_search_by_name(client, staff, household, village, policy):
    other = make_household(village, "王秀英")
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:household_options"), {"q": "秀英"})

    assert list(response.context["households"]) == [other]


def test_household_search_by_id_number(client, staff, household, village, policy):
    make_household(village, "王秀英")
    client.force_login(staff.village_clerk)

    response = client.get(
        reverse("claims:household_options"), {"q": household.head.id_number}
    )

    assert list(response.context["households"]) == [household]


# The claim page ---------------------------------------------------------------


def test_detail_renders_for_clerk(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    assert response.status_code == 200
    assert claim.number in response.content.decode()


def test_detail_other_clerk_gets_404(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.other_clerk)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    assert response.status_code == 404


def test_detail_offers_clerk_steps(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    steps = [step["name"] for step in response.context["steps"]]
    assert steps == ["review_in_village", "reject", "withdraw"]
    assert 'name="step" value="review_in_village"' in response.content.decode()


def test_detail_offers_town_no_step_yet(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.town_reviewer)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    steps = [step["name"] for step in response.context["steps"]]
    assert steps == ["reject"]


def test_detail_masks_ids_for_town(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.town_reviewer)

    text = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()

    for member in household.members.all():
        assert member.id_number not in text
        assert member.masked_id_number in text


def test_detail_shows_ids_to_clerk(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    text = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()

    for member in household.members.all():
        assert member.id_number in text


def test_detail_shows_timeline(client, staff, household, policy):
    claim = claim_at(Status.TOWN_REVIEWED, household, staff)
    client.force_login(staff.poverty_office)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    transitions = [log.transition for log in response.context["timeline"]]
    assert transitions == ["register", "review_in_village", "review_in_town"]
    text = response.content.decode()
    first = state_logs(claim).first()
    local = timezone.localtime(first.timestamp, ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d %H:%M:%S") in text


def test_detail_shows_verification(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    assert "3,733.33" in response.content.decode()
    assert response.context["may_deliberate"] is True


# Steps --------------------------------------------------------------------------


def test_step_village_review(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = post_step(client, claim, "review_in_village", "材料齐全")

    assert response.status_code == 302
    assert status_of(claim) == Status.VILLAGE_REVIEWED
    assert state_logs(claim).last().description == "材料齐全"


def test_step_wrong_role_refused(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.town_reviewer)

    response = post_step(client, claim, "review_in_village")

    assert response.status_code == 403
    assert status_of(claim) == Status.SUBMITTED


def test_step_other_village_gets_404(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.other_clerk)

    response = post_step(client, claim, "review_in_village")

    assert response.status_code == 404
    assert status_of(claim) == Status.SUBMITTED


def test_step_reject_needs_reason(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = post_step(client, claim, "reject", "  ")

    message = messages_of(response)[0]
    assert "reason is required" in message
    assert "Reason or note" in message
    assert status_of(claim) == Status.SUBMITTED


def test_step_withdraw_needs_reason(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    post_step(client, claim, "withdraw", "")

    assert status_of(claim) == Status.SUBMITTED


def test_step_withdraw_with_reason(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    post_step(client, claim, "withdraw", "户主已康复")

    claim.refresh_from_db()
    assert claim.status == Status.WITHDRAWN
    assert claim.closing_reason == "户主已康复"


def test_step_not_allowed_now_shows_message(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.poverty_office)

    response = post_step(client, claim, "refer")

    assert "is not allowed now" in messages_of(response)[0]
    assert status_of(claim) == Status.SUBMITTED


def test_step_unknown_names_value(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = post_step(client, claim, "approve")

    assert "approve" in messages_of(response)[0]
    assert status_of(claim) == Status.SUBMITTED


def test_step_get_not_allowed(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:step", args=[claim.pk]))

    assert response.status_code == 405


# Documents ----------------------------------------------------------------------


def test_document_uploads_and_downloads(client, staff, household, policy):
    client.force_login(staff.village_clerk)
    client.post(REGISTER, application(household))
    document = Claim.objects.get().documents.get()

    response = client.get(reverse("claims:document", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n% hospital bill\n"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "bill.pdf" in response.headers["Content-Disposition"]


def test_document_other_clerk_gets_404(client, staff, household, policy):
    client.force_login(staff.village_clerk)
    client.post(REGISTER, application(household))
    document = Claim.objects.get().documents.get()
    client.force_login(staff.other_clerk)

    response = client.get(reverse("claims:document", args=[document.pk]))

    assert response.status_code == 404


def test_document_visible_to_town(client, staff, household, policy):
    client.force_login(staff.village_clerk)
    client.post(REGISTER, application(household))
    document = Claim.objects.get().documents.get()
    client.force_login(staff.town_reviewer)

    response = client.get(reverse("claims:document", args=[document.pk]))

    assert response.status_code == 200


def test_document_added_to_claim(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    client.post(
        reverse("claims:document_add", args=[claim.pk]),
        {"documents": [pdf_upload("receipt.pdf")]},
    )

    assert list(claim.documents.values_list("title", flat=True)) == ["receipt.pdf"]


def test_document_add_refused_for_town(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.town_reviewer)

    response = client.post(
        reverse("claims:document_add", args=[claim.pk]),
        {"documents": [pdf_upload("receipt.pdf")]},
    )

    assert response.status_code == 403
    assert claim.documents.count() == 0


# Village deliberation -------------------------------------------------------------


def deliberation_data(**changes) -> dict:
    data = {
        "held_on": timezone.localdate().isoformat(),
        "members_total": "9",
        "members_present": "7",
        "members_agreeing": "6",
        "attendees": "村委会成员七人",
        "minutes": "同意",
    }
    data.update(changes)
    return data


def test_deliberation_page_renders(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:deliberation", args=[claim.pk]))

    assert response.status_code == 200
    assert 'name="members_present"' in response.content.decode()


def test_deliberation_passes(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:deliberation", args=[claim.pk]), deliberation_data()
    )

    assert response.status_code == 302
    assert status_of(claim) == Status.DELIBERATED
    assert Deliberation.objects.get().passed is True
    assert "passed" in messages_of(response)[0]


def test_deliberation_without_quorum_rejects(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:deliberation", args=[claim.pk]),
        deliberation_data(members_present="5", members_agreeing="5"),
    )

    assert status_of(claim) == Status.REJECTED
    assert Deliberation.objects.get().passed is False
    assert "did not pass" in messages_of(response)[0]


def test_deliberation_bad_count_names_value(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:deliberation", args=[claim.pk]),
        deliberation_data(members_present="12"),
    )

    error = response.context["form"].errors["members_present"][0]
    assert "12" in error
    assert status_of(claim) == Status.VERIFIED
    assert Deliberation.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"), [("members_total", "-1"), ("members_agreeing", "six")]
)
def test_deliberation_invalid_number(
    client, staff, household, policy, fund, field, value
):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:deliberation", args=[claim.pk]),
        deliberation_data(**{field: value}),
    )

    error = response.context["form"].errors[field][0]
    assert value in error
    assert str(response.context["form"].fields[field].label) in error
    assert status_of(claim) == Status.VERIFIED


def test_deliberation_future_date_refused(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.village_clerk)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("claims:deliberation", args=[claim.pk]),
        deliberation_data(held_on=tomorrow),
    )

    assert tomorrow in response.context["form"].errors["held_on"][0]
    assert status_of(claim) == Status.VERIFIED


def test_deliberation_refused_for_town(client, staff, household, policy, fund):
    claim = claim_at(Status.VERIFIED, household, staff)
    client.force_login(staff.town_reviewer)

    response = client.post(
        reverse("claims:deliberation", args=[claim.pk]), deliberation_data()
    )

    assert response.status_code == 403
    assert status_of(claim) == Status.VERIFIED


def test_deliberation_wrong_status_redirects(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:deliberation", args=[claim.pk]))

    assert response.status_code == 302
    assert "only verified claims" in messages_of(response)[0]


# Public notices -------------------------------------------------------------------


def test_notice_open_page_lists_candidates(client, staff, household, policy, fund):
    claim = claim_at(Status.DELIBERATED, household, staff)
    client.force_login(staff.poverty_office)

    response = client.get(reverse("claims:notice_open"))

    assert response.status_code == 200
    assert f'name="claims" value="{claim.pk}"' in response.content.decode()


def test_notice_open_by_office(client, staff, household, policy, fund):
    claim = claim_at(Status.DELIBERATED, household, staff)
    client.force_login(staff.poverty_office)

    response = client.post(reverse("claims:notice_open"), {"claims": [claim.pk]})

    notice = notices.current_entry(claim).notice
    assert response.status_code == 302
    assert response.url == reverse("claims:notice_detail", args=[notice.pk])
    assert status_of(claim) == Status.ON_NOTICE


def test_notice_open_refused_for_town(client, staff, household, policy, fund):
    claim = claim_at(Status.DELIBERATED, household, staff)
    client.force_login(staff.town_reviewer)

    response = client.post(reverse("claims:notice_open"), {"claims": [claim.pk]})

    assert response.status_code == 403
    assert status_of(claim) == Status.DELIBERATED


def test_notice_open_other_clerk_cannot_pick(client, staff, household, policy, fund):
    claim = claim_at(Status.DELIBERATED, household, staff)
    client.force_login(staff.other_clerk)

    response = client.post(reverse("claims:notice_open"), {"claims": [claim.pk]})

    assert str(claim.pk) in response.context["form"].errors["claims"][0]
    assert status_of(claim) == Status.DELIBERATED


def test_notice_open_needs_a_claim(client, staff, household, policy, fund):
    claim_at(Status.DELIBERATED, household, staff)
    client.force_login(staff.poverty_office)

    response = client.post(reverse("claims:notice_open"), {})

    assert "claims" in response.context["form"].errors


def test_notice_list_and_detail(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    notice = notices.current_entry(claim).notice
    client.force_login(staff.town_reviewer)

    listing = client.get(reverse("claims:notice_list"))
    page = client.get(reverse("claims:notice_detail", args=[notice.pk]))

    assert notice.number in listing.content.decode()
    text = page.content.decode()
    assert "张建国" in text
    assert "7,100.00" in text
    assert reverse("claims:notice_pdf", args=[notice.pk]) in text


def test_notice_masks_id_even_for_clerk(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    notice = notices.current_entry(claim).notice
    head_id = household.head.id_number
    client.force_login(staff.village_clerk)

    text = client.get(
        reverse("claims:notice_detail", args=[notice.pk])
    ).content.decode()

    assert head_id not in text
    assert f"{head_id[:6]}********{head_id[-4:]}" in text


def test_notice_other_clerk_gets_404(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    notice = notices.current_entry(claim).notice
    client.force_login(staff.other_clerk)

    page = client.get(reverse("claims:notice_detail", args=[notice.pk]))
    listing = client.get(reverse("claims:notice_list"))

    assert page.status_code == 404
    assert notice.number not in listing.content.decode()


def test_notice_pdf_other_clerk_gets_404(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    notice = notices.current_entry(claim).notice
    client.force_login(staff.other_clerk)

    response = client.get(reverse("claims:notice_pdf", args=[notice.pk]))

    assert response.status_code == 404


def pdf_text(data: bytes, folder) -> str:
    program = shutil.which("pdftotext")
    assert program, "pdftotext (Debian poppler-utils) is not installed"
    path = folder / "notice.pdf"
    path.write_bytes(data)
    # A fixed program run on a file this test wrote.
    result = subprocess.run(  # noqa: S603
        [program, "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode()


def test_notice_pdf_downloads(client, staff, household, policy, fund, tmp_path):
    pytest.importorskip("claims.notice_pdf")
    claim = claim_at(Status.ON_NOTICE, household, staff)
    notice = notices.current_entry(claim).notice
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:notice_pdf", args=[notice.pk]))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert notice.number in text
    assert "张建国" in text
    assert household.head.id_number not in text
    assert household.head.masked_id_number in text


# Objections -----------------------------------------------------------------------


def objection_data(**changes) -> dict:
    data = {
        "raised_on": timezone.localdate().isoformat(),
        "raised_by": "村民甲",
        "content": "该户有经营性收入未申报",
    }
    data.update(changes)
    return data


def test_objection_recorded_by_clerk(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    notice = notices.current_entry(claim).notice
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:objection", args=[claim.pk]), objection_data()
    )

    assert response.status_code == 302
    assert response.url == reverse("claims:notice_detail", args=[notice.pk])
    objection = Objection.objects.get()
    assert objection.status == ObjectionStatus.PENDING
    assert objection.raised_by == "村民甲"


def test_objection_needs_content(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:objection", args=[claim.pk]), objection_data(content="")
    )

    assert "content" in response.context["form"].errors
    assert Objection.objects.count() == 0


def test_objection_date_outside_notice(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:objection", args=[claim.pk]),
        objection_data(raised_on="2001-01-01"),
    )

    assert "2001-01-01" in response.context["form"].errors["raised_on"][0]
    assert Objection.objects.count() == 0


def test_objection_refused_for_town(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    client.force_login(staff.town_reviewer)

    response = client.post(
        reverse("claims:objection", args=[claim.pk]), objection_data()
    )

    assert response.status_code == 403
    assert Objection.objects.count() == 0


def test_objection_not_on_notice_redirects(client, staff, household, policy):
    claim = claim_at(Status.SUBMITTED, household, staff)
    client.force_login(staff.village_clerk)

    response = client.get(reverse("claims:objection", args=[claim.pk]))

    assert response.status_code == 302
    assert "not on an open notice" in messages_of(response)[0]


def raise_objection(claim, clerk) -> Objection:
    return notices.record_objection(
        user=clerk,
        claim_id=claim.pk,
        raised_on=timezone.localdate(),
        raised_by="村民甲",
        content="该户有经营性收入未申报",
    )


def test_objection_upheld_by_office(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    objection = raise_objection(claim, staff.village_clerk)
    client.force_login(staff.poverty_office)

    response = client.post(
        reverse("claims:objection_resolve", args=[objection.pk]),
        {"decision": "uphold", "resolution": "经核实有经营收入，重新核查"},
    )

    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert status_of(claim) == Status.REFERRED


def test_objection_dismissed_by_office(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    objection = raise_objection(claim, staff.village_clerk)
    client.force_login(staff.poverty_office)

    client.post(
        reverse("claims:objection_resolve", args=[objection.pk]),
        {"decision": "dismiss", "resolution": "经核实收入属实"},
    )

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED
    assert status_of(claim) == Status.ON_NOTICE


def test_objection_resolution_required(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    objection = raise_objection(claim, staff.village_clerk)
    client.force_login(staff.poverty_office)

    response = client.post(
        reverse("claims:objection_resolve", args=[objection.pk]),
        {"decision": "uphold", "resolution": ""},
    )

    assert "resolution" in response.context["form"].errors
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING
    assert status_of(claim) == Status.ON_NOTICE


def test_objection_resolve_refused_for_clerk(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    objection = raise_objection(claim, staff.village_clerk)
    client.force_login(staff.village_clerk)

    response = client.post(
        reverse("claims:objection_resolve", args=[objection.pk]),
        {"decision": "uphold", "resolution": "重新核查"},
    )

    assert response.status_code == 403
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


def test_objection_resolve_other_office_404(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    objection = raise_objection(claim, staff.village_clerk)
    client.force_login(staff.other_poverty_office)

    response = client.get(reverse("claims:objection_resolve", args=[objection.pk]))

    assert response.status_code == 404


def test_objections_shown_on_claim_page(client, staff, household, policy, fund):
    claim = claim_at(Status.ON_NOTICE, household, staff)
    raise_objection(claim, staff.village_clerk)
    client.force_login(staff.poverty_office)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    text = response.content.decode()
    assert "该户有经营性收入未申报" in text
    assert (
        reverse("claims:objection_resolve", args=[Objection.objects.get().pk]) in text
    )


@pytest.mark.parametrize(
    "status",
    [
        Status.SCHEDULED,
        Status.ON_NOTICE,
        Status.NOTICE_PASSED,
        Status.APPROVED,
        Status.PAID,
    ],
)
def test_detail_renders_for_every_role(client, staff, household, policy, fund, status):
    claim = claim_at(status, household, staff)
    roles = ["village_clerk", "town_reviewer", "poverty_office", "coordinator"]
    roles += ["inspector", "auditor"]

    for role in roles:
        client.force_login(getattr(staff, role))
        response = client.get(reverse("claims:detail", args=[claim.pk]))
        assert response.status_code == 200, role


def test_detail_inspector_without_visit_404(client, staff, household, policy):
    claim = claim_at(Status.REFERRED, household, staff)
    client.force_login(staff.inspector)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    assert response.status_code == 404


def test_detail_includes_verification_actions(client, staff, household, policy):
    claim = claim_at(Status.REFERRED, household, staff)
    client.force_login(staff.coordinator)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    schedule = reverse("verification:schedule_visit", args=[claim.pk])
    assert schedule in response.content.decode()


def test_detail_includes_payout_actions(client, staff, household, policy, fund):
    claim = claim_at(Status.NOTICE_PASSED, household, staff)
    client.force_login(staff.poverty_office)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    assert reverse("payouts:approve", args=[claim.pk]) in response.content.decode()
