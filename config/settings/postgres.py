"""PostgreSQL connection settings, shared by the test and production environments."""

import os


def postgres_database(name_default: str) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("KRIJT_DB_NAME", name_default),
        "USER": os.environ.get("KRIJT_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("KRIJT_DB_PASSWORD", ""),
        "HOST": os.environ.get("KRIJT_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("KRIJT_DB_PORT", "5432"),
        "OPTIONS": {
            "pool": {
                "min_size": int(os.environ.get("KRIJT_DB_POOL_MIN", "2")),
                "max_size": int(os.environ.get("KRIJT_DB_POOL_MAX", "10")),
                # Short: with PostgreSQL down, a request should get its 503 or cached page quickly.
                "timeout": int(os.environ.get("KRIJT_DB_POOL_TIMEOUT", "3")),
            },
        },
    }
