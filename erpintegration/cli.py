"""The ``erpintegration`` console command (``[project.scripts]``).

``erpintegration serve [--port 8000] [--bind HOST:PORT] [--migrate]`` migrates (optionally), runs the
first-start bootstrap and replaces itself with gunicorn; any other arguments are a ``manage.py`` command
(``erpintegration create_token --org default --name erp``, ``erpintegration replay_events ...``).
"""
from __future__ import annotations

import argparse
import os
import sys

import django
from django.core.management import call_command, execute_from_command_line

SETTINGS = "erpintegration.settings"


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="erpintegration serve", description="Run the web server (gunicorn).")
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"), help="port (default $PORT or 8000)")
    parser.add_argument("--bind", default=os.environ.get("ERPINTEGRATION_BIND"),
                        help="HOST:PORT to bind (default 127.0.0.1:PORT; 0.0.0.0:PORT in a container)")
    parser.add_argument("--workers", default=os.environ.get("WEB_WORKERS", "2"))
    parser.add_argument("--threads", default=os.environ.get("WEB_THREADS", "8"))
    parser.add_argument("--migrate", action="store_true", help="apply database migrations first")
    args = parser.parse_args(argv)
    django.setup()
    if args.migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("bootstrap", port=str(args.port))
    _fresh_multiprocess_dir()
    bind = args.bind or f"127.0.0.1:{args.port}"
    command = [sys.executable, "-m", "gunicorn", "erpintegration.wsgi:application", "--bind", bind,
               "--workers", str(args.workers), "--threads", str(args.threads), "--timeout", "60",
               "--access-logfile", "-", "--config", "python:erpintegration.gunicorn_conf"]
    os.execv(sys.executable, command)


def _fresh_multiprocess_dir() -> None:
    """prometheus-client's multiprocess files of a previous server run would be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.unlink(os.path.join(directory, name))


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "serve":
        serve(argv[2:])
        return
    execute_from_command_line(["erpintegration", *argv[1:]])


if __name__ == "__main__":
    main()
