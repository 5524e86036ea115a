"""Settings defaults: each case loads the settings in a fresh interpreter with its own env.

The probe reads the settings module only, without ``django.setup()``: importing the apps
(WeasyPrint, pypdf, openpyxl...) took about 2 s of CPU per case, and no app changes a setting
when it starts; ``manage.py check --deploy`` below starts the whole project."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
import re
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "database_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "debug": settings.DEBUG,
    "language": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "time_zone": settings.TIME_ZONE,
    "secure_cookies": settings.SESSION_COOKIE_SECURE,
    "mailer": settings.MAILERS["default"]["BACKEND"],
    "hsts": [
        settings.SECURE_HSTS_SECONDS,
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        settings.SECURE_HSTS_PRELOAD,
    ],
    "proxy_header": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "session_age": settings.SESSION_COOKIE_AGE,
    "media_root": str(settings.MEDIA_ROOT),
    "login": [settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds()],
    "signup_limit": settings.SIGNUP_ATTEMPTS_PER_HOUR,
}))
"""


def load(**env) -> dict:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "EMAIL_", "COTRAINING_")
        )
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "cotraining.settings", **env})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    if result.returncode:
        return {"error": result.stderr}
    return json.loads(result.stdout)


def test_defaults_are_sqlite_eager_tasks_and_french():
    loaded = load(DJANGO_DEBUG="1")
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"].endswith("db.sqlite3")
    assert loaded["eager"] is True
    assert loaded["cache"].endswith("LocMemCache")
    assert loaded["language"] == "fr"
    assert loaded["languages"] == ["fr", "en"]
    assert loaded["time_zone"] == "Europe/Paris"
    assert loaded["mailer"].endswith("console.EmailBackend")


def test_database_and_redis_urls_switch_to_postgresql_and_a_real_broker():
    loaded = load(
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://app:secret@db.example:5432/cotraining",
        REDIS_URL="redis://cache.example:6379/2",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["name"] == "cotraining"
    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://cache.example:6379/2"
    assert loaded["cache"].endswith("RedisCache")


def test_postgresql_statements_are_bound_and_prepared_on_the_server_unless_turned_off():
    url = "postgres://app:secret@db.example:5432/cotraining"
    loaded = load(DJANGO_DEBUG="1", DATABASE_URL=url)
    assert loaded["database_options"] == {"server_side_binding": True, "prepare_threshold": 2}
    loaded = load(DJANGO_DEBUG="1", DATABASE_URL=url, DJANGO_DB_PREPARE_THRESHOLD="5")
    assert loaded["database_options"]["prepare_threshold"] == 5
    # 0 would prepare a migration's several commands at their first run, which PostgreSQL refuses.
    for wrong in ("0", "-1", "soon"):
        loaded = load(DJANGO_DEBUG="1", DATABASE_URL=url, DJANGO_DB_PREPARE_THRESHOLD=wrong)
        assert "DJANGO_DB_PREPARE_THRESHOLD must be" in loaded["error"]
    # Behind a pooler in transaction mode: Django's defaults, nothing prepared.
    loaded = load(DJANGO_DEBUG="1", DATABASE_URL=url, DJANGO_DB_PREPARE_THRESHOLD="off")
    assert loaded["database_options"] == {}
    assert load(DJANGO_DEBUG="1")["database_options"] == {}


def test_production_needs_a_secret_key():
    loaded = load()
    assert "DJANGO_SECRET_KEY must be set" in loaded["error"]
    loaded = load(DJANGO_SECRET_KEY="x" * 50)
    assert loaded["debug"] is False
    assert loaded["secure_cookies"] is True


def test_smtp_is_used_when_configured():
    loaded = load(DJANGO_DEBUG="1", EMAIL_HOST="smtp.example.org")
    assert loaded["mailer"].endswith("smtp.EmailBackend")


def test_check_deploy_is_clean_with_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SECRET_KEY="a-long-production-secret-key-" + "k" * 40,
        DJANGO_HSTS_SECONDS="31536000",
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_ALLOWED_HOSTS="cotraining.example.org",
        EMAIL_HOST="smtp.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "INFO"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Not a single issue printed, not even an informational one.
    assert result.stdout.strip() == "System check identified no issues (2 silenced).", result.stdout
    assert result.stderr == ""


def test_offline_management_commands_run_without_the_secret_key_but_serving_does_not():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "COTRAINING_"))
    }
    check = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    serve = subprocess.run(
        [sys.executable, "-c", "import cotraining.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "DJANGO_SECRET_KEY must be set" in serve.stderr


def test_hsts_reach_beyond_the_host_is_opt_in():
    loaded = load(DJANGO_SECRET_KEY="x" * 50, DJANGO_HSTS_SECONDS="31536000")
    assert loaded["hsts"] == [31536000, False, False]
    loaded = load(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_HSTS_SECONDS="31536000",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_HSTS_PRELOAD="1",
    )
    assert loaded["hsts"] == [31536000, True, True]


def test_forwarded_headers_are_trusted_only_when_told_the_app_is_behind_a_proxy():
    assert load(DJANGO_DEBUG="1")["proxy_header"] is None
    assert load(DJANGO_DEBUG="1", DJANGO_BEHIND_PROXY="0")["proxy_header"] is None
    assert load(DJANGO_DEBUG="1", DJANGO_BEHIND_PROXY="1")["proxy_header"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_session_lifetime_media_folder_and_throttles_come_from_the_environment():
    defaults = load(DJANGO_DEBUG="1")
    assert defaults["session_age"] == 12 * 3600
    assert defaults["media_root"] == str(ROOT / "media")
    assert defaults["login"] == [5, 15 * 60]
    assert defaults["signup_limit"] == 20
    loaded = load(
        DJANGO_DEBUG="1",
        DJANGO_SESSION_HOURS="2",
        DJANGO_MEDIA_ROOT="/srv/cotraining/media",
        DJANGO_LOGIN_FAILURE_LIMIT="3",
        DJANGO_LOGIN_COOLOFF_MINUTES="30",
        DJANGO_SIGNUP_ATTEMPTS_PER_HOUR="5",
    )
    assert loaded["session_age"] == 2 * 3600
    assert loaded["media_root"] == "/srv/cotraining/media"
    assert loaded["login"] == [3, 30 * 60]
    assert loaded["signup_limit"] == 5


def test_the_readme_lists_every_setting_the_code_reads():
    read = re.compile(
        r"""(?:os\.environ\.get|os\.environ\.setdefault|env_bool|env_list)\(\s*["']([A-Z_]+)["']"""
    )
    names = set()
    for folder in ("cotraining", "programmes", "participants", "sessions", "reports"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(read.findall(path.read_text()))
    names |= set(read.findall((ROOT / "manage.py").read_text()))
    names -= {"DJANGO_SETTINGS_MODULE"}
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Reports")]
    assert len(names) > 30
    assert sorted(name for name in names if f"`{name}`" not in table) == []
    compose = (ROOT / "docker-compose.yml").read_text()
    for name in set(re.findall(r"\$\{([A-Z_]+)", compose)):
        assert f"`{name}`" in table, name
