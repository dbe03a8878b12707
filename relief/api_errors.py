"""One JSON shape for every API error: ``{"code", "message"}`` and, when an
input is at fault, ``"field"`` and ``"value"``.

A ``ServiceError`` is returned as its ``as_dict()`` with its own HTTP status.
DRF's own errors (authentication, permission, not found, invalid input) keep
their status and get the same keys. Invalid input also lists ``"errors"`` per
field as DRF reports them.
"""

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from relief.errors import ServiceError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.http_status)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(response.data, dict | list):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "message": str(exceptions.ValidationError.default_detail),
            "errors": response.data,
        }
    elif "detail" in response.data:
        detail = response.data["detail"]
        response.data = {
            "code": getattr(detail, "code", "error"),
            "message": str(detail),
        }
    return response
