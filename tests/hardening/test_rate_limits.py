"""Issue 10.3: per-organisation and per-token request limits, counted in the shared cache; 429 with
Retry-After and {"code", "message"}, recorded in the access log."""
import pytest
from django.core.cache import cache

from erpintegration import settings as project_settings
from monitoring.models import AccessLog
from tests.conftest import make_api_persona

pytestmark = pytest.mark.django_db
URL = "/v1/integrations"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_defaults(settings):
    assert project_settings.RATE_LIMIT_ORG_PER_MINUTE == 1000
    assert project_settings.RATE_LIMIT_TOKEN_PER_MINUTE == 1000


def test_the_organisation_limit_answers_429_with_retry_after(owner, settings):
    settings.RATE_LIMIT_ORG_PER_MINUTE = 3
    statuses = [owner.client.get(URL).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = owner.client.get(URL)
    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"
    assert "3 requests per minute" in response.json()["message"]
    assert 1 <= int(response["Retry-After"]) <= 60
    logged = AccessLog.objects.filter(organization=owner.organization).order_by("timestamp")
    assert [row.status for row in logged] == [200, 200, 200, 429]


def test_the_organisation_limit_spans_its_tokens_and_not_other_organisations(owner, other_org, settings):
    settings.RATE_LIMIT_ORG_PER_MINUTE = 2
    second = make_api_persona(owner.organization, name="second")
    assert owner.client.get(URL).status_code == 200
    assert second.client.get(URL).status_code == 200
    assert second.client.get(URL).status_code == 429
    assert other_org.client.get(URL).status_code == 200


def test_the_token_limit_leaves_other_tokens_alone(owner, settings):
    settings.RATE_LIMIT_TOKEN_PER_MINUTE = 2
    second = make_api_persona(owner.organization, name="second")
    assert [owner.client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert owner.client.get(URL)["Retry-After"]
    assert second.client.get(URL).status_code == 200


def test_zero_turns_a_limit_off(owner, settings):
    settings.RATE_LIMIT_ORG_PER_MINUTE = 0
    settings.RATE_LIMIT_TOKEN_PER_MINUTE = 0
    assert all(owner.client.get(URL).status_code == 200 for _ in range(5))


def test_counters_live_in_the_django_cache(owner, settings):
    settings.RATE_LIMIT_ORG_PER_MINUTE = 5
    owner.client.get(URL)
    owner.client.get(URL)
    from erpintegration.ratelimit import current_count

    assert current_count("org", owner.organization.id) == 2
    assert current_count("token", owner.token_id) == 2


def test_a_shared_cache_is_configured_from_redis_url():
    caches = project_settings.cache_settings({"REDIS_URL": "redis://127.0.0.1:6379/2"})
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"]["LOCATION"] == "redis://127.0.0.1:6379/2"
    assert project_settings.cache_settings({"CACHE_URL": "redis://h:6379/3"})["default"]["LOCATION"] == "redis://h:6379/3"
    assert project_settings.cache_settings({})["default"]["BACKEND"].endswith("LocMemCache")
