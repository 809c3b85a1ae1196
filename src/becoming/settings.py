"""Becoming's one settings file.

Every setting comes from the environment, parsed strictly: a bad value stops start-up with a
message naming the variable. Each outside service has an embedded default (SQLite, a SQLite
job queue, a data directory under the user's home), so nothing must be installed to start.
"""

import importlib.util
import os
import re
import secrets
from pathlib import Path

import dj_database_url
import platformdirs
from django.core.exceptions import ImproperlyConfigured

from becoming.apps import DOMAIN_APPS


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def env_header(name: str) -> str:
    """An HTTP header name (e.g. X-Forwarded-For) as Django's request.META key, or ""."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    if not re.fullmatch(r"[A-Za-z0-9-]+", raw):
        raise ImproperlyConfigured(f"{name} must be an HTTP header name such as X-Forwarded-For, "
                                   f"not {raw!r}")
    return "HTTP_" + raw.upper().replace("-", "_")


# Self-hosted assets, so 'self' is enough; 'unsafe-inline' because pages still have inline
# event handlers (onchange, onsubmit), a small inline chart script and style attributes.
DEFAULT_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
               "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def env_csp(name: str) -> str:
    """A Content-Security-Policy: the default when unset, none for "off", else as given."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return DEFAULT_CSP
    if raw.lower() == "off":
        return ""
    directives = [" ".join(d.split()) for d in raw.split(";") if d.strip()]
    if re.search(r"[^\x20-\x7e]", raw) or not all(
            re.fullmatch(r"[a-z-]+( [\x21-\x7e]+)*", d) for d in directives):
        raise ImproperlyConfigured(f"{name} must be a policy such as \"default-src 'self'\" "
                                   f"(directives separated by ';') or off, not {raw!r}")
    return "; ".join(directives)


def private_file(path: Path) -> None:
    """Create `path` empty, readable by its owner only, unless it exists. SQLite opens an empty
    file as an empty database, and gives its -wal and -shm files the same mode."""
    if not path.exists() and path.parent.is_dir():
        path.touch(mode=0o600)


BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("BECOMING_HOME") or platformdirs.user_data_dir("becoming")).resolve()
# Owner only: the database, uploads and signals of every customer live here.
HOME.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key() -> str:
    # A key generated once per data directory, so sessions survive restarts without a key in code.
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = HOME / "secret_key"
    if not path.exists():
        # Created 0600, not chmod-ed after writing: never readable by others, even briefly.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Behind TLS: BECOMING_TLS=true sends cookies over HTTPS only, redirects plain HTTP and tells
