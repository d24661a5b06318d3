"""Tests run on PostgreSQL and Redis, the production stack (scripts/test starts them when missing)."""

import os

from .base import *  # noqa: F403
from .postgres import postgres_database

DEBUG = False
DATABASES = {"default": postgres_database("krijt")}
# The pool would keep connections open across pytest-django's test database switch.
DATABASES["default"]["OPTIONS"] = {}

_redis_url = os.environ.get("KRIJT_REDIS_URL", "redis://127.0.0.1:6379/1")
CACHES = {
    "default": {
        "BACKEND": "krijt.core.cache.RedisCache",
        "LOCATION": _redis_url,
        # Parallel test workers share one Redis: each clears only its own prefix.
        "KEY_PREFIX": os.environ.get("KRIJT_CACHE_PREFIX", "krijt-test") + os.environ.get("PYTEST_XDIST_WORKER", ""),
    },
}
REDIS_URL = _redis_url
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = [
    "krijt.accounts.hashers.KrijtArgon2Hasher",
]
ALLOWED_HOSTS = ["*"]
KRIJT_BASE_DOMAIN = "krijt.test"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
KRIJT_SITE_URL = "http://localhost:8000"
KRIJT_METRICS_TOKEN = "test-metrics-token"  # noqa: S105 (tests only)
