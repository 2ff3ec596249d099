"""Import error codes with their one English sentence (the contract: message derived from code)."""
from erpintegration.exceptions import ApplicationError

ERROR_MESSAGES = {
    "VALIDATION_BLOCKED": "The file has blocking problems; see the validation issues.",
    "FILE_FORMAT_UNSUPPORTED": "The file is not a CSV or XLSX file that can be read.",
    "FILE_UNAVAILABLE": "The import's file is no longer available.",
    "VALIDATE_TIMEOUT": "Validation made no progress in time and was stopped.",
    "IMPORT_TIMEOUT": "The import took longer than allowed and was stopped.",
    "USE_CASE_NOT_USABLE": "The chosen use case is missing, not inbound, disabled or has no mapping.",
    "IMPORT_NO_PROGRESS": "The import made no progress in time and was stopped.",
    "TIER_ROWS_NOT_GROUPED": "Rows of one variant are spread through the file.",
    "CHUNK_TOO_LARGE": "A batch of rows was too large to write.",
    "INTERNAL_ERROR": "The import failed because of an internal error.",
}


def error_body(code: str) -> dict:
    return {"code": code, "message": ERROR_MESSAGES[code]}


class ImportConflict(ApplicationError):
    status_code = 409
    code = "CONFLICT"


class ImportUnprocessable(ApplicationError):
    status_code = 422
    code = "UNPROCESSABLE"
