"""The notification evaluator run by a REAL Celery beat and worker on PostgreSQL (run by `.ci/run`): a
critical_error rule fires and emails once, is debounced while errors continue, recovers and emails once.

Skipped unless ERP_TEST_CELERY_BROKER_URL is set and the database is PostgreSQL. Beat ticks every second here
(NOTIFICATION_EVALUATION_SECONDS=1); the worker writes email to files (Django's file backend) we read back.
"""
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from monitoring import services
from monitoring.models import NotificationHistory, Source
from monitoring.notifications import config
from tests.factories import IntegrationFactory, MembershipFactory
from tests.integrations.inbound.test_worker import BROKER, IS_POSTGRES, ROOT, Worker, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not BROKER, reason="set ERP_TEST_CELERY_BROKER_URL=redis://127.0.0.1:6379/<db> to run "
                       "the real-worker tests (.ci/run does)"),
    pytest.mark.skipif(not IS_POSTGRES, reason="the real-worker tests need PostgreSQL (set DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


class Beat(Worker):
    """`celery beat` with the project's schedule, ticking the evaluator every second."""

    def __init__(self, queue, log_dir, extra_env):
        super().__init__(queue, log_dir)
        self.extra_env = extra_env
        self.schedule = log_dir / f"beat-{uuid.uuid4().hex[:6]}"

    def environment(self):
        return {**super().environment(), **self.extra_env}

    def start(self):
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "erpintegration", "beat", "--loglevel=INFO",
             f"--schedule={self.schedule}", "--max-interval=1"],
            cwd=ROOT, env=self.environment(), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: "beat: Starting" in self.log_path.read_text() or self.process.poll() is not None,
                 "beat started")
        assert self.process.poll() is None, self.log_path.read_text()[-3000:]
        return self


class MailWorker(Worker):
    def __init__(self, queue, log_dir, extra_env):
        super().__init__(queue, log_dir)
        self.extra_env = extra_env

    def environment(self):
        return {**super().environment(), **self.extra_env}


def error(integration, seconds_ago=0):
    services.record(org_id=integration.organization_id, integration_id=integration.id, source=Source.INBOUND,
                    event_id=str(uuid.uuid4()), code="MAPPING_EXPRESSION_FAILED", use_case_type="inbound",
                    message="mapping failed", at=timezone.now() - timedelta(seconds=seconds_ago))


def emails(directory: Path) -> list[str]:
    return sorted(p.read_text() for p in directory.glob("*.log")) if directory.exists() else []


def test_beat_and_worker_fire_debounce_and_recover(owner, tmp_path):
    member = MembershipFactory(organization=owner.organization, role="admin", user__email="oncall@example.com")
    cfg = config.validate({
        "enabled": True, "recipients": [{"user_id": str(member.user.pk)}],
        "defaultChannels": {"email": True, "in_app": True},
        "rules": [{"id": "crit", "type": "critical_error", "enabled": True, "window": "10s"},
                  {"type": "recovery", "enabled": True}],
        "digest": {"enabled": False, "frequency": "daily", "timeOfDay": "08:00", "timezone": "UTC",
                   "channels": {"email": False, "in_app": False}, "includeHealthy": False, "skipIfEmpty": True},
    })
    integration = IntegrationFactory(organization=owner.organization, settings={"notifications": cfg})
    mail_dir = tmp_path / "mail"
    env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(mail_dir),
           "NOTIFICATION_EVALUATION_SECONDS": "1"}
    queue = f"notify-test-{uuid.uuid4().hex[:8]}"
    worker = MailWorker(queue, tmp_path, env).start()
    beat = Beat(queue, tmp_path, env).start()
    try:
        error(integration, seconds_ago=2)
        fired = wait_for(lambda: NotificationHistory.objects.filter(state_transition="OK->ALERTING").first(),
                         "the rule to fire")
        assert fired.notified and fired.recipients == [str(member.user.pk)]
        wait_for(lambda: len(emails(mail_dir)) == 1, "one alert email")
        error(integration)
        wait_for(lambda: NotificationHistory.objects.filter(suppressed_reason="debounced").exists(), "a debounce")
        assert len(emails(mail_dir)) == 1
        recovered = wait_for(lambda: NotificationHistory.objects.filter(type="recovery").first(),
                             "the recovery (ten seconds after the last error)", timeout=90)
        assert recovered.state_transition == "ALERTING->RECOVERED" and recovered.notified
        wait_for(lambda: len(emails(mail_dir)) == 2, "one recovery email")
        texts = emails(mail_dir)
        assert sum("Recovered" in text for text in texts) == 1 and all("oncall@example.com" in t for t in texts)
        assert NotificationHistory.objects.filter(notified=True).count() == 2
    finally:
        beat.stop()
        worker.stop()
        redis.Redis.from_url(BROKER).delete(queue, f"_kombu.binding.{queue}")
    assert "evaluate_notifications" in worker.log_path.read_text()
