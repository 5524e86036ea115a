"""What reports does when a sheet is closed or reopened (signals of ``sessions.signals``)."""

from django.dispatch import receiver

from sessions.signals import sheet_closed, sheet_reopened

from . import services


@receiver(sheet_closed, dispatch_uid="reports.seal_closed_sheet")
def seal_closed_sheet(sender, *, slot, user, **kwargs) -> None:
    services.sheet_seal(slot=slot, user=user)


@receiver(sheet_reopened, dispatch_uid="reports.supersede_reopened_sheet")
def supersede_reopened_sheet(sender, *, slot, user, **kwargs) -> None:
    services.sheet_seals_supersede(slot=slot)
