"""Settings shared by every environment. Environment files override, never the reverse."""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KRIJT_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("KRIJT_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("KRIJT_ALLOWED_HOSTS", "localhost,127.0.0.1,.localhost").split(",") if h]

# Schools are reached at /s/<slug>/ or at <slug>.<KRIJT_BASE_DOMAIN>.
KRIJT_BASE_DOMAIN = os.environ.get("KRIJT_BASE_DOMAIN", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "krijt.core",
    "krijt.schools",
    "krijt.accounts",
    "krijt.home",
    "krijt.imports",
    "krijt.schooladmin",
    "krijt.api",
    "krijt.demo",
    "krijt.ops",
    "krijt.notifications",
    "krijt.webpush",
    "krijt.messaging",
    "krijt.planner",
    "krijt.handin",
    "krijt.results",
    "krijt.reportcards",
    "krijt.attendance",
    "krijt.care",
    "krijt.announcements",
    "krijt.agenda",
    "krijt.documents",
    "krijt.live",
    "krijt.exercises",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "krijt.core.middleware.SecurityHeadersMiddleware",
    "krijt.ops.admission.AdmissionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "krijt.core.readahead.ReadAheadMiddleware",
    "krijt.schools.middleware.SchoolMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "krijt.accounts.middleware.MembershipMiddleware",
    "krijt.core.middleware.InputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "krijt.core.middleware.ErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "krijt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "krijt.core.context_processors.shell",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
CSRF_FAILURE_VIEW = "krijt.core.views.csrf_failure"
AUTHENTICATION_BACKENDS = ["krijt.accounts.backends.KrijtBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2id first: see docs/decisions/0003-password-hashing.md for the measured cost.
PASSWORD_HASHERS = [
    "krijt.accounts.hashers.KrijtArgon2Hasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

REDIS_URL = os.environ.get("KRIJT_REDIS_URL", "")
CACHE_PREFIX = os.environ.get("KRIJT_CACHE_PREFIX", "krijt")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "krijt.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_PREFIX,
            "TIMEOUT": 300,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "krijt"},
    }

# Sessions: Redis in front, the database behind, so losing Redis signs nobody out.
SESSION_ENGINE = "krijt.accounts.session_backend"
SESSION_COOKIE_NAME = "krijt_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 90  # "keep me signed in" sessions: 90 days
KRIJT_SHORT_SESSION_AGE = 60 * 60 * 12  # without it: until the browser closes, at most 12 hours
CSRF_COOKIE_SAMESITE = "Lax"

DATABASES: dict[str, dict[str, object]] = {}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports"],
    },
}

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "krijt" / "locale"]
LANGUAGE_COOKIE_NAME = "krijt_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "krijt" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def s3_storage(*, bucket: str, endpoint: str | None, region: str, access_key: str | None, secret_key: str | None,
               expire: int) -> dict[str, object]:
    """Stored files in an S3-compatible bucket (django-storages): private objects, short-lived signed URLs."""
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": bucket, "endpoint_url": endpoint, "region_name": region, "access_key": access_key,
        "secret_key": secret_key, "default_acl": None, "querystring_auth": True, "querystring_expire": expire,
        "file_overwrite": False, "signature_version": "s3v4", "addressing_style": "path" if endpoint else None}}


# With KRIJT_S3_BUCKET, uploaded files (course folders, hand-ins, attachments) live in that bucket; a signed
# address of Krijt then answers with a redirect to the object's own short-lived signed URL.
if os.environ.get("KRIJT_S3_BUCKET"):
    STORAGES["default"] = s3_storage(
        bucket=os.environ["KRIJT_S3_BUCKET"], endpoint=os.environ.get("KRIJT_S3_ENDPOINT") or None,
        region=os.environ.get("KRIJT_S3_REGION", "eu-west-1"), access_key=os.environ.get("KRIJT_S3_ACCESS_KEY"),
        secret_key=os.environ.get("KRIJT_S3_SECRET_KEY"), expire=600)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DEFAULT_FROM_EMAIL = os.environ.get("KRIJT_FROM_EMAIL", "Krijt <no-reply@krijt.invalid>")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Sign-in limits (failures, window in seconds). Checked before any password hash.
KRIJT_LOGIN_LIMITS = {
    "account": (10, 15 * 60),
    "address_account": (5, 5 * 60),
}
# Password resets (requests, window in seconds): per client address, and per recipient address.
KRIJT_RESET_LIMIT = (5, 15 * 60)
KRIJT_RESET_RECIPIENT_LIMIT = (3, 60 * 60)
KRIJT_IMPORT_MAX_BYTES = 5 * 1024 * 1024
# Behind nginx with an internal location for the media directory (docs/nginx.conf.example), course folders'
# files are sent by nginx: signed addresses answer X-Accel-Redirect with this prefix. Empty: Krijt streams them.
KRIJT_DOCUMENTS_ACCEL_PREFIX = os.environ.get("KRIJT_DOCUMENTS_ACCEL_PREFIX", "")
# A ClamAV daemon ("host:port" or "unix:/run/clamav/clamd.ctl"): course folders' files wait for its verdict
# before students see them. Empty: no scan.
KRIJT_CLAMD = os.environ.get("KRIJT_CLAMD", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The public address links in e-mails point to (e-mails are written by workers, outside any request).
KRIJT_SITE_URL = os.environ.get("KRIJT_SITE_URL", "http://127.0.0.1:8000")
# Web push (VAPID): generate a pair with `manage.py vapid_keys`; without them each process makes its own.
KRIJT_VAPID_PRIVATE_KEY = os.environ.get("KRIJT_VAPID_PRIVATE_KEY", "")
KRIJT_VAPID_PUBLIC_KEY = os.environ.get("KRIJT_VAPID_PUBLIC_KEY", "")
KRIJT_VAPID_SUBJECT = os.environ.get("KRIJT_VAPID_SUBJECT", "")
# The push services browsers use (Chrome, Edge and Opera via FCM, Firefox, Safari, Windows). The server posts
# only to these hosts, over HTTPS on 443, and only to public addresses (krijt.webpush.guard).
KRIJT_PUSH_SERVICE_HOSTS = [
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "*.push.apple.com",
    "*.notify.windows.com",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"krijt": {"level": "INFO"}},
}
