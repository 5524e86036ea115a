"""Docker cannot run here: these tests read the deployment files and check what they promise."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_six_services():
    assert set(compose()["services"]) == {"caddy", "web", "worker", "beat", "db", "redis"}


def test_app_services_share_one_image_and_point_at_postgresql_and_redis():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        env = service["environment"]
        assert service["build"] == "."
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert "DJANGO_SECRET_KEY" in env
        assert "media:/app/media" in service["volumes"]
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_each_process_runs_what_it_should():
    services = compose()["services"]
    assert "gunicorn cotraining.wsgi:application" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A cotraining worker")
    assert services["beat"]["command"].startswith("celery -A cotraining beat")
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "healthcheck" in services["db"]
    assert "healthcheck" in services["redis"]


def test_the_secret_key_is_required_not_defaulted():
    web_env = compose()["services"]["web"]["environment"]
    assert ":?" in web_env["DJANGO_SECRET_KEY"]


def test_dockerfile_installs_weasyprint_libraries_and_builds_assets():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"FROM python:3\.1[2-9]", dockerfile)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "gettext"):
        assert package in dockerfile
    assert "npm ci" in dockerfile
    assert "collectstatic" in dockerfile
    assert "compilemessages" in dockerfile
    assert "USER cotraining" in dockerfile


def test_no_default_database_password_compose_refuses_to_start_without_one():
    services = compose()["services"]
    assert ":?" in services["db"]["environment"]["POSTGRES_PASSWORD"]
    for name in ("web", "worker", "beat"):
        url = services[name]["environment"]["DATABASE_URL"]
        assert "${POSTGRES_PASSWORD:?" in url, name
    assert ":-cotraining}" not in (ROOT / "docker-compose.yml").read_text()


def test_gunicorn_is_reached_only_through_caddy_with_automatic_https():
    services = compose()["services"]
    web, caddy = services["web"], services["caddy"]
    assert "ports" not in web  # not published on the host's :8000
    assert web["expose"] == ["8000"]
    for name in ("worker", "beat", "db", "redis"):
        assert "ports" not in services[name], name
    assert caddy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    site = [line for line in caddyfile.splitlines() if line and not line.startswith("#")]
    # A site address that is a host name: Caddy obtains and renews its certificate itself.
    assert site[0] == "{$COTRAINING_DOMAIN} {"
    assert "\treverse_proxy web:8000 {" in site
    # Caddy writes the one X-Forwarded-For the app reads (DJANGO_TRUSTED_PROXIES): what a
    # client sent in that header is replaced, not passed on.
    assert "\t\theader_up X-Forwarded-For {remote_host}" in site
    assert ":?" in caddy["environment"]["COTRAINING_DOMAIN"]


def test_forwarded_headers_are_trusted_only_behind_the_shipped_proxy():
    env = compose()["services"]["web"]["environment"]
    assert env["DJANGO_BEHIND_PROXY"] == "1"
    assert "172.16.0.0/12" in env["DJANGO_TRUSTED_PROXIES"]
    assert env["DJANGO_SECURE_SSL_REDIRECT"] == "1"
    assert env["DJANGO_SECURE_COOKIES"] == "1"
    # HSTS on, but its reach beyond this host is the operator's choice.
    assert env["DJANGO_HSTS_INCLUDE_SUBDOMAINS"].endswith(":-0}")
    assert env["DJANGO_HSTS_PRELOAD"].endswith(":-0}")
    assert env["DJANGO_MEDIA_ROOT"] == "/app/media"
    assert "media:/app/media" in compose()["services"]["web"]["volumes"]
    # The health check asks gunicorn directly: with the host name and HTTPS it was forwarded.
    check = " ".join(compose()["services"]["web"]["healthcheck"]["test"])
    assert "COTRAINING_DOMAIN" in check
    assert "X-Forwarded-Proto" in check


def test_the_worker_and_beat_are_restarted_when_they_stop():
    services = compose()["services"]
    for name in ("worker", "beat"):
        assert services[name]["restart"] == "unless-stopped"


def test_make_worker_starts_the_worker_again_when_it_fails(tmp_path):
    """``make worker`` runs the worker in a loop: a worker that exits on an error (as Celery did
    when Redis went away) is started again; one that stops cleanly ends the loop."""
    fake = tmp_path / "venv" / "bin"
    fake.mkdir(parents=True)
    calls = tmp_path / "calls"
    celery = fake / "celery"
    # Fails the first two times, then stops cleanly.
    celery.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n[ "$(wc -l < {calls})" -ge 3 ]\n')
    celery.chmod(0o755)
    result = subprocess.run(  # noqa: S603 - our own command line
        [
            shutil.which("make"),
            "--no-print-directory",
            "-o",
            "install",
            "worker",
            f"VENV={fake.parent}",
            "WORKER_RESTART_DELAY=0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    runs = calls.read_text().splitlines()
    assert len(runs) == 3
    assert all(run.startswith("-A cotraining worker") for run in runs)
    assert result.stderr.count("starting it again") == 2
