"""Alerting on the monitoring store: configuration (``settings.notifications``), the 5-minute evaluator with
its alert state machine, auto baselines, digests, channels (email, in-app inbox) and history."""
