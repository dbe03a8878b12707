"""Read-only admin views of visits and home checks."""

from django.contrib import admin

from relief.admin import ReadOnlyAdmin
from verification.models import Verification, Visit


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["claim", "inspector", "planned_on", "vehicle"]


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = [
        "claim",
        "inspector",
        "visited_on",
        "per_capita_income",
        "conclusion",
    ]
    list_filter = ["conclusion"]
