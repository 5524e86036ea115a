import pytest

from tests import factories

# The real Celery worker fixtures (reports); pytest only accepts pytest_plugins in this file.
pytest_plugins = ["tests.worker"]


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


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """Each test counts its throttled attempts in a cache of its own (never Redis: clearing it
    would empty the broker's queues of the worker tests)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
