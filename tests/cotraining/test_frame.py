"""The frame every page shares: its static files' and fixed pages' addresses, worked out once per
process, are the ones Django gives and follow what they depend on."""

import json

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import reverse, set_script_prefix
from django.utils import translation
from whitenoise.storage import CompressedManifestStaticFilesStorage

from cotraining.storage import StaticFilesStorage


def write_manifest(folder, paths):
    (folder / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": paths, "hash": "x"})
    )


def test_static_addresses_are_the_manifests_and_follow_a_new_manifest(tmp_path, settings):
    settings.DEBUG = False
    write_manifest(tmp_path, {"css/app.css": "css/app.1234.css"})
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    whitenoise = CompressedManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    for _ in range(2):  # worked out, then remembered
        assert storage.url("css/app.css") == "/static/css/app.1234.css"
        assert storage.url("css/app.css") == whitenoise.url("css/app.css")
    for _ in range(2):  # a name missing from the manifest is refused every time
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")

    # collectstatic in the same process replaces the manifest
    write_manifest(tmp_path, {"css/app.css": "css/app.5678.css"})
    storage.hashed_files, storage.manifest_hash = storage.load_manifest()
    assert storage.url("css/app.css") == "/static/css/app.5678.css"
    # DEBUG serves the names as they are
    settings.DEBUG = True
    assert storage.url("css/app.css") == "/static/css/app.css"


def test_fixed_addresses_are_reversed_under_the_current_script_prefix():
    template = engines["django"].from_string(
        "{% load addresses %}{% fixed_url 'dashboard' %} {% fixed_url 'programmes:account' %}"
    )
    assert template.render({}) == f"{reverse('dashboard')} {reverse('programmes:account')}"
    set_script_prefix("/cotraining/")
    try:
        assert template.render({}) == "/cotraining/ /cotraining/account/"
    finally:
        set_script_prefix("/")
    assert template.render({}) == "/ /account/"


@pytest.mark.parametrize(
    ("headers", "cookies", "language"),
    [
        ({"Accept-Language": "en-GB,en;q=0.8"}, {}, "en"),
        ({"Accept-Language": "de"}, {}, "fr"),
        ({"Accept-Language": "en"}, {"django_language": "fr"}, "fr"),
    ],
)
def test_the_language_and_its_headers_are_djangos(rf, settings, headers, cookies, language):
    from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

    from cotraining.middleware import LocaleMiddleware

    def answers(middleware_class):
        request = rf.get("/programmes/x/", headers=headers)
        request.COOKIES.update(cookies)
        seen = {}

        def view(request):
            seen["language"] = (request.LANGUAGE_CODE, translation.get_language())
            return HttpResponse(translation.gettext("Password"))

        response = middleware_class(view)(request)
        return seen["language"], response.content, response["Vary"], response["Content-Language"]

    ours = answers(LocaleMiddleware)
    assert ours == answers(DjangoLocaleMiddleware)
    assert ours[0] == (language, language)
    assert ours[2:] == ("Accept-Language", language)
