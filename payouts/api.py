"""REST API for funds: totals and the ledger, read-only.

Funds belong to the whole program, so they are shown by role: the poverty
office, the insurer's coordinator and the auditor see them. Anyone else gets
an empty list.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from payouts.models import Fund
from payouts.selectors import ledger_entries, visible_funds
from payouts.serializers import FundSerializer, LedgerEntrySerializer


@extend_schema_view(
    list=extend_schema(summary="Funds with their totals"),
    retrieve=extend_schema(summary="One fund with its totals"),
)
class FundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FundSerializer

    def get_queryset(self) -> QuerySet[Fund]:
        return visible_funds(self.request.user)

    @extend_schema(
        responses={200: LedgerEntrySerializer(many=True)},
        summary="The fund's ledger entries, newest first",
    )
    @action(detail=True, methods=["get"], serializer_class=LedgerEntrySerializer)
    def entries(self, request: Request, pk: str | None = None) -> Response:
        fund = self.get_object()
        page = self.paginate_queryset(ledger_entries(fund))
        serializer = LedgerEntrySerializer(page, many=True)
        return self.get_paginated_response(serializer.data)
