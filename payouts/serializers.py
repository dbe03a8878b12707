"""API representations of funds and their ledger entries."""

from rest_framework import serializers

from payouts.models import Fund, LedgerEntry


class FundSerializer(serializers.ModelSerializer):
    remaining = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True
    )

    class Meta:
        model = Fund
        fields = ["id", "year", "name", "total", "reserved", "disbursed", "remaining"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer):
    claim_number = serializers.CharField(
        source="payment.claim.number", allow_null=True, default=None
    )

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "amount",
            "claim_number",
            "reference",
            "note",
            "created_at",
        ]
        read_only_fields = fields
