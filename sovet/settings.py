"""Django settings: SQLite under var/ by default, PostgreSQL when DATABASE_URL is set."""

import os
import secrets
import warnings
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
# Commands started from the project directory find the same var/ as `make run`.
VAR_DIR = Path(os.environ.get("SOVET_VAR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    if key := os.environ.get("SOVET_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Signs the record's tree heads; kept apart from the database on purpose (see record/signing.py).
SOVET_SIGNING_KEY = Path(os.environ.get("SOVET_SIGNING_KEY", VAR_DIR / "signing-key.pem"))
# A TrueType font for PDF minutes; empty: DejaVu Sans where the system has it, else Helvetica.
SOVET_PDF_FONT = os.environ.get("SOVET_PDF_FONT", "")
# Makes secret-ballot receipts; also apart from the database (see polls/RECEIPTS.md).
SOVET_RECEIPT_KEY = Path(os.environ.get("SOVET_RECEIPT_KEY", VAR_DIR / "receipt-key"))
DEBUG = os.environ.get("SOVET_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("SOVET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

AUTHENTICATION_BACKENDS = ["sovet.auth.Backend"]

# Password reset mails: printed to the console unless an installation sets a real backend.
EMAIL_BACKEND = os.environ.get(
    "SOVET_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SOVET_FROM_EMAIL", "sovet@localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "sovet.record",
    "sovet.organizations",
    "sovet.councils",
    "sovet.congress",
    "sovet.polls",
    "sovet.minutes",
    "sovet.live",
    "sovet.web",
    "sovet.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Synchronous only, as the whole chain runs under ASGI too (sovet.asgi.Http): in the
    # request's thread, with the view.
    "sovet.web.middleware.RefuseNulCharacters",
]

ROOT_URLCONF = "sovet.urls"
ASGI_APPLICATION = "sovet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI every request runs in a thread of its own, whose connection would be opened
        # and closed with it: a pool per server process keeps them open, up to SOVET_DB_POOL.
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("SOVET_DB_POOL", "20")),
            "timeout": 10,
        }
        # Django binds parameters on the client, so PostgreSQL parses and plans each statement
        # anew. The few statements run through sovet.sql.fetch_prepared bind on the server and
        # are prepared on first use, once per pooled connection (this setting concerns only
        # server-binding cursors; Django's own queries are unchanged).
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "sovet.sqlite3",
            "OPTIONS": {
                # Writers take the lock when the transaction begins, so two actions never
                # deadlock upgrading a read lock; WAL lets readers go on while one writes.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # A 256 MB page cache keeps the indexes of a million members in memory on import.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Live updates: Redis carries events between server processes; one process needs no Redis.
# Publish/subscribe: an event to a session goes to Redis once and each process hands it to its
# own watchers (the list-based layer would queue one copy per watcher: 5,000 for a congress).
if redis_url := os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# How often the server processes together send an open poll's turnout to its watchers (seconds),
# with Redis; 0 sends it with every ballot, as the in-memory layer always does (live/events.py).
SOVET_TURNOUT_INTERVAL = float(os.environ.get("SOVET_TURNOUT_INTERVAL", "1.0"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the apps' static folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# WhiteNoise streams files with a synchronous iterator; under ASGI Django says so on every file.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
