"""Entry point of manage.py: runs Django's commands and turns a database that cannot be reached into one
clear line instead of a traceback."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levenlang.conf.settings.dev")
    from django.core.management import execute_from_command_line

    from levenlang.core.database import DatabaseConfigError

    try:
        execute_from_command_line(sys.argv)
    except DatabaseConfigError as exc:
        sys.exit(f"Database: {exc}")
    except Exception as exc:
        import django.db
        import psycopg

        if isinstance(exc, (django.db.OperationalError, psycopg.OperationalError)):
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            sys.exit(
                f"Cannot reach the database ({first_line}). Check DATABASE_URL (host, port, user, database) "
                "or unset it to use the embedded PostgreSQL."
            )
        raise
