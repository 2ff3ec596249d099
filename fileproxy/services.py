"""The file proxy (docs/file-proxy.md): verify the signed URL, run the use case's steps, stream the file.

Flow of ``open_download``: signature -> organisation, integration, use case (another org's -> 404) ->
required params -> OAuth token (when ``auth`` is set) -> steps in order through ``erpintegration.lib.http``
-> the response config (JSONata over ``{params, steps}``) -> a ``FileDownload`` whose chunks stream.

Binary step bodies never enter JSONata: each is represented by an unguessable marker string, and a
response ``body`` that evaluates to a marker means "the bytes of that step". When that step is the last,
its upstream response is still open and is streamed straight through (never held in memory).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from erpintegration.exceptions import ApplicationError, NotFound, ValidationFailed
from erpintegration.lib import http, signing
from erpintegration.lib.ids import parse_uuid
from erpintegration.lib.templating import TemplateError, render
from erpintegration.models import Organization
from fileproxy import oauth
from fileproxy.environment import Environment, load_environment
from fileproxy.errors import ConfigurationError, SignatureRejected, UpstreamError, from_http_error
from fileproxy.secure_routing import SecureRouteRefused, attached_proxy, policy_for_step
from integrations.inbound.services.file_urls import SIGNING_PURPOSE
from integrations.mapping.jsonata import UNDEFINED, ExpressionError, evaluate, prepare
from integrations.models import UseCase, UseCaseType
from integrations.setup.selectors import get_integration
from monitoring import services as monitoring
from monitoring.models import Source

DEFAULT_FILENAME = "download"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
NOT_PARAMS = (signing.SIGNATURE_PARAM, signing.EXPIRES_PARAM)
_ENV_PLACEHOLDER = re.compile(r"\{\{\s*env\.([A-Za-z0-9_.\-]+)\s*\}\}")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[\x20-\x7e]*)?$")


@dataclass
class FileDownload:
    filename: str
    content_type: str
    chunks: Iterator[bytes]
    content_length: int | None = None
    allowed_origins: list[str] = field(default_factory=list)  # CORS: exact origins that may read the file


def verify_download_signature(query: list[tuple[str, str]]) -> None:
    try:
        signing.verify(query, purpose=SIGNING_PURPOSE)
    except signing.SignatureMissing:
        raise SignatureRejected("the download URL is not signed", code="SIGNATURE_REQUIRED", status_code=401)
    except signing.SignatureExpired:
        raise SignatureRejected("the download URL has expired; request a new one", code="SIGNATURE_EXPIRED",
                                status_code=401)
    except signing.SignatureInvalid as exc:
        raise SignatureRejected(f"the download URL signature is invalid: {exc}")


# ------------------------------------------------------------------ lookup

def _first(query: list[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in query:
        params.setdefault(name, value)
    return params


def find_file_proxy_use_case(params: dict[str, str]) -> UseCase:
    """The enabled file_proxy use case the URL names; anything not found or not the org's is a 404."""
    for name in ("orgId", "integrationId"):
        if not params.get(name):
            raise ValidationFailed(f"{name}: query parameter is required", code="MISSING_PARAMETER")
    slug, use_case_id = params.get("useCaseSlug"), params.get("useCaseId")
    if not slug and not use_case_id:
        raise ValidationFailed("useCaseSlug: query parameter useCaseSlug (or legacy useCaseId) is required",
                               code="MISSING_PARAMETER")
    org = Organization.objects.filter(pk=params["orgId"]).first()
    if org is None:
        raise NotFound(f"Integration {params['integrationId']} not found")
    integration = get_integration(org, params["integrationId"])
    use_cases = UseCase.objects.filter(integration=integration, organization=org, type=UseCaseType.FILE_PROXY)
    if slug:
        use_case = use_cases.filter(slug=slug).first()
    else:
        pk = parse_uuid(use_case_id)
        use_case = use_cases.filter(pk=pk).first() if pk else None
    if use_case is None:
        raise NotFound(f"File proxy use case {slug or use_case_id} not found")
    if not use_case.enabled:
        raise NotFound(f"File proxy use case {slug or use_case_id} is disabled")
    return use_case


def check_required_params(configuration: dict, params: dict[str, str]) -> None:
    missing = [p["name"] for p in configuration.get("params") or []
               if isinstance(p, dict) and p.get("required") and not params.get(p.get("name"))]
    if missing:
        names = ", ".join(missing)
        raise ValidationFailed(f"{missing[0]}: required query parameter(s) missing: {names}",
                               code="MISSING_PARAMETER", details={"missing": missing})


# ------------------------------------------------------------------ steps

