"""The frame every page shares: its static files' and fixed pages' addresses, worked out once per
process, are the ones Django gives and follow what they depend on."""

import json

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix
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
