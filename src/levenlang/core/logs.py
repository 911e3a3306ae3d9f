"""Logging pieces that the settings' LOGGING names."""

import logging

from django.core.exceptions import PermissionDenied

__all__ = ["NoTracebackForPermissionDenied"]


class NoTracebackForPermissionDenied(logging.Filter):
    """Django logs a refused page (PermissionDenied, 403) as a warning with the exception's traceback. A refusal is
    the permission rules working, not a bug: keep the one line ("Forbidden (Permission denied): /path"), drop the
    traceback. Every other record passes unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        if exc_info and isinstance(exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
