"""The inbound pipeline's task names and how services enqueue them (see ``erpintegration/lib/queue.py``)."""
from erpintegration.lib.queue import enqueue

PROCESS_EVENTS = "integrations.tasks.process_events"
RUN_REPLAY_JOB = "integrations.tasks.run_replay_job"


def send_processing(event_id: str) -> None:
    """Ask a worker to apply every pending event of the integration of ``event_id`` up to it."""
    enqueue(PROCESS_EVENTS, str(event_id))


def send_replay_job(job_id: str) -> None:
    """Ask a worker to run a replay-all job."""
    enqueue(RUN_REPLAY_JOB, str(job_id))
