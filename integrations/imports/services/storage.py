"""Where import files live: the ``imports`` storage, one prefix per organisation.

A reference is the contract's ``S3Reference`` ``{bucket, key}``: ``bucket`` is the configured storage name
(``IMPORTS_BUCKET``), ``key`` is ``imports/<org id>/<ulid>/<file name>``. A reference outside the caller's
prefix, in another bucket, or to a missing file is ``FILE_UNAVAILABLE`` (404): one organisation can never
name another's file.
"""
from __future__ import annotations

import contextlib
import os
import re

from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadhandler import FileUploadHandler

from erpintegration.exceptions import ApplicationError
from erpintegration.lib.ulid import new_ulid

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class FileUnavailable(ApplicationError):
    status_code = 404
    code = "FILE_UNAVAILABLE"


class FileTooLarge(ApplicationError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"


class SizeLimitHandler(FileUploadHandler):
    """Stops a multipart upload as soon as it passes ``IMPORTS_MAX_FILE_BYTES``, before it is all on disk."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = settings.IMPORTS_MAX_FILE_BYTES
        if content_length and content_length > limit + 64 * 1024:
            raise FileTooLarge(f"file: the upload is larger than the limit of {limit} bytes")

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.IMPORTS_MAX_FILE_BYTES:
            raise FileTooLarge(f"file: the upload is larger than the limit of {settings.IMPORTS_MAX_FILE_BYTES} bytes")
        return raw_data

    def file_complete(self, file_size):
        return None


def _storage():
    return storages["imports"]


def org_prefix(organization) -> str:
    return f"imports/{organization.id}/"


def _relative(key: str) -> str:
    # The storage's own root is ``.../imports``; keys carry the ``imports/`` prefix of the contract.
    return key.removeprefix("imports/")


def save_upload(organization, uploaded_file) -> dict:
    """Stream an uploaded file into the organisation's prefix; returns ``{bucket, key, size_bytes}``."""
    limit = settings.IMPORTS_MAX_FILE_BYTES
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise FileTooLarge(f"file: {uploaded_file.size} bytes is more than the limit of {limit} bytes")
    name = SAFE_NAME.sub("_", os.path.basename(uploaded_file.name or "upload.csv"))[-120:] or "upload.csv"
    key = f"{org_prefix(organization)}{new_ulid()}/{name}"
    saved = _storage().save(_relative(key), uploaded_file)
    return {"bucket": settings.IMPORTS_BUCKET, "key": "imports/" + saved, "size_bytes": uploaded_file.size}


def check_reference(organization, reference: dict) -> str:
    """The key of a reference the organisation may use, or ``FILE_UNAVAILABLE``."""
    bucket, key = reference.get("bucket"), reference.get("key")
    unavailable = FileUnavailable("s3_reference: no such file for this organisation")
    if bucket != settings.IMPORTS_BUCKET or not isinstance(key, str):
        raise unavailable
    normalized = os.path.normpath(key)
    if normalized != key or not key.startswith(org_prefix(organization)) or not _storage().exists(_relative(key)):
        raise unavailable
    return key


def open_file(key: str):
    """A binary file object for a checked key (the caller closes it)."""
    try:
        return _storage().open(_relative(key), "rb")
    except (FileNotFoundError, OSError) as exc:
        raise FileUnavailable("The import's file is no longer available") from exc


def file_size(key: str) -> int | None:
    try:
        return _storage().size(_relative(key))
    except (FileNotFoundError, OSError, NotImplementedError):
        return None


def delete_file(key: str) -> None:
    with contextlib.suppress(FileNotFoundError, OSError):
        _storage().delete(_relative(key))
