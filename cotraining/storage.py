"""The static files' storage in production: WhiteNoise's, with each file's address worked out
once per process.

Every page names nine static files in its frame (``templates/base.html``), and
``ManifestStaticFilesStorage.url`` parses, looks up and quotes each name again on every call:
about a sixth of what a signed-in page's frame costs. A name's address depends only on the
manifest, which the storage reads once when the process starts (``ManifestFilesMixin``), and on
``DEBUG``; the addresses are kept with the manifest they came from, and start again when
``collectstatic`` replaces it.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}
        self._urls_of = self.hashed_files

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        if self._urls_of is not self.hashed_files:
            self._urls, self._urls_of = {}, self.hashed_files
        key = (name, settings.DEBUG)
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = super().url(name)
        return url
