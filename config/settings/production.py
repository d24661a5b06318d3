"""Production: PostgreSQL with a pool, Redis, secure cookies. Every secret comes from the environment."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .postgres import postgres_database

DEBUG = False
SECRET_KEY = os.environ["KRIJT_SECRET_KEY"]
DATABASES = {"default": postgres_database("krijt")}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS for a year; with schools on sub-domains of KRIJT_BASE_DOMAIN, for every sub-domain too.
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(KRIJT_BASE_DOMAIN)  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "krijt.core.staticfiles.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("KRIJT_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KRIJT_SMTP_PORT", "25"))

# Serving (docs/operations.md). Static files: hashed names cached for a year by WhiteNoise, gzip beside.
STATIC_ROOT = Path(os.environ.get("KRIJT_STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # noqa: F405
WHITENOISE_MAX_AGE = 60 * 60  # files without a hash in their name (favicon.ico and the like)
# Admission slots per web process; `manage.py serve --threads` sets KRIJT_WEB_THREADS for its workers.
KRIJT_ADMISSION_LIMIT = int(os.environ.get("KRIJT_ADMISSION_LIMIT", "0")) or None
# Metrics answer only with this bearer token; production does not start without one (at least 32 characters).
KRIJT_METRICS_TOKEN = os.environ.get("KRIJT_METRICS_TOKEN", "")
if len(KRIJT_METRICS_TOKEN) < 32:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set KRIJT_METRICS_TOKEN to a random secret of at least 32 characters "
                               "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).")
# Behind nginx (docs/nginx.conf.example) set this to 1, so client addresses come from X-Forwarded-For.
KRIJT_TRUSTED_PROXIES = int(os.environ.get("KRIJT_TRUSTED_PROXIES", "0"))