class _Run:
    """One execution of a use case's steps; owns the open upstream responses until handed over."""

    def __init__(self, configuration: dict, params: dict[str, str], env: Environment, scope: str,
                 policy: http.Policy):
        self.configuration, self.params, self.env = configuration, params, env
        self.scope, self.policy = scope, policy
        self.proxy = None  # the attached secure_proxy use case, when the configuration names one
        self.steps: list[dict] = []
        self.binary: dict[int, bytes | http.Response] = {}
        self.nonce = secrets.token_hex(16)
        self.auth_token: str | None = None

    def marker(self, index: int) -> str:
        return f"\u0000fileproxy-binary:{self.nonce}:{index}"

    def context(self) -> dict:
        return {"params": self.params, "steps": self.steps, "env": self.env.values, "auth_token": self.auth_token}

    def render(self, template: Any, where: str) -> str:
        try:
            return render(str(template), self.context(), env=self.env.values)
        except TemplateError as exc:
            raise ConfigurationError(f"{where}: {exc}")

    def authenticate(self) -> None:
        auth = self.configuration.get("auth")
        if auth:
            self.auth_token = oauth.get_access_token(auth, self.context(), self.env.values, scope=self.scope,
                                                     policy=self.policy)

    def run_steps(self) -> None:
        steps = self.configuration.get("steps") or []
        for index, step in enumerate(steps):
            self.run_step(index, step, last=index == len(steps) - 1)

    def run_step(self, index: int, step: dict, *, last: bool) -> None:
        where = f"steps[{index}]"
        if not isinstance(step, dict) or not isinstance(step.get("url"), str):
            raise ConfigurationError(f"{where}.url: is required")
        method = step.get("method")
        if method not in ("GET", "POST", "PUT", "PATCH"):
            raise ConfigurationError(f"{where}.method: must be GET, POST, PUT or PATCH")
        url = self.render(step["url"], f"{where}.url")
        headers = {name: self.render(value, f"{where}.headers.{name}")
                   for name, value in (step.get("headers") or {}).items()}
        names = {name.lower() for name in headers}
        if self.auth_token and "authorization" not in names:
            headers["Authorization"] = f"Bearer {self.auth_token}"
        body = None
        if method != "GET" and step.get("body") is not None:
            body = self.render(step["body"], f"{where}.body")
            if "content-type" not in names:
                headers["Content-Type"] = _guess_body_type(body)
        host = urlsplit(url).hostname or "?"
        label = f"{where} ({method} {host})"
        try:
            policy = policy_for_step(self.proxy, url, self.policy)
        except SecureRouteRefused as exc:
            raise UpstreamError(f"{label}: {exc}", code=exc.code)
        try:
            response = http.request(method, url, headers=headers, body=body, policy=policy)
        except http.OutboundHttpError as exc:
            raise from_http_error(exc, label)
        try:
            if not response.ok:
                raise UpstreamError(f"{label} answered HTTP {response.status_code}")
            if step.get("response_type") == "binary":
                payload: Any = self.marker(index)
                self.binary[index] = response if last else response.read()
            else:
                payload = _json_body(response, label)
        except BaseException:
            response.close()
            raise
        self.steps.append({"body": payload, "headers": response.header_dict(),
                           "statusCode": response.status_code})
        if step.get("response_type") != "binary":
            response.close()

    def close(self) -> None:
        for value in self.binary.values():
            if isinstance(value, http.Response):
                value.close()

    # -------------------------------------------------------------- response config

    def build_download(self) -> FileDownload:
        config = self.configuration.get("response") or {}
        data = prepare({"params": self.params, "steps": self.steps})
        body = self.evaluate(config.get("body"), data, "response.body")
        if body is UNDEFINED or body is None:
            raise UpstreamError("response.body yielded no value from the step results",
                                code="UPSTREAM_INVALID_RESPONSE")
        filename = self.text_option(config, "filename", data) or DEFAULT_FILENAME
        content_type = self.text_option(config, "content_type", data)
        content_type = content_type if content_type and _MEDIA_TYPE.match(content_type) else DEFAULT_CONTENT_TYPE
        encoding = config.get("encoding", "binary")
        source = self.binary_source(body)
        if source is not None and encoding == "binary":
            if isinstance(source, http.Response):
                self.binary = {k: v for k, v in self.binary.items() if v is not source}  # handed over
                return FileDownload(_sanitize_filename(filename), content_type, source.iter_bytes(),
                                    source.content_length)
            return FileDownload(_sanitize_filename(filename), content_type, iter([source]), len(source))
        if source is not None:
            text = (source.read() if isinstance(source, http.Response) else source).decode("ascii", "replace")
        elif isinstance(body, str):
            text = self.substitute_env(body)
        elif isinstance(body, dict | list):
            text = json.dumps(body, ensure_ascii=False)
        else:
            text = json.dumps(body)
        content = _decode_base64(text) if encoding == "base64" else text.encode()
        return FileDownload(_sanitize_filename(filename), content_type, iter([content]), len(content))

    def binary_source(self, body: Any) -> bytes | http.Response | None:
        if isinstance(body, str) and body.startswith(f"\u0000fileproxy-binary:{self.nonce}:"):
            return self.binary.get(int(body.rsplit(":", 1)[1]))
        return None

    def evaluate(self, expression: Any, data, where: str) -> Any:
        try:
            return evaluate(expression, data)
        except ExpressionError as exc:
            raise ConfigurationError(f"{where}: {exc.message}")

    def text_option(self, config: dict, key: str, data) -> str | None:
        if not config.get(key):
            return None
        value = self.evaluate(config[key], data, f"response.{key}")
        if value is UNDEFINED or value is None or isinstance(value, dict | list):
            return None
        return self.substitute_env(value if isinstance(value, str) else json.dumps(value))

    def substitute_env(self, text: str) -> str:
        """The env pass over response strings. Only non-secret values: these strings go back to the
        downloader, and may contain ERP data that names ``{{env.<secret>}}`` on purpose."""
        public = self.env.public_values()
        return _ENV_PLACEHOLDER.sub(lambda m: public.get(m.group(1), m.group(0)), text)


