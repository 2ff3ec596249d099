"""gunicorn's access log without secrets: the ``signature`` of signed download URLs is redacted.

A signed ``/download`` URL is a bearer credential until it expires; the request line, query string and
referrer of every access log line pass through ``redact`` (deploy/gunicorn.conf.py sets ``logger_class``).
"""
from __future__ import annotations

import re

from gunicorn.glogging import Logger

_SECRET_PARAMS = re.compile(r"((?:^|[?&;])(?:signature|sig|token|access_token)=)[^&;\s\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1[redacted]", text) if isinstance(text, str) else text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q", "f"):
            atoms[key] = redact(atoms.get(key))
        return atoms
