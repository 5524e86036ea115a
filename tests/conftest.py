import pytest

from cotraining.celery import app as celery_app
from tests import factories

# The real Celery worker fixtures (reports); pytest only accepts pytest_plugins in this file.
pytest_plugins = ["tests.worker"]


@pytest.fixture(autouse=True)
def _eager_tasks(request, monkeypatch):
    """Run tasks in-process, even where REDIS_URL is set (CI), except in the worker tests: every
    e-mail goes through a task (the outbox), and a stray message would otherwise wait in Redis
    for the next test's worker."""
    if request.node.get_closest_marker("worker") is None:
        monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Files written by a test go to a temporary folder, never to the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _plain_static(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def programme(db):
    return factories.ProgrammeFactory()


@pytest.fixture
def member(db):
    """Make a user with a role in a programme: ``member(programme, "organiser")``."""

    def make(programme, role, **kwargs):
        user = factories.UserFactory(**kwargs.pop("user_kwargs", {}))
        factories.MembershipFactory(programme=programme, user=user, role=role, **kwargs)
        return user

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
