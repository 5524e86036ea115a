"""What ``reports`` holds about a person: the stored documents of their programme, which name
the people who took part, the sealed attendance sheets among them.

Read by the registry in ``cotraining.personal_data`` (``person`` is its ``Person``)."""

from django.db import transaction
from django.utils.translation import gettext as _

from .models import ReportRun, SealedSheet
from .parts import run_people_files


def erase(person) -> None:
    """Delete from storage every stored document of the person's programme that can name them,
    after the commit, and mark its run expired with the reason, so that the reports page offers
    to ask for it again (it is then built from the erased data)."""
    _erase_sealed_sheets(person)
    runs = list(
        ReportRun.objects.filter(
            programme_id=person.programme_id,
            kind__in=ReportRun.KINDS_NAMING_PEOPLE,
            status=ReportRun.Status.DONE,
        ).exclude(file="")
    )
    if not runs:
        return
    files = [(run.file.storage, run.file.name) for run in runs] + [
        (run.file.storage, name) for run in runs for name in run_people_files(run)
    ]
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


def _erase_sealed_sheets(person) -> None:
    """Delete the sealed sheets' PDFs of the person's programme (each names every trainee), after
    the commit. The seals stay with their chain head, code and the file's SHA-256: the code and
    copies already handed out still verify at /verify/."""
    seals = list(
        SealedSheet.objects.filter(slot__day__programme_id=person.programme_id).exclude(file="")
    )
    if not seals:
        return
    files = [(seal.file.storage, seal.file.name) for seal in seals]
    SealedSheet.objects.filter(pk__in=[seal.pk for seal in seals]).update(file="")

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
