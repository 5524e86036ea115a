"""Docker cannot run here: these tests read the deployment files and check what they promise."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_five_services():
    assert set(compose()["services"]) == {"web", "worker", "beat", "db", "redis"}


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
