"""queryAccessLogs: tokens linked to the integration, every filter, cursor {timestamp, request_id}, limits,
bad input, tenancy."""
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import IntegrationFactory
from tests.monitoring.helpers import access_log
from tests.spec import assert_matches_contract

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def query(persona, integration_id, **body):
    response = persona.client.post(f"/v1/integrations/{integration_id}/monitoring/access-logs", body, format="json")
    assert_matches_contract("queryAccessLogs", response)
    return response


def request_ids(persona, integration, **body):
    response = query(persona, integration.id, **body)
    assert response.status_code == 200, response.json()
    return [entry["request_id"] for entry in response.json()["data"]]


@pytest.fixture
def linked(owner):
    """An integration linked to two tokens (api_a, api_b); owner's own token is not linked, so the calls of
    the test itself stay out of the results."""
    return IntegrationFactory(organization=owner.organization, access_token_ids=["api_a", "api_b"])


def test_entries_have_the_contract_shape_newest_first(owner, linked):
    first = access_log(owner.organization, "api_a", T0, origin="https://app.example")
    second = access_log(owner.organization, "api_b", T0 + timedelta(minutes=1), method="GET", status=404)
    response = query(owner, linked.id)
    assert response.status_code == 200
    body = response.json()
    assert [e["request_id"] for e in body["data"]] == [second.request_id, first.request_id]
    assert body["has_more"] is False and body["next_cursor"] is None
    assert body["data"][1] == {
        "timestamp": "2026-03-10T12:00:00Z", "environment": "self-hosted", "service": "erp-integration",
        "request_id": first.request_id, "method": "POST", "path": "/v3/erp/updates/events", "status": 200,
        "response_latency_ms": 12, "response_length": 345, "token_id": "api_a",
        "org_id": owner.organization.id, "origin": "https://app.example", "source_ip": "203.0.113.9",
    }


def test_only_linked_tokens_of_the_same_organisation(owner, other_org, linked):
    mine = access_log(owner.organization, "api_a", T0)
    access_log(owner.organization, "api_unlinked", T0)
    access_log(other_org.organization, "api_a", T0)  # same token id string in another organisation
    assert request_ids(owner, linked) == [mine.request_id]


def test_token_id_filter_and_unlinked_token_is_400(owner, linked):
    a = access_log(owner.organization, "api_a", T0)
    access_log(owner.organization, "api_b", T0)
    assert request_ids(owner, linked, token_id="api_a") == [a.request_id]
    response = query(owner, linked.id, token_id="api_unlinked")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and "token_id" in response.json()["message"]


def test_integration_without_linked_tokens_is_an_empty_page(owner):
    integration = IntegrationFactory(organization=owner.organization)
    access_log(owner.organization, owner.token_id, T0)
    response = query(owner, integration.id)
    assert response.json() == {"data": [], "next_cursor": None, "has_more": False}
    assert query(owner, integration.id, token_id=owner.token_id).status_code == 400


def test_every_filter(owner, linked):
    org = owner.organization
    get = access_log(org, "api_a", T0, method="GET", path="/v1/integrations/abc/use-cases")
    put = access_log(org, "api_a", T0 + timedelta(minutes=1), method="PUT", path="/v1/integrations/abc")
    bad = access_log(org, "api_b", T0 + timedelta(minutes=2), status=401)
    entity = access_log(org, "api_b", T0 + timedelta(days=1), service="entity", path="/v1/entities/contact")
    assert request_ids(owner, linked, method="GET") == [get.request_id]
    assert request_ids(owner, linked, method="PUT") == [put.request_id]
    assert request_ids(owner, linked, status=401) == [bad.request_id]
    assert request_ids(owner, linked, service="entity") == [entity.request_id]
    assert request_ids(owner, linked, path="integrations/abc") == [put.request_id, get.request_id]
    assert request_ids(owner, linked, path="USE-CASES") == [get.request_id]  # partial, case-insensitive
    # dates are inclusive at both ends
    assert request_ids(owner, linked, from_date="2026-03-10T12:01:00Z", to_date="2026-03-10T12:02:00Z") == [
        bad.request_id, put.request_id]
    assert request_ids(owner, linked, from_date="2026-03-11T00:00:00Z") == [entity.request_id]
    assert request_ids(owner, linked, to_date="2026-03-10T12:00:00Z") == [get.request_id]