# browsers (HSTS) to use HTTPS only, for a year unless SECURE_HSTS_SECONDS says otherwise.
TLS = env_bool("BECOMING_TLS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = TLS
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", TLS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if TLS else 0, minimum=0)
# A proxy that ends TLS must say so (e.g. X-Forwarded-Proto: https), or every request looks like
# plain HTTP: redirected forever, and refused secure cookies.
_PROXY_SSL_HEADER = env_header("BECOMING_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
CONTENT_SECURITY_POLICY = env_csp("BECOMING_CSP")

# django-ninja's folder, found without importing it (that costs every command its start-up).
_NINJA = Path(importlib.util.find_spec("ninja").origin).parent

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Not "huey.contrib.djhuey": as an app it is imported by every command, and huey imports
    # redis and psycopg when it loads (0.3 s of each command's start-up, though `becoming
    # assess` never queues a job). becoming.jobs imports it when a job is queued or consumed.
    *(f"becoming.{app}" for app in ("workspaces", "jobs", *DOMAIN_APPS, "web", "outbox")),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "becoming.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Dates and numbers in the reader's locale (Accept-Language); the words stay English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "becoming.urls"
WSGI_APPLICATION = "becoming.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [_NINJA / "templates"],  # its Swagger UI page (see becoming.api.core)
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "becoming.web.context.workspace",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{HOME / 'becoming.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except Exception as exc:  # dj_database_url raises several kinds; all mean the same to a user
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {exc}") from None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        private_file(Path(DATABASES["default"]["NAME"]))
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one connection writes.
        "init_command": "PRAGMA journal_mode=WAL;",
        # A transaction that reads and then writes must take the write lock at BEGIN: in the
        # default DEFERRED mode its upgrade fails at once with "database is locked" when another
        # connection wrote meanwhile, and the busy timeout cannot help.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # seconds a writer waits for the lock before giving up
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["becoming.workspaces.auth.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("BECOMING_FAST_HASHER", False)  # tests only: real hashing costs ~0.3 s per login
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)

# Applied wherever a person sets a password (`becoming user create --password-stdin`).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (becoming.workspaces.throttle): this many failures within `window`
# seconds lock the account, or the client address, for `lockout` seconds. The address limit is
# higher: several people may share one address (an office, a proxy).
LOGIN_THROTTLE = {"account": 5, "address": 20, "window": 15 * 60, "lockout": 15 * 60}
# Behind a reverse proxy every request comes from the proxy's address: name the header in
# which the proxy passes the client's address, or one bad actor locks out everyone.
CLIENT_ADDRESS_HEADER = env_header("BECOMING_CLIENT_ADDRESS_HEADER")

LANGUAGE_CODE = "en-us"
# The pages are written in English; the reader's browser (Accept-Language, through
# LocaleMiddleware) picks among these how dates and numbers are written: "Dec. 6, 2026" in
# the US, "6 Dec 2026" in the UK. One format on every page, the reader's.
LANGUAGES = [("en", "English (US)"), ("en-gb", "English (UK)"), ("en-au", "English (Australia)"),
             ("en-ca", "English (Canada)"), ("en-ie", "English (Ireland)")]
TIME_ZONE = "UTC"
USE_I18N = True  # for the locale formats above; no page is translated
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [_NINJA / "static"]  # the Swagger UI that django-ninja ships
# Serve the vendored assets straight from the app folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = HOME / "uploads"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest file the imports page accepts; bigger files go through `becoming import`.
UPLOAD_MAX_MB = env_int("BECOMING_UPLOAD_MAX_MB", 200)
if UPLOAD_MAX_MB < 1:
    raise ImproperlyConfigured(f"BECOMING_UPLOAD_MAX_MB must be at least 1, not {UPLOAD_MAX_MB}")

# The engine `becoming assess` and assessment jobs run on (docs/readme/spark.md): DuckDB in
# this process, or Apache Spark (PySpark and Java needed) on SPARK_MASTER, else local[*].
# BECOMING_SPARK_DELTA=true reads the signal store through the delta-spark connector instead
# of its snapshot's Parquet files. Previews and one customer's live assessment stay on DuckDB.
ENGINE = env_choice("BECOMING_ENGINE", ("duckdb", "spark"), "duckdb")
SPARK_MASTER = os.environ.get("SPARK_MASTER", "").strip()
SPARK_DELTA = env_bool("BECOMING_SPARK_DELTA", False)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "becoming@localhost")
# The demo's and development's outbox: `becoming serve`/`demo` start an SMTP sink on loopback
# (BECOMING_OUTBOX_PORT, a free port when 0) and staff read what it received on the Outbox page.
# A separate `becoming worker` with the same two settings mails the same sink.
BECOMING_OUTBOX = env_bool("BECOMING_OUTBOX", False)
BECOMING_OUTBOX_PORT = env_int("BECOMING_OUTBOX_PORT", 0, minimum=0)
if BECOMING_OUTBOX and BECOMING_OUTBOX_PORT:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = "127.0.0.1", BECOMING_OUTBOX_PORT

# The job queue: embedded SQLite file by default, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Installations that share one Redis keep apart by queue name.
QUEUE_NAME = os.environ.get("BECOMING_QUEUE_NAME") or "becoming"
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": QUEUE_NAME, "url": REDIS_URL, "immediate": False}
else:
    private_file(HOME / "queue.sqlite3")  # job arguments can name customers and files
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": QUEUE_NAME,
        "filename": str(HOME / "queue.sqlite3"),
        "immediate": False,
    }
HUEY["immediate"] = env_bool("BECOMING_JOBS_IMMEDIATE", False)
HUEY["consumer"] = {"workers": env_int("BECOMING_WORKERS", 1), "worker_type": "thread"}
# A running job's worker renews its lease every quarter of this many seconds. A job whose
# lease ran out (its worker was killed or lost) is retried once by any worker, then failed.
# Longer than the longest pause a live worker may take (a SQLite write lock, a slow disk).
JOB_LEASE_SECONDS = env_int("BECOMING_JOB_LEASE", 120)
if JOB_LEASE_SECONDS < 2:
    raise ImproperlyConfigured(f"BECOMING_JOB_LEASE must be 2 seconds or more, not {JOB_LEASE_SECONDS}")

# "throttle" holds sign-in failure counts: shared through Redis when there is one, so that
# several web processes count together; otherwise in this process's memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "becoming-throttle"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}

CUSTOMERS_PER_PAGE = 50


def _half_the_memory_or_4gb() -> str:
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not every system tells
        return "4GB"
    return f"{min(4096, total // 2 // 2**20)}MB"


# DuckDB, which runs assessments: how much memory it may hold before it spills to disk (in
# DUCKDB_TEMP, under the data directory) and how many threads it runs. Left to itself it takes
# 80% of the machine's memory; by default it gets 4 GB (half the memory on smaller machines),
# enough for a million customers with spilling.
DUCKDB_MEMORY = os.environ.get("BECOMING_DUCKDB_MEMORY", "").strip() or _half_the_memory_or_4gb()
if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", DUCKDB_MEMORY, re.IGNORECASE):
    raise ImproperlyConfigured(f"BECOMING_DUCKDB_MEMORY must be an amount such as 4GB or 512MB, "
                               f"not {DUCKDB_MEMORY!r}")
DUCKDB_THREADS = env_int("BECOMING_DUCKDB_THREADS", os.cpu_count() or 1, minimum=1)
DUCKDB_TEMP = HOME / "duckdb-spill"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
