"""Production: PostgreSQL with a pool, Redis, secure cookies. Every secret comes from the environment."""

import os

from .base import *  # noqa: F403
from .postgres import postgres_database

DEBUG = False
SECRET_KEY = os.environ["KRIJT_SECRET_KEY"]
DATABASES = {"default": postgres_database("krijt")}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("KRIJT_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KRIJT_SMTP_PORT", "25"))
