"""Invite an installation's first organiser, without /admin/: prints the link and e-mails it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from programmes.models import Membership, Programme
from programmes.services import team_invitation_create


class Command(BaseCommand):
    help = "Invite someone by e-mail to organise a programme; prints the link and sends it."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--programme", required=True, help="the programme's short name")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="the language of the invitation e-mail",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="the address of the site, put in front of the link",
        )

    def handle(self, *args, email, programme, language, base_url, **options):
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an e-mail address.") from error
        found = Programme.objects.filter(slug=programme).first()
        if found is None:
            known = ", ".join(Programme.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No programme {programme!r}. Known: {known or 'none'}.")
        try:
            invitation, url = team_invitation_create(
                actor=None,
                programme=found,
                email=email,
                role=Membership.Role.ORGANISER,
                language=language,
                base_url=base_url.rstrip("/"),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("Invitation sent to %(email)s, valid until %(expires)s:")
            % {
                "email": invitation.email,
                "expires": invitation.expires_at.isoformat(timespec="minutes"),
            }
        )
        self.stdout.write(url)
