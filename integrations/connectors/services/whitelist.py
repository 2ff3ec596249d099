"""Change a secure-proxy use case's allow-lists (``updateSecureProxyWhitelist``), audited in use-case history.

Per field: omitted = keep, a list = replace (``[]`` clears), ``null`` = 400. Domains are exact or a
``*.`` prefix over at least two labels; IP ranges are CIDRs. The snapshot of the state *before* the change
goes to ``UseCaseHistory`` with who changed it, and the use case carries a description of the change, in one
transaction, so the history and the lists can never disagree.

Only an organisation admin holding ``integration:manage`` may change it: a token issued by an admin member,
or by the operator (``manage.py create_token``, no user); in the UI, an admin member.
"""
from __future__ import annotations

from django.db import transaction

from erpintegration.exceptions import ApplicationError, ValidationFailed
from erpintegration.models import Membership, Role
from integrations.configuration.secure_proxy import cidr_problem, domain_problem
from integrations.models import UseCase, UseCaseHistory

FIELDS = ("allowed_domains", "allowed_ips")


class NotAdmin(ApplicationError):
    status_code = 403
    code = "FORBIDDEN"


def is_org_admin(user, organization) -> bool:
    if user is None:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, organization=organization, role=Role.ADMIN).exists()


def token_may_change_whitelist(token) -> bool:
    """Operator-issued tokens (no user) act for the organisation's owner; others only for admin members."""
    creator = getattr(token, "created_by", None)
    return creator is None or is_org_admin(creator, token.organization)


def parse_update(data) -> dict[str, list[str]]:
    if not isinstance(data, dict) or not any(key in data for key in FIELDS):
        raise ValidationFailed("provide at least one of allowed_domains, allowed_ips")
    changes: dict[str, list[str]] = {}
    problems: list[str] = []
    for key, problem in (("allowed_domains", domain_problem), ("allowed_ips", cidr_problem)):
        if key not in data:
            continue
        value = data[key]
        if value is None:
            problems.append(f"{key}: null is not accepted; pass [] to clear the list")
            continue
        if not isinstance(value, list):
            problems.append(f"{key}: must be an array of strings")
            continue
        cleaned = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                problems.append(f"{key}[{index}]: must be a string")
                continue
            message = problem(item)
            if message:
                problems.append(f"{key}[{index}]: {message}")
            cleaned.append(item.strip().lower() if key == "allowed_domains" else item.strip())
        changes[key] = list(dict.fromkeys(cleaned))
    if problems:
        raise ValidationFailed("; ".join(problems))
    return changes


def describe_change(before: dict, after: dict) -> str:
    parts = []
    for key in FIELDS:
        added = [x for x in after.get(key, []) if x not in before.get(key, [])]
        removed = [x for x in before.get(key, []) if x not in after.get(key, [])]
        parts += [f"+{x}" for x in added] + [f"-{x}" for x in removed]
    return "Whitelist updated: " + (", ".join(parts) if parts else "no change")


@transaction.atomic
def update_whitelist(use_case: UseCase, data, actor: str) -> UseCase:
    changes = parse_update(data)
    current = UseCase.objects.select_for_update().get(pk=use_case.pk)
    before = dict(current.configuration or {})
    after = {**before, **changes}
    UseCaseHistory.objects.create(
        organization_id=current.organization_id, integration_id=current.integration_id, use_case=current,
        name=current.name, slug=current.slug, type=current.type, enabled=current.enabled,
        configuration=current.configuration, change_description=current.change_description,
        type_annotations=current.type_annotations, created_at=current.created_at, updated_at=current.updated_at,
        changed_by=(actor or "")[:255],
    )
    current.configuration = after
    current.change_description = describe_change(before, after)
    current.changed_by = (actor or "")[:255]
    current.save(update_fields=["configuration", "change_description", "changed_by", "updated_at"])
    return current
