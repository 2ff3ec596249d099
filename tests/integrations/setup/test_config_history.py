"""listUseCaseHistory: snapshots of the state before each update, newest first, cursor paging."""
import base64

import pytest

from integrations.setup.services import use_cases as services
from tests.factories import UseCaseFactory
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db


def history_url(use_case, cursor=None):
    base = f"/v1/integrations/{use_case.integration_id}/use-cases/{use_case.id}/history"
    return f"{base}?cursor={cursor}" if cursor else base


def test_empty_history_has_no_next_cursor(owner):
    use_case = UseCaseFactory(integration__organization=owner.organization)
    response = owner.client.get(history_url(use_case))
    assert response.status_code == 200
    assert_matches_contract("listUseCaseHistory", response)
    assert response.json() == {"history": []}


def test_each_update_snapshots_the_previous_state_newest_first(owner):
    use_case = UseCaseFactory(integration__organization=owner.organization, name="v1", change_description="one")
    created_at = owner.client.get(
        f"/v1/integrations/{use_case.integration_id}/use-cases/{use_case.id}"
    ).json()["created_at"]
    url = f"/v1/integrations/{use_case.integration_id}/use-cases/{use_case.id}"
    owner.client.put(url, {"name": "v2", "change_description": "two"}, format="json")
    owner.client.put(url, {"name": "v3", "enabled": False}, format="json")
    response = owner.client.get(history_url(use_case))
    assert response.status_code == 200
    assert_matches_contract("listUseCaseHistory", response)
    history = response.json()["history"]
    assert [(h["name"], h.get("change_description"), h["enabled"]) for h in history] == [
        ("v2", "two", True),
        ("v1", "one", True),
    ]
    newest = history[0]
    assert newest["useCaseId"] == str(use_case.id) and newest["integrationId"] == str(use_case.integration_id)
    assert newest["created_at"] == created_at and newest["type"] == "inbound"
    assert newest["configuration"] == use_case.configuration
    assert history[0]["history_created_at"] >= history[1]["history_created_at"]
    assert "next_cursor" not in response.json()


def test_cursor_pages_through_more_than_fifty_entries(owner):
    use_case = UseCaseFactory(integration__organization=owner.organization)
    for number in range(123):
        services.update_use_case(owner.organization, use_case, {"name": f"n{number}"}, actor="test")
    seen, cursor, pages = [], None, 0
    while True:
        response = owner.client.get(history_url(use_case, cursor))
        assert response.status_code == 200
        assert_matches_contract("listUseCaseHistory", response)
        body = response.json()
        pages += 1
        seen.extend(entry["id"] for entry in body["history"])
        cursor = body.get("next_cursor")
        if cursor is None:
            assert len(body["history"]) == 23
            break
        assert len(body["history"]) == 50
    assert pages == 3 and len(seen) == len(set(seen)) == 123
    # newest first: the last update snapshotted the state named n121
    first_page = owner.client.get(history_url(use_case)).json()["history"]
    assert first_page[0]["name"] == "n121"


def test_exactly_fifty_entries_is_one_page(owner):
    use_case = UseCaseFactory(integration__organization=owner.organization)
    for number in range(50):
        services.update_use_case(owner.organization, use_case, {"name": f"n{number}"})
    body = owner.client.get(history_url(use_case)).json()
    assert len(body["history"]) == 50 and "next_cursor" not in body


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "%%%", base64.urlsafe_b64encode(b"[1,2]").decode(), base64.urlsafe_b64encode(b'["x","y"]').decode(),
     # a crafted position outside the datetime range once in UTC (was an OverflowError 500)
     base64.urlsafe_b64encode(b'["0001-01-01T00:00:00+14:00","7555e0d4-32f6-4881-9fbc-e92094bfa6e0"]').decode(),
     base64.urlsafe_b64encode(b'["9999-12-31T23:59:59-14:00","7555e0d4-32f6-4881-9fbc-e92094bfa6e0"]').decode()],
)
def test_invalid_cursor_is_400(owner, cursor):
    use_case = UseCaseFactory(integration__organization=owner.organization)
    response = owner.client.get(history_url(use_case, cursor))
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_CURSOR" and "cursor" in response.json()["message"]


def test_history_of_other_org_is_404(owner, other_org):
    use_case = UseCaseFactory(integration__organization=other_org.organization)
    services.update_use_case(other_org.organization, use_case, {"enabled": False})
    response = owner.client.get(history_url(use_case))
    assert response.status_code == 404
