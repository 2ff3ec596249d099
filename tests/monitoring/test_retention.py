"""Daily retention of API access log entries (ACCESS_LOG_RETENTION_DAYS)."""
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from monitoring import tasks
from monitoring.models import AccessLog
from monitoring.services import purge_access_logs
from tests.monitoring.helpers import access_log

pytestmark = pytest.mark.django_db


def test_entries_older_than_the_retention_are_purged(owner, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = [access_log(owner.organization, "api_a", now - timedelta(days=31, minutes=n)) for n in range(3)]
    kept = access_log(owner.organization, "api_a", now - timedelta(days=29))
    assert tasks.purge_access_logs() == len(old)
    assert list(AccessLog.objects.values_list("request_id", flat=True)) == [kept.request_id]


def test_purge_works_in_batches(owner):
    now = timezone.now()
    for n in range(5):
        access_log(owner.organization, "api_a", now - timedelta(days=10, minutes=n))
    assert purge_access_logs(older_than_days=7, now=now, batch_size=2) == 5
    assert AccessLog.objects.count() == 0


def test_the_purge_is_scheduled_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["monitoring-purge-access-logs"]
    assert entry["task"] == "monitoring.tasks.purge_access_logs" and entry["schedule"] == 24 * 3600.0
