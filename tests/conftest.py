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
def _content_types_cached(request):
    """Django caches content types per process once used, as a running server has after its
    first requests: fill the cache before each test that uses the database, so that query
    counts (an audit entry names its object by content type) do not depend on the order the
    tests run in."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    ):
        return
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    request.getfixturevalue("transactional_db" if _transactional(request) else "db")
    ContentType.objects.get_for_models(*apps.get_models())


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))) or (
        "transactional_db" in request.fixturenames
    )
