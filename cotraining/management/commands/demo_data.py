from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cotraining.demo import DEMO_USERS, OPEN_SLUG, SLUG, demo_build


class Command(BaseCommand):
    help = "Load the demo programme (Seine-Saint-Denis 2015) and one demo account per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default="cotraining-demo", help="password of every demo account"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though DEBUG is off (never in production)",
        )

    def handle(self, *args, password: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo accounts have a known password. "
                "Use --force if this really is a test machine."
            )
        programme = demo_build(password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo programme loaded: {programme.title}"))
        self.stdout.write(f"  http://127.0.0.1:8000/programmes/{SLUG}/")
        self.stdout.write(_("and a programme whose call is open today:"))
        self.stdout.write(f"  http://127.0.0.1:8000/programmes/{OPEN_SLUG}/")
        self.stdout.write(f"Accounts (password: {password}):")
        for username, (_first, _last, role) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<12} {role.label}")
        self.stdout.write(f"  {'admin':<12} {_('Administrator')} (/admin/)")
