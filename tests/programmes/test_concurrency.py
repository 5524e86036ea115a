"""Two organisers deciding at the same moment cannot both take the last place (PostgreSQL,
where the call's row lock serialises them; SQLite has one writer at a time anyway)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from programmes import services
from programmes.models import CityApplication

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
def test_the_last_place_goes_to_one_city_only(open_call, people, complete_application):
    open_call.places = 1
    open_call.save()
    first, second = complete_application(open_call), complete_application(open_call)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def decide(application):
        try:
            barrier.wait()
            services.application_decide(
                actor=people.organiser, application=application, decision="selected"
            )
            outcomes[application.pk] = "selected"
        except ValidationError as error:
            outcomes[application.pk] = error.error_list[0].code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["over_capacity", "selected"]
    assert CityApplication.objects.filter(status="selected").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_many_senders_at_once_send_each_message_once(mailoutbox):
    """Eight threads (workers, beat's dispatch) sending the same ten messages at the same
    moment: each message leaves once."""
    from django.utils import timezone

    from programmes.models import OutboxMessage
    from programmes.services import outbox

    messages = OutboxMessage.objects.bulk_create(  # queued, not handed to a task
        OutboxMessage(
            recipient=f"v{index}@example.org",
            language="fr",
            subject="Objet",
            body="Texte",
            kind="decision",
            next_attempt_at=timezone.now(),
        )
        for index in range(10)
    )
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def send_all():
        try:
            barrier.wait()
            for message in messages:
                outcomes.append(outbox.outbox_send(message_id=message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send_all) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("sent") == 10
    assert outcomes.count("skipped") == 70
    assert sorted(email.to[0] for email in mailoutbox) == sorted(m.recipient for m in messages)
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
