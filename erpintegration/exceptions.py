"""Application errors. Services raise these; one handler turns them into ``{"code", "message"}``."""


class ApplicationError(Exception):
    status_code = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, details=None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.details = details

    def as_body(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(ApplicationError):
    status_code = 400
    code = "VALIDATION_ERROR"


class NotFound(ApplicationError):
    status_code = 404
    code = "NOT_FOUND"


class Conflict(ApplicationError):
    status_code = 409
    code = "CONFLICT"


class Unprocessable(ApplicationError):
    status_code = 422
    code = "UNPROCESSABLE"
