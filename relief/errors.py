"""The base error of business rules, with a stable code for the API and tests."""

from typing import Any


class ServiceError(Exception):
    """A business rule refused a step; nothing was changed.

    ``code`` is stable and returned by the API; ``field`` and ``value`` name
    the input at fault when there is one.
    """

    code = "service_error"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.value = value

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            data["field"] = self.field
            data["value"] = None if self.value is None else str(self.value)
        return data


class PermissionRefused(ServiceError):
    code = "permission_denied"
    http_status = 403


class TransitionRefused(ServiceError):
    """The claim is not in a state from which this step may be taken."""

    code = "transition_not_allowed"
    http_status = 409
