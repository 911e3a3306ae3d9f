"""`make demo` ends here: migrate, load the demo data once, start the task worker and serve the platform."""

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.wsgi import get_wsgi_application
from django.utils import translation

from levenlang.accounts.services import demo_bsn
from levenlang.core.database import describe, url_of
from levenlang.demo.personas import PERSONAS


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class Command(BaseCommand):
    help = "Serve the platform with demo data and a task worker (the end of `make demo`)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        if not _port_is_free(host, port):
            raise CommandError(
                f"Port {port} on {host} is already in use: stop the program that uses it, "
                f"or choose another port with `make demo PORT={port + 1}`."
            )
        started = time.monotonic()
        self.stdout.write(f"Database: {describe(settings.DATABASES['default'])}")
        call_command("migrate", verbosity=0)
        call_command("load_demo", if_empty=True)
        # Ctrl-C and SIGTERM end the demo, so that the worker and the embedded database stop cleanly (SIGINT
        # too: a shell that starts us in the background would otherwise have it ignored).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # The worker gets the database as a URL, so that only this process holds the embedded server open and
        # stops it at the end, however the worker ends.
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": url_of(settings.DATABASES["default"])},
        )
        try:
            with translation.override("en"):
                self._print_welcome(host, port, time.monotonic() - started)
            from waitress import serve

            serve(get_wsgi_application(), host=host, port=port, threads=threads, _quiet=True)
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
            self.stdout.write("Levenlang stopped.")

    def _print_welcome(self, host: str, port: int, seconds: float) -> None:
        base = f"http://{host}:{port}"
        self.stdout.write(self.style.SUCCESS(f"\nLevenlang runs at {base}/  (ready in {seconds:.1f} s; Ctrl-C stops)"))
        self.stdout.write(f"Log in with one click at {base}/account/inloggen/ as one of these personas:")
        for persona in PERSONAS:
            self.stdout.write(f"  {persona.given_name:<7} {persona.role.label!s:<28} {persona.description!s}")
        hint = demo_bsn([p.username for p in PERSONAS])
        if hint:
            self.stdout.write(f"Or with the mock DigiD at {base}/account/demo/digid/: {hint[0]}'s BSN is {hint[1]}.")
        self.stdout.write(f"English: {base}/en/   API docs: {base}/api/v1/docs/   Admin: log in as Bram\n")
