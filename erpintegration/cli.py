"""The ``erpintegration`` console command (``[project.scripts]``).

``erpintegration serve [--port 8000] [--bind HOST:PORT] [--workers N] [--migrate]`` migrates (optionally),
runs the first-start bootstrap and replaces itself with gunicorn (``deploy/gunicorn.conf.py``); any other arguments are a ``manage.py`` command
(``erpintegration create_token --org default --name erp``, ``erpintegration replay_events ...``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command, execute_from_command_line

SETTINGS = "erpintegration.settings"
GUNICORN_CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="erpintegration serve", description="Run the web server (gunicorn).")
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"), help="port (default $PORT or 8000)")
    parser.add_argument("--bind", default=os.environ.get("BIND"),
                        help="HOST:PORT to bind (default $BIND, else 127.0.0.1:PORT; 0.0.0.0:8000 in the image)")
    parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "1"), help="gunicorn worker processes")
    parser.add_argument("--migrate", action="store_true", help="apply database migrations first")
    args = parser.parse_args(argv)
    django.setup()
    if args.migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("bootstrap", port=str(args.port), repeat_file=str(Path(settings.VAR_DIR) / "first-start.txt"))
    _fresh_multiprocess_dir()
    # deploy/gunicorn.conf.py: the asyncio worker that slow clients cannot occupy, and the start-up hooks.
    os.environ["BIND"] = args.bind or f"127.0.0.1:{args.port}"
    os.environ["WEB_CONCURRENCY"] = str(args.workers)
    os.environ["PORT"] = str(args.port)
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)])


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
