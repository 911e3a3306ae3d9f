"""Development and demo: `make demo` uses these settings."""

from levenlang.conf.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", False)
