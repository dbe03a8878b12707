"""Adding supporting documents to a claim through the service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import ClaimDocument
from claims.services import add_document
from relief.errors import PermissionRefused, ServiceError
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


def pdf_file(name: str = "发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", "application/pdf")


def test_clerk_adds_document(staff, household, policy):
    claim = make_claim(household, staff.village_clerk)

    document = add_document(
        user=staff.village_clerk, claim_id=claim.pk, document=pdf_file()
    )

    assert document.claim_id == claim.pk
    assert document.title == "发票.pdf"


@pytest.mark.parametrize("role", ["town_reviewer", "poverty_office", "other_clerk"])
def test_other_roles_cannot_add(staff, household, policy, role):
    claim = make_claim(household, staff.village_clerk)

    with pytest.raises(PermissionRefused):
        add_document(user=getattr(staff, role), claim_id=claim.pk, document=pdf_file())

    assert ClaimDocument.objects.filter(claim=claim).count() == 0


def test_executable_refused_by_name(staff, household, policy):
    claim = make_claim(household, staff.village_clerk)

    with pytest.raises(ServiceError) as error:
        add_document(
            user=staff.village_clerk, claim_id=claim.pk, document=pdf_file("run.exe")
        )

    assert "run.exe" in error.value.message
    assert error.value.field == "documents"
