"""What ``reports`` holds about a person: the stored documents of their programme, which name
the people who took part.

Read by the registry in ``cotraining.personal_data`` (``person`` is its ``Person``)."""

from django.db import transaction
from django.utils.translation import gettext as _

from .models import ReportRun


def erase(person) -> None:
    """Delete from storage every stored document of the person's programme that can name them,
    after the commit, and mark its run expired with the reason, so that the reports page offers
    to ask for it again (it is then built from the erased data)."""
    runs = list(
        ReportRun.objects.filter(
            programme_id=person.programme_id,
            kind__in=ReportRun.KINDS_NAMING_PEOPLE,
            status=ReportRun.Status.DONE,
        ).exclude(file="")
    )
    if not runs:
        return
    files = [(run.file.storage, run.file.name) for run in runs]
    ReportRun.objects.filter(pk__in=[run.pk for run in runs]).update(
        status=ReportRun.Status.EXPIRED,
        file="",
        expires_at=person.erased_at,
        error=_(
            "Deleted because a person it named had their personal data erased: ask for it "
            "again to get it without them."
        ),
    )

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
