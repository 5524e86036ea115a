"""What ``programmes`` holds about a person who takes part: the triad nominee a city's
application gave for them (and its signed commitment letter), and the audit trail about them.

Read by the registry in ``cotraining.personal_data`` (``person`` is its ``Person``)."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from .audit import resolve
from .models import (
    ApplicationMessage,
    AuditEntry,
    CityApplication,
    OutboxMessage,
    TeamInvitation,
    TriadNominee,
)

MODELS = (TriadNominee, AuditEntry, TeamInvitation, OutboxMessage, ApplicationMessage)


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _choice(instance, field: str) -> dict:
    """A choice as its stored code and its label in the reader's language."""
    return {
        "code": getattr(instance, field),
        "label": str(getattr(instance, f"get_{field}_display")()),
    }


def _nominee(nominee: TriadNominee | None) -> dict | None:
    if nominee is None:
        return None
    application = nominee.application
    return {
        "role": _choice(nominee, "role"),
        "first_name": nominee.first_name,
        "last_name": nominee.last_name,
        "position": nominee.position,
        "email": nominee.email,
        "phone": nominee.phone,
        "commitment_given": nominee.commitment_given,
        "commitment_date": _when(nominee.commitment_date),
        "application": {
            "id": application.pk,
            "city": str(application.city) if application.city_id else None,
            "status": _choice(application, "status"),
        },
    }


def _emails(person) -> set[str]:
    """The person's addresses (as a participant, as a triad nominee, and as known before an
    erasure), which team invitations and e-mails were sent to."""
    nominee = person.nominee
    found = {person.participant.email, nominee.email if nominee else ""}
    found |= {value for value in person.identifiers if "@" in value}
    return {value for value in found if value}


def _about(person) -> list:
    return [obj for obj in (person.participant, person.nominee) if obj is not None]


def export(person) -> dict:
    """The triad nominee and the audit entries about the person (one query for the entries;
    the nominee comes loaded with the person)."""
    entries = resolve(
        AuditEntry.objects.about(*_about(person))
        .select_related("actor", "target_type", "related_type")
        .order_by("created_at", "pk"),
        known=_about(person),
    )
    emails = _emails(person)
    invitations = TeamInvitation.objects.filter(
        programme_id=person.programme_id, email__in=emails
    ).order_by("created_at")
    messages = OutboxMessage.objects.filter(
        programme_id=person.programme_id, recipient__in=emails
    ).order_by("created_at")
    return {
        "team_invitations": [
            {
                "email": invitation.email,
                "role": _choice(invitation, "role"),
                "sent": _when(invitation.sent_at),
                "accepted": _when(invitation.accepted_at),
            }
            for invitation in invitations
        ],
        "emails_sent": [
            {
                "to": message.recipient,
                "subject": message.subject,
                "status": message.status,
                "sent": _when(message.sent_at),
            }
            for message in messages
        ],
        "triad_nominee": _nominee(person.nominee),
        "application_thread": [
            {
                "when": _when(message.created_at),
                "from": _choice(message, "side"),
                "text": message.body,
                "document": bool(message.attachment),
            }
            for message in _thread_about(person)
        ],
        "audit_trail": [
            {
                "when": _when(entry.created_at),
                "action": entry.action,
                "by": (
                    {"username": entry.actor.get_username(), "name": entry.actor.get_full_name()}
                    if entry.actor
                    else None
                ),
                "object_type": entry.target_type.model if entry.target_type_id else None,
                "object_id": entry.target_id,
                "message": entry.display(),
            }
            for entry in entries
        ],
    }


