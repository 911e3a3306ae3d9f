import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levenlang.conf.settings.production")
application = get_wsgi_application()
