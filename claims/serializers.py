"""API representations of claims.

ID numbers, phone numbers and bank accounts are masked unless the requesting
user's role needs them (``User.sees_personal_data``).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.models import Claim
from claims.services import SIMPLE_STEPS
from registry.idnumbers import mask_id_number
from registry.models import Household, Member


def mask_tail(value: str, visible: int = 4) -> str:
    """Hide all but the last ``visible`` characters: 6222****1234 style."""
    if not value:
        return ""
    if len(value) <= visible:
        return "*" * len(value)
    return "*" * (len(value) - visible) + value[-visible:]


def sees_personal_data(context: dict) -> bool:
    request = context.get("request")
    return bool(request and request.user.sees_personal_data)


class AreaRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["id", "name", "relation", "id_number", "counted"]

    def get_id_number(self, member: Member) -> str:
        if sees_personal_data(self.context):
            return member.id_number
        return mask_id_number(member.id_number)


class HouseholdSerializer(serializers.ModelSerializer):
    village = AreaRefSerializer()
    phone = serializers.SerializerMethodField()
    bank_account = serializers.SerializerMethodField()
    members = MemberSerializer(many=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "category",
            "address",
            "phone",
            "bank_account",
            "members",
        ]

    def get_phone(self, household: Household) -> str:
        if sees_personal_data(self.context):
            return household.phone
        return mask_tail(household.phone)

    def get_bank_account(self, household: Household) -> str:
        if sees_personal_data(self.context):
            return household.bank_account
        return mask_tail(household.bank_account)


class HeadSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_number = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_id_number(self, member: Member) -> str:
        if sees_personal_data(self.context):
            return member.id_number
        return mask_id_number(member.id_number)


class ClaimSerializer(serializers.ModelSerializer):
    """A claim as listed: status, cause, amount, village and the head."""

    status_display = serializers.CharField(source="get_status_display")
    cause_display = serializers.CharField(source="get_cause_display")
    village = AreaRefSerializer(source="household.village")
    head = HeadSerializer(source="household.head", allow_null=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "cause",
            "cause_display",
            "channel",
            "amount_claimed",
            "policy_year",
            "village",
            "head",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PaymentSummarySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    approved_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)


class VerificationSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_on = serializers.DateField()
    conclusion = serializers.CharField()
    per_capita_income = serializers.DecimalField(max_digits=14, decimal_places=2)
    verified_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField()


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with its household, latest home check and payout."""

    household = HouseholdSerializer()
    verification = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "description",
            "closing_reason",
            "household",
            "verification",
            "payment",
        ]
        read_only_fields = fields

    @extend_schema_field(VerificationSummarySerializer(allow_null=True))
    def get_verification(self, claim: Claim) -> dict | None:
        record = claim.verifications.order_by("-created_at", "-id").first()
        if record is None:
            return None
        return VerificationSummarySerializer(record).data

    @extend_schema_field(PaymentSummarySerializer(allow_null=True))
    def get_payment(self, claim: Claim) -> dict | None:
        payment = getattr(claim, "payment", None)
        if payment is None:
            return None
        return PaymentSummarySerializer(payment).data


class ErrorSerializer(serializers.Serializer):
    """The body of every API error."""

    code = serializers.CharField(help_text="Stable error code, e.g. fund_exhausted.")
    message = serializers.CharField()
    field = serializers.CharField(required=False, help_text="The input at fault.")
    value = serializers.CharField(required=False, allow_null=True)
    errors = serializers.DictField(
        required=False, help_text="Per-field messages of invalid input."
    )


class TransitionSerializer(serializers.Serializer):
    step = serializers.CharField(
        max_length=40,
        help_text="One of: " + ", ".join(sorted(SIMPLE_STEPS)),
    )
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
