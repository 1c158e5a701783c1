"""The one settings module. Deploy-time values come from environment variables.

Every variable is listed in docs/configuration.md.

DANGJIAN_ENV=production switches on the hardened settings that `manage.py check --deploy` expects.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import dj_database_url

from dangjian.core.conf import ConfigError, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
# A checkout (make run) keeps var/ and staticfiles/ next to pyproject.toml and .venv. An installed
# wheel (make dist, docs/zh/install-offline.md) has no checkout around it: they go next to its
# virtualenv when that is a `.venv` (install.sh: /opt/dangjian/.venv → /opt/dangjian/var), else
# inside it; DANGJIAN_VAR_DIR / DANGJIAN_STATIC_ROOT say otherwise (docs/zh/deploy.md).
if (PROJECT_DIR / "pyproject.toml").is_file():
    HOME_DIR = PROJECT_DIR
else:
    HOME_DIR = Path(sys.prefix).parent if Path(sys.prefix).name == ".venv" else Path(sys.prefix)
VAR_DIR = Path(env_str("DANGJIAN_VAR_DIR", str(HOME_DIR / "var")))

PRODUCTION = env_str("DANGJIAN_ENV", "development") == "production"
# Off unless asked for: the demo (`make run`) must show the Chinese 403/404/500 pages, not
# Django's English debug pages. WhiteNoise serves static files either way (WHITENOISE_USE_FINDERS).
DEBUG = env_bool("DANGJIAN_DEBUG", False)

if PRODUCTION:
    SECRET_KEY = env_str("DANGJIAN_SECRET_KEY")
else:
    SECRET_KEY = env_str("DANGJIAN_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

ALLOWED_HOSTS = env_list("DANGJIAN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DANGJIAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "dangjian.core.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, leaner
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "dangjian.core",
    "dangjian.audit",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.documents",
    "dangjian.members",
    "dangjian.rosters",
    "dangjian.stats",
    "dangjian.votes",
    "dangjian.transfers",
    "dangjian.mobile",
    "dangjian.exchange",
    "dangjian.stations",
    "dangjian.meetings",
    "dangjian.appraisal",
    "dangjian.deliberations",
    "dangjian.recruitment",
    "dangjian.demo",
]

MIDDLEWARE = [
    # First: every response, redirects and static files included, carries the request id.
    "dangjian.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dangjian.core.middleware.PageMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dangjian.core.replica.StickyMiddleware",  # a user's own writes: read the primary a while
    "dangjian.accounts.middleware.IdleTimeoutMiddleware",
    "dangjian.accounts.middleware.SecondFactorMiddleware",
    "dangjian.accounts.middleware.ForcePasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "dangjian.accounts.context_processors.scope",
                "dangjian.core.context_processors.notifications",
            ],
        },
    },
]

# Production keeps each worker's connection for a minute: opening one (a forked backend and a
# SCRAM exchange) cost about 10 ms of a 50 ms page in the load bench. The health check on
# reuse turns a connection broken by a database restart into a new one, not a 500.
_CONN_MAX_AGE = env_int("DANGJIAN_DB_CONN_MAX_AGE", 60 if PRODUCTION else 0)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"),
        conn_max_age=_CONN_MAX_AGE,
        conn_health_checks=_CONN_MAX_AGE > 0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Our queries are short index reads that PostgreSQL often overestimates; its JIT then
    # spends ~35 ms compiling a 30 ms statistics query (measured on the province dataset).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # A second connection for background tasks' progress, written while the task's own
    # transaction is open (core.tasks.report_progress); in tests it is the same database.
    DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}

# 只读副本 (core.replica): reports and exports may read a streaming replica; everything else,
# and a user's pages for DANGJIAN_REPLICA_STICKY_SECONDS after their own write, read the
# primary, as do all reads while the replica is DANGJIAN_REPLICA_MAX_LAG_SECONDS behind or down.
# The test suite runs the routing against a mirror of the test database (no URL, no change).
_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if _REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        _REPLICA_URL, conn_max_age=_CONN_MAX_AGE, conn_health_checks=_CONN_MAX_AGE > 0
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that is down must cost seconds, not the OS's minutes (libpq's minimum is 2).
        DATABASES["replica"]["OPTIONS"] = {"options": "-c jit=off", "connect_timeout": 2}
elif "pytest" in sys.modules:
    DATABASES["replica"] = copy.deepcopy(DATABASES["default"])
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.sqlite3":
        # Tests open a transaction on every alias, mirrors included, and check constraints at
        # its end: on one in-memory database, a second reader must neither lock nor wait.
        DATABASES["replica"]["OPTIONS"] = {"init_command": "PRAGMA read_uncommitted=1;"}
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["dangjian.core.replica.ReplicaRouter"]
DANGJIAN_REPLICA_MAX_LAG_SECONDS = env_int("DANGJIAN_REPLICA_MAX_LAG_SECONDS", 30)
DANGJIAN_REPLICA_STICKY_SECONDS = env_int("DANGJIAN_REPLICA_STICKY_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "dangjian.accounts.validators.CharacterClassValidator", "OPTIONS": {"classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保 2.0 level 3: lock after 5 failures, idle timeout.
AXES_FAILURE_LIMIT = env_int("DANGJIAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("DANGJIAN_LOCKOUT_MINUTES", 30) / 60
# Lock the account, not the address: many offices reach the server through one NAT address,
# and locking that would lock the whole office out.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
SESSION_IDLE_TIMEOUT_SECONDS = env_int("DANGJIAN_IDLE_TIMEOUT_MINUTES", 30) * 60

# 两步验证 (accounts.otp, 等保 2.0 level 3 for administrators): "required" makes the three
# administrators and every account that may unmask personal data use a TOTP code after the
# password; "optional" offers it to every account and asks the code of those who enrolled;
# "off" neither offers nor asks. Required in production, optional elsewhere (demo, tests).
DANGJIAN_2FA = env_str("DANGJIAN_2FA", "required" if PRODUCTION else "optional")
if DANGJIAN_2FA not in ("required", "optional", "off"):
    raise ConfigError(f"DANGJIAN_2FA must be required, optional or off, got {DANGJIAN_2FA!r}")
OTP_TOTP_ISSUER = env_str("DANGJIAN_INSTALLATION_NAME", "党建工作平台")

# Roster import/export (rosters app). Uploads above the limit are refused while arriving.
DANGJIAN_IMPORT_MAX_BYTES = env_int("DANGJIAN_IMPORT_MAX_MB", 20) * 1024 * 1024
# Imports, and exports above DANGJIAN_EXPORT_INLINE_ROWS rows, run in a background thread of
# the web process; tests run them inline.
DANGJIAN_JOBS_INLINE = env_bool("DANGJIAN_JOBS_INLINE", False)
# Background tasks (core.tasks): in the database, run by `manage.py run_worker`; inline, run at
# once inside `enqueue` (tests, benchmarks).
TASKS_DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASKS_INLINE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
TASKS = TASKS_INLINE if DANGJIAN_JOBS_INLINE else TASKS_DATABASE
DANGJIAN_EXPORT_INLINE_ROWS = env_int("DANGJIAN_EXPORT_INLINE_ROWS", 3000)
# 通知: where a notification goes besides the app (core.notify.Channel classes, dotted paths).
# The in-app channel is the only one so far; SMS or mail would be added here.
DANGJIAN_NOTIFY_CHANNELS = ["dangjian.core.notify.InAppChannel"]
DANGJIAN_PDF_FONT = env_str("DANGJIAN_PDF_FONT", "")
# Documents (扫描件 attached to records): encrypted files under DANGJIAN_DOCUMENT_DIR, PDF/JPG/PNG
# up to DANGJIAN_DOCUMENT_MAX_MB each, kept DANGJIAN_DOCUMENT_RETENTION_YEARS unless their kind
# says otherwise (documents app registry).
DANGJIAN_DOCUMENT_DIR = Path(env_str("DANGJIAN_DOCUMENT_DIR", str(VAR_DIR / "documents")))
DANGJIAN_DOCUMENT_MAX_BYTES = env_int("DANGJIAN_DOCUMENT_MAX_MB", 10) * 1024 * 1024
DANGJIAN_DOCUMENT_RETENTION_YEARS = env_int("DANGJIAN_DOCUMENT_RETENTION_YEARS", 30)
# The address printed on account slips (e.g. https://dj.example.gov.cn); empty: the address
# the slips were requested at.
DANGJIAN_SITE_URL = env_str("DANGJIAN_SITE_URL", "")
# 扫码确认出席 (meetings.scan): the code on the meeting's screen changes every this many seconds;
# the current and the previous code are accepted. A security setting, not a rule of the Party
# (so not a RuleValue): shorter makes a photo sent home useless sooner, longer forgives slow
# phones. The presenter page refreshes itself every 10 s, so keep it well above that.
DANGJIAN_SCAN_WINDOW_SECONDS = 30
# 健康检查 (/health/): the worker counts as stopped when it has not enqueued a periodic job for
# this long (the shortest job runs every 30 s); the documents' disk needs this much room.
DANGJIAN_WORKER_STALE_SECONDS = env_int("DANGJIAN_WORKER_STALE_SECONDS", 180)
DANGJIAN_MIN_FREE_DISK_MB = env_int("DANGJIAN_MIN_FREE_DISK_MB", 500)
# Statistics: subtrees with at least this many members keep rollups (stats app).
DANGJIAN_STATS_ROLLUP_MIN = env_int("DANGJIAN_STATS_ROLLUP_MIN", 5000)
# Subtrees with at least this many spells (members past and present) answer the ad-hoc
# cross-tab from the in-memory column store (stats.columnar), loaded in the background.
DANGJIAN_STATS_COLUMNAR_MIN = env_int("DANGJIAN_STATS_COLUMNAR_MIN", 200000)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = env_str("DANGJIAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DANGJIAN_STATIC_ROOT", str(HOME_DIR / "staticfiles")))
NODE_MODULES = PROJECT_DIR / "node_modules"
# Front-end libraries come from the npm registry at install time (package.json), never a CDN.
# Only the files the pages load (core.staticfiles.VendorFinder), not whole dist folders: static
# name → file under node_modules. An installed wheel carries the same files inside the package
# (dangjian/<static name>, copied there by scripts/make-dist, which reads this literal).
DANGJIAN_VENDOR_FILES = {
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}
DANGJIAN_VENDOR_STATIC = {
    name: BASE_DIR / name if (BASE_DIR / "vendor").is_dir() else NODE_MODULES / source
    for name, source in DANGJIAN_VENDOR_FILES.items()
}
STATICFILES_FINDERS = [
    "dangjian.core.staticfiles.VendorFinder",
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "dangjian.core.staticfiles.ManifestStorage"  # WhiteNoise's, hashed and compressed
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Personal data: ID numbers are encrypted with a key kept outside the database.
FIELD_ENCRYPTION_KEY_FILE = Path(
    env_str("DANGJIAN_FIELD_KEY_FILE", str(VAR_DIR / "keys" / "field.key"))
)
FIELD_ENCRYPTION_KEY = env_str("DANGJIAN_FIELD_KEY", "")
# 跨系统转接 (exchange): the Ed25519 key that signs transfer packets, kept outside the database
# (created 0600 on first use, or by `manage.py exchange_signing_key`), and the name this
# installation signs with (other installations trust it by name and key fingerprint).
DANGJIAN_SIGNING_KEY_FILE = Path(
    env_str("DANGJIAN_SIGNING_KEY_FILE", str(VAR_DIR / "keys" / "signing-ed25519.pem"))
)
DANGJIAN_INSTALLATION_NAME = env_str("DANGJIAN_INSTALLATION_NAME", "党建工作平台")
# 备份 (manage.py backup/restore, docs/zh/backup.md): where `backup` writes its archives when
# no --output is given. Keep it on another disk than the database, and copy it off the machine.
DANGJIAN_BACKUP_DIR = Path(env_str("DANGJIAN_BACKUP_DIR", str(VAR_DIR / "backups")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # API tokens of accounts that must use 两步验证 count only once they have enrolled
        # (accounts.authentication; docs/development.md, "API tokens and 两步验证").
        "dangjian.accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "dangjian.core.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dangjian API",
    "DESCRIPTION": "党建平台 JSON API：组织与党员。权限与页面一致。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # 接口文档 only for those who use the API (accounts.abilities.GlobalAbility.USE_API).
    "SERVE_PERMISSIONS": ["dangjian.accounts.permissions.UsesApi"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dangjian.core.api.document_errors",  # 400/401/403/404/409, empty query values
    ],
    "ENUM_NAME_OVERRIDES": {
        "OrgKindEnum": "dangjian.orgs.models.OrgKind",
        "OrgStatusEnum": "dangjian.orgs.models.Organization.Status",
        "MemberStatusEnum": "dangjian.members.choices.MemberStatus",
        "EventKindEnum": "dangjian.members.models.MemberEvent.Kind",
        "PollKindEnum": "dangjian.votes.models.Poll.Kind",
        "PollStatusEnum": "dangjian.votes.models.Poll.Status",
        "PollMethodEnum": "dangjian.votes.models.Poll.Method",
        "PollBaseEnum": "dangjian.votes.models.Poll.Base",
        "PollShareEnum": "dangjian.votes.services.SHARE_CHOICES",
        "ImportBatchStatusEnum": "dangjian.rosters.models.ImportBatch.Status",
        "TransferStatusEnum": "dangjian.transfers.models.TransferStatus",
        "MobileStayStatusEnum": "dangjian.mobile.models.MobileStay.Status",
        "MeetingKindEnum": "dangjian.meetings.models.MeetingKind",
        "MeetingStatusEnum": "dangjian.meetings.models.Meeting.Status",
        "AttendanceStatusEnum": "dangjian.meetings.models.Attendance.Status",
        "IncomingLetterStatusEnum": "dangjian.exchange.models.IncomingLetter.Status",
        "RuleBasisEnum": "dangjian.core.models.RuleValue.Basis",
        "MatterStatusEnum": "dangjian.deliberations.models.MatterStatus",
        "MatterCategoryEnum": "dangjian.deliberations.models.MatterCategory",
        "MemberCategoryEnum": "dangjian.members.choices.MemberCategory",
        "ConsultOutcomeEnum": "dangjian.deliberations.models.ConsultOutcome",
        "VillagerMeetingKindEnum": "dangjian.deliberations.models.VillagerMeetingKind",
        "VillagerMeetingEntitledEnum": "dangjian.deliberations.models.VillagerMeeting.Entitled",
        "PublicationKindEnum": "dangjian.deliberations.models.Publication.Kind",
        "PublicationChannelEnum": "dangjian.deliberations.models.Publication.Channel",
        "AppraisalStatusEnum": "dangjian.appraisal.models.Appraisal.Status",
        "AppraisalBodyEnum": "dangjian.appraisal.models.Appraisal.Body",
        "AppraisalGradeEnum": "dangjian.appraisal.models.GRADE_CHOICES",
        "AppraisalStepEnum": "dangjian.appraisal.api.APPRAISAL_STEPS",
        "DispositionStatusEnum": "dangjian.appraisal.models.Disposition.Status",
        "DispositionSourceEnum": "dangjian.appraisal.models.Disposition.Source",
        "DispositionMeasureEnum": "dangjian.appraisal.models.Disposition.Measure",
        "DispositionStepEnum": "dangjian.appraisal.api.DISPOSITION_STEPS",
    },
}

# Logs: JSON lines in production (time, level, logger, message, request_id; core.logs), for
# journald or a log collector; human-readable in development. gunicorn's access and error lines
# are JSON too (dangjian.gunicorn_conf). No query strings: they carry names and ID numbers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dangjian.core.logs.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if PRODUCTION else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DANGJIAN_LOG_LEVEL", "WARNING")},
}

# Production (DANGJIAN_ENV=production): DEBUG off (above), hardened headers. DANGJIAN_TLS says
# the site is reached over https (nginx in front, sending X-Forwarded-Proto): on by default in
# production, it turns on the https redirect, cookies sent only over TLS and HSTS, which
# `manage.py check --deploy` asks for. DANGJIAN_TLS=0 is for trying the production shape on
# http://127.0.0.1 (`make serve`): a Secure cookie would never come back over plain http, so
# the login would fail; never use it on a network, where the session cookie would travel in clear.
TLS = env_bool("DANGJIAN_TLS", PRODUCTION)
if PRODUCTION:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
if TLS:
    SECURE_SSL_REDIRECT = env_bool("DANGJIAN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DANGJIAN_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp), in development and tests too, so the browser tests meet
# the policy production sends. Scripts only from our static files: no inline <script>, no on...=
# handler attributes, no javascript: URLs, no eval (core/tests/test_csp.py scans the templates;
# htmx runs without eval and without its own <style>, see base.html's htmx-config).
# Styles: our static files, and no <style> element. Style ATTRIBUTES stay allowed
# (style-src-attr 'unsafe-inline'): some are computed per page (a chart's height from its row
# count), and the rest are one-off spacing. Honest trade: an attribute holds no selector and can
# load nothing that img-src/font-src refuse, so the CSS injection attacks the rule guards against
# (attribute-selector exfiltration, which needs a <style> element) stay closed; it does let injected
# markup restyle itself, which escaping in the templates prevents anyway. Browsers without CSP
# level 3 ignore style-src-attr and drop the attributes: the layout degrades, nothing opens.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],  # data: for the API docs' (Swagger UI) icons
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