def test_cursor_pages_through_everything_including_equal_timestamps(owner, linked):
    created = [access_log(owner.organization, "api_a", T0 + timedelta(seconds=n // 2)) for n in range(7)]
    expected = [row.request_id for row in sorted(created, key=lambda r: (r.timestamp, r.request_id), reverse=True)]
    body = query(owner, linked.id, limit=3).json()
    assert body["has_more"] and set(body["next_cursor"]) == {"timestamp", "request_id"}
    seen = [e["request_id"] for e in body["data"]]
    while body["next_cursor"]:
        body = query(owner, linked.id, limit=3, cursor=body["next_cursor"]).json()
        seen += [e["request_id"] for e in body["data"]]
    assert seen == expected
    assert body["has_more"] is False


def test_default_limit_is_50(owner, linked):
    for n in range(51):
        access_log(owner.organization, "api_a", T0 + timedelta(seconds=n))
    body = query(owner, linked.id).json()
    assert len(body["data"]) == 50 and body["has_more"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"method": "FETCH"}, "method"),
        ({"status": "ok"}, "status"),
        ({"from_date": "yesterday"}, "from_date"),
        ({"to_date": "2026-02-30T00:00:00Z"}, "to_date"),
        ({"from_date": "2026-03-02T00:00:00Z", "to_date": "2026-03-01T00:00:00Z"}, "to_date"),
        ({"cursor": {"timestamp": "2026-03-01T00:00:00Z"}}, "cursor"),
        ({"cursor": "abc"}, "cursor"),
        ({"token_id": 5}, "token_id"),
        ({"path": ["x"]}, "path"),
        ({"status": 10**30}, "status"),
        ({"cursor": {"timestamp": "2026-03-01T00:00:00Z", "request_id": "r" * 65}}, "request_id"),
    ],
)
def test_bad_input_is_400_naming_the_field(owner, linked, body, field):
    response = query(owner, linked.id, **body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and field in response.json()["message"]


def test_unstorable_filter_text_is_400(owner, linked):
    response = query(owner, linked.id, path="a\x00b")
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_REQUEST" and "path" in response.json()["message"]


def test_body_must_be_an_object(owner, linked):
    response = owner.client.post(f"/v1/integrations/{linked.id}/monitoring/access-logs", [1], format="json")
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_ERROR"


def test_other_organisations_and_unknown_integrations_are_404(owner, other_org, anonymous):
    theirs = IntegrationFactory(organization=other_org.organization, access_token_ids=[other_org.token_id])
    access_log(other_org.organization, other_org.token_id, T0)
    assert query(owner, theirs.id).status_code == 404
    assert query(owner, "0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f").status_code == 404
    assert query(owner, "not-a-uuid").status_code == 404
    response = anonymous.post(f"/v1/integrations/{theirs.id}/monitoring/access-logs", {}, format="json")
    assert response.status_code == 401


def test_real_api_calls_show_up(owner):
    integration = IntegrationFactory(organization=owner.organization, access_token_ids=[owner.token_id])
    owner.client.get(f"/v1/integrations/{integration.id}")
    owner.client.get("/v1/integrations/0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f")
    body = query(owner, integration.id, method="GET").json()
    assert [(e["path"], e["status"], e["token_id"]) for e in body["data"]] == [
        ("/v1/integrations/0b0e2f38-5c7a-4c4b-9b7e-3a1d2c3b4a5f", 404, owner.token_id),
        (f"/v1/integrations/{integration.id}", 200, owner.token_id),
    ]