def erase(person) -> None:
    """Blank the nominee's name (its erased label), position, e-mail and phone; delete the
    signed commitment letter of its application when no other signatory is left who was not
    erased (the file after the commit); drop the free text of the entries written about the
    person before the audit trail was structured, and replace their names, e-mail and phone in
    the other old free texts of the programme; delete the team invitations and the e-mails sent
    to the person's addresses in the programme. The audit entries written since hold no name."""
    nominee = person.nominee
    if nominee is not None:
        TriadNominee.objects.filter(pk=nominee.pk).update(
            first_name=person.label,
            last_name="",
            position="",
            email="",
            phone="",
            erased_at=person.erased_at,
        )
        _letter_erase(nominee)
        _thread_erase(person)
    _legacy_text_erase(person)
    # Invitations to the team and e-mails to the person name them (address, text): they go.
    emails = _emails(person)
    TeamInvitation.objects.filter(programme_id=person.programme_id, email__in=emails).delete()
    messages = OutboxMessage.objects.filter(programme_id=person.programme_id, recipient__in=emails)
    for message in messages.exclude(attachment=""):
        message.attachment.delete(save=False)  # a certificate names the person
    messages.delete()


def _letter_erase(nominee: TriadNominee) -> None:
    application = nominee.application
    if not application.commitment_letter:
        return
    others = (
        TriadNominee.objects.filter(application_id=application.pk, erased_at__isnull=True)
        .exclude(pk=nominee.pk)
        .exists()
    )
    if others:
        return
    name, storage = application.commitment_letter.name, application.commitment_letter.storage
    CityApplication.objects.filter(pk=application.pk).update(commitment_letter="")
    transaction.on_commit(lambda: storage.delete(name))


def _legacy_text_erase(person) -> None:
    about = {(ContentType.objects.get_for_model(obj).pk, obj.pk) for obj in _about(person)}
    entries = AuditEntry.objects.filter(
        Q(pk__in=AuditEntry.objects.about(*_about(person)).values("pk"))
        | Q(programme_id=person.programme_id),
        data__has_key="text",
    )
    identifiers = sorted(person.identifiers, key=len, reverse=True)
    changed = []
    for entry in entries:
        text = entry.data["text"]
        if (entry.target_type_id, entry.target_id) in about:
            entry.data = {key: value for key, value in entry.data.items() if key != "text"}
        else:
            for identifier in identifiers:
                text = text.replace(identifier, person.label)
            if text == entry.data["text"]:
                continue
            entry.data = {**entry.data, "text": text}
        changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["data"])


def _thread_about(person) -> list[ApplicationMessage]:
    """The messages of the thread of the person's city's application that name them."""
    nominee = person.nominee
    if nominee is None:
        return []
    # The erasure names them; an export finds them by the names and addresses known now.
    known = {
        person.participant.full_name,
        person.participant.email,
        f"{nominee.first_name} {nominee.last_name}",
        nominee.email,
    }
    identifiers = [value for value in {*person.identifiers, *known} if len(value.strip()) >= 3]
    return [
        message
        for message in ApplicationMessage.objects.filter(
            application_id=person.nominee.application_id
        ).order_by("created_at", "pk")
        if any(identifier in message.body for identifier in identifiers)
    ]


def _thread_erase(person) -> None:
    """Replace the person's names and contacts in the thread of their city's application by
    their erased label; the documents attached go with the letter's rule: when no other
    signatory of the application is left (the files after the commit)."""
    identifiers = sorted((value for value in person.identifiers if value), key=len, reverse=True)
    changed = []
    for message in _thread_about(person):
        for identifier in identifiers:
            message.body = message.body.replace(identifier, person.label)
        changed.append(message)
    ApplicationMessage.objects.bulk_update(changed, ["body"])
    nominee = person.nominee
    if (
        TriadNominee.objects.filter(application_id=nominee.application_id, erased_at__isnull=True)
        .exclude(pk=nominee.pk)
        .exists()
    ):
        return
    for message in ApplicationMessage.objects.filter(application_id=nominee.application_id).exclude(
        attachment=""
    ):
        name, storage = message.attachment.name, message.attachment.storage
        ApplicationMessage.objects.filter(pk=message.pk).update(attachment="")
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
