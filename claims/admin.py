"""Read-only admin views of claims; every change goes through the services."""

from django.contrib import admin

from claims.models import Claim, ClaimDocument, Deliberation, Objection, PublicNotice
from relief.admin import ReadOnlyAdmin


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "household",
        "cause",
        "channel",
        "amount_claimed",
        "status",
        "created_at",
    ]
    list_filter = ["status", "cause", "channel", "policy_year"]
    search_fields = ["number", "household__members__name"]


@admin.register(ClaimDocument)
class ClaimDocumentAdmin(ReadOnlyAdmin):
    list_display = ["claim", "title", "uploaded_at"]


@admin.register(Deliberation)
class DeliberationAdmin(ReadOnlyAdmin):
    list_display = ["claim", "held_on", "members_present", "members_agreeing", "passed"]


@admin.register(PublicNotice)
class PublicNoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "village", "starts_on", "ends_on", "closed_at"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["entry", "raised_on", "status"]
