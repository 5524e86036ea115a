from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Fill the English catalogue: the source strings are English, so each msgstr is its msgid. "
        "Run after makemessages (make messages does both)."
    )

    def handle(self, *args, **options):
        import polib  # a development dependency: only translators run this command

        path = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()
        self.stdout.write(f"{len(catalogue)} English entries filled in {path}")