def _guess_body_type(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8"
    return "application/json"


def _json_body(response: http.Response, label: str) -> Any:
    try:
        return response.json()
    except http.OutboundHttpError as exc:
        raise from_http_error(exc, label)


def _decode_base64(text: str) -> bytes:
    text = text.strip()
    if text.startswith("data:") and ";base64," in text[:200]:
        text = text.split(",", 1)[1]
    compact = "".join(text.split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
    except (binascii.Error, ValueError):
        raise UpstreamError("response.body is not valid base64", code="UPSTREAM_INVALID_RESPONSE")


def _sanitize_filename(name: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f\"\\/]", "_", name).strip().strip(".")
    return name[:255] or DEFAULT_FILENAME


# ------------------------------------------------------------------ entry point

def open_download(query: list[tuple[str, str]], *, policy: http.Policy | None = None) -> FileDownload:
    """Everything ``GET /download`` does; raises ``ApplicationError`` subclasses for every failure."""
    verify_download_signature(query)
    params = {k: v for k, v in _first(query).items() if k not in NOT_PARAMS}
    use_case = find_file_proxy_use_case(params)
    configuration = use_case.configuration or {}
    if not configuration.get("steps"):
        raise ConfigurationError(f"File proxy use case {use_case.slug or use_case.id} has no steps")
    check_required_params(configuration, params)
    env = load_environment(use_case.integration)
    scope = f"{use_case.organization_id}:{use_case.integration_id}:{use_case.id}"
    run = _Run(configuration, params, env, scope, policy or http.Policy.from_settings())
    try:
        run.proxy = attached_proxy(use_case)
    except SecureRouteRefused as exc:
        raise ConfigurationError(str(exc))
    try:
        run.authenticate()
        run.run_steps()
        download = run.build_download()
    except ApplicationError as exc:
        _record_call(use_case, params, MONITORING_CODES.get(exc.code, "FILE_FETCH_FAILED"), exc.message)
        run.close()
        raise
    except BaseException:
        run.close()
        raise
    _record_call(use_case, params, "FILE_PROXY_OK", f"Serving {download.filename}")
    origins = configuration.get("allowed_origins")
    download.allowed_origins = [o for o in origins if isinstance(o, str)] if isinstance(origins, list) else []
    return download


# The file proxy's error codes and the monitoring codes they are reported under (monitoring v2).
MONITORING_CODES = {"UPSTREAM_AUTH_FAILED": "OAUTH2_TOKEN_FAILURE", "UPSTREAM_TIMEOUT": "TIMEOUT",
                    "MISSING_PARAMETER": "MISSING_REQUIRED_PARAM", "CONFIGURATION_ERROR": "USE_CASE_MISSING_CONFIG"}


def _record_call(use_case: UseCase, params: dict[str, str], code: str, message: str) -> None:
    """One monitoring row per download call (after the use case is known; a bad signature is not recorded)."""
    monitoring.record(
        org_id=use_case.organization_id, integration_id=use_case.integration_id, source=Source.FILE_PROXY,
        event_id=str(uuid.uuid4()), code=code, use_case_id=use_case.id, use_case_type="file_proxy",
        correlation_id=params.get("correlationId") or None, message=message[:2000],
        detail={"params": sorted(params)},
    )
