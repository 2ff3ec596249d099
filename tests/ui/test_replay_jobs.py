"""Replay all events matching a filter: the job (progress counted per chunk), its pages and JSON status,
``manage.py replay_events`` with its progress bar, and the error column of the event list."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from integrations.inbound.filters import EventCriteria
from integrations.inbound.services import replay_jobs
from integrations.inbound.services.accept import accept_events
from integrations.models import ErpEvent, ReplayJob
from tests.factories import IntegrationFactory, OrganizationFactory, UseCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(org):
    integration = IntegrationFactory(organization=org, name="SAP IS-U")
    UseCaseFactory(integration=integration, name="CustomerChanged", slug="customer-changed")
    return integration


@pytest.fixture
def events(org, integration, django_capture_on_commit_callbacks):
    """Three good events and two that fail mapping (no customerId)."""
    payloads = [{"customerId": f"C-{i}", "firstName": "Ada"} for i in range(3)] + [{"firstName": "x"}] * 2
    body = {"integration_id": str(integration.pk), "events": [
        {"event_name": "CustomerChanged", "timestamp": "2026-01-01T00:00:00Z", "format": "json",
         "payload": json.dumps(payload)} for payload in payloads]}
    with django_capture_on_commit_callbacks(execute=True):
        accept_events(org, "v3", body)
    return list(ErpEvent.objects.filter(integration=integration))


def failed_originals(integration):
    return ErpEvent.objects.filter(integration=integration, status="failed", replay_of__isnull=True)


def test_job_replays_every_match_in_chunks(org, integration, events, monkeypatch, django_capture_on_commit_callbacks):
    assert failed_originals(integration).count() == 2
    monkeypatch.setattr(replay_jobs, "CHUNK", 1)
    job = replay_jobs.start_replay_job(org, integration, EventCriteria(status="failed"), dispatch=False)
    assert job.total == 2 and job.percent == 0
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        job = replay_jobs.run_replay_job(str(job.pk), on_progress=lambda j: seen.append((j.done, j.percent)))
    assert seen == [(1, 50), (2, 100)]
    assert (job.status, job.done, job.replayed, job.errors, job.percent) == ("done", 2, 2, 0, 100)
    replays = ErpEvent.objects.filter(replay_of__in=failed_originals(integration))
    assert replays.count() == 2
    # A job runs once.
    assert replay_jobs.run_replay_job(str(job.pk)) is None


def test_replay_all_view_starts_a_job_and_reports_progress(ui_client, integration, events, monkeypatch):
    started = []
    monkeypatch.setattr(replay_jobs, "_dispatch", started.append)
    client = ui_client("editor")
    response = client.post(f"/integrations/{integration.pk}/events/replay-all/", {"status": "failed"})
    job = ReplayJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/integrations/{integration.pk}/events/replay-jobs/{job.pk}/"
    assert job.criteria == {"status": "failed"} and job.total == 2
    assert started == [str(job.pk)] or started == []  # on_commit runs at the end of the test transaction
    status = client.get(f"/integrations/{integration.pk}/events/replay-jobs/{job.pk}/status/").json()
    assert status == {"id": str(job.pk), "status": "queued", "total": 2, "done": 0, "replayed": 0, "errors": 0,
                      "percent": 0, "finished": False, "message": ""}
    replay_jobs.run_replay_job(str(job.pk))
    page = client.get(f"/integrations/{integration.pk}/events/replay-jobs/{job.pk}/")
    assert page.status_code == 200
    assert page.context["job_json"]["percent"] == 100


def test_replay_all_roles_and_isolation(ui_client, integration, events):
    assert ui_client("viewer").post(f"/integrations/{integration.pk}/events/replay-all/").status_code == 403
    job = ReplayJob.objects.create(organization=integration.organization, integration=integration)
    other = ui_client("editor", organization=OrganizationFactory())
    assert other.post(f"/integrations/{integration.pk}/events/replay-all/").status_code == 404
    assert other.get(f"/integrations/{integration.pk}/events/replay-jobs/{job.pk}/status/").status_code == 404
    assert ReplayJob.objects.count() == 1


def test_event_list_has_an_error_column(ui_client, integration, events):
    response = ui_client("viewer").get(f"/integrations/{integration.pk}/events/?status=failed")
    listed = response.context["page"].events
    assert len(listed) == 2
    assert all(event.error_code for event in listed)
    html = response.content.decode()
    assert 'data-testid="event-error"' in html and listed[0].error_code in html


def test_command_replays_with_a_progress_bar(org, integration, events, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("replay_events", "--org", org.slug, "--integration", str(integration.pk), "--status", "failed",
                     "--use-case", "customer-changed", stdout=out)
    text = out.getvalue()
    assert "Replaying 2 events" in text
    assert "[##############################] 100% 2/2" in text
    assert "Done: 2 replayed, 0 errors" in text
    assert ErpEvent.objects.filter(replay_of__isnull=False).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--org", "nope", "--integration", "x"], "--org"), (["--integration", "not-a-uuid"], "--integration"),
     (["--use-case", "unknown"], "--use-case"), (["--since", "yesterday"], "--since")],
)
def test_command_names_the_bad_argument(org, integration, args, message):
    base = {"--org": org.slug, "--integration": str(integration.pk)}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    with pytest.raises(CommandError, match=message):
        call_command("replay_events", *[item for pair in base.items() for item in pair], stdout=io.StringIO())
