from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from levenlang.core.database import describe


class Command(BaseCommand):
    help = "Print which PostgreSQL database the platform uses (DATABASE_URL or the embedded server)."

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        self.stdout.write(f"{describe(settings.DATABASES['default'])}, server version {version}")
