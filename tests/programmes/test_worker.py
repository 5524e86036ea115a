"""Through a real Celery worker (with beat), the Redis broker and a real SMTP server: a mail
server that refuses connections while the selection closes loses no decision, and sends none
twice when it accepts again."""

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from programmes.models import CityApplication, OutboxMessage
from tests import factories
from tests.worker import free_port, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = CityApplication.Status
DECISIONS = [Status.SELECTED, Status.SELECTED, Status.WAITLISTED, Status.REJECTED] * 3


@dataclass
class Inbox:
    """What the SMTP server received: one entry per recipient of every message."""

    received: list[tuple[str, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        for address in envelope.rcpt_tos:
            self.received.append((address, envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """``start()`` an SMTP server on ``smtp_port``; until then, connections are refused."""
    inbox = Inbox()
    controllers = []

    def start() -> Inbox:
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def closing_call(member):
    today = timezone.localdate()
    programme = factories.ProgrammeFactory()
    call = factories.CallFactory(
        programme=programme,
        opens_on=today - dt.timedelta(days=40),
        closes_on=today - dt.timedelta(days=10),
        published_at=timezone.now() - dt.timedelta(days=40),
    )
    for index, status in enumerate(DECISIONS):
        factories.CityApplicationFactory(
            call=call,
            status=status,
            contact_email=f"ville{index}@example.org",
            submitted_at=timezone.now(),
        )
    return call, member(programme, "organiser")


def test_smtp_refusing_during_the_close_loses_no_decision_and_sends_none_twice(
    client, member, celery_worker_factory, smtp_server, smtp_port
):
    worker = celery_worker_factory(
        beat=True,
        env={
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "0",
            "OUTBOX_DISPATCH_EVERY_SECONDS": "1",
            "OUTBOX_DISPATCH_GRACE_SECONDS": "0",  # beat races the tasks: the claim must hold
            "OUTBOX_RETRY_BASE_SECONDS": "1",
            "OUTBOX_RETRY_MAX_SECONDS": "2",
            "OUTBOX_MAX_ATTEMPTS": "1000",
        },
    )
    call, organiser = closing_call(member)
    client.force_login(organiser)
    response = client.post(
        reverse("programmes:selection_close", args=[call.programme.slug]), {"confirm": "on"}
    )
    assert response.status_code == 302  # the close succeeds with the mail server down
    call.refresh_from_db()
    assert call.is_selection_closed
    decisions = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.DECISION)
    assert decisions.count() == len(DECISIONS)

    def all_refused_twice():
        rows = list(decisions.values_list("attempts", "status", "last_error"))
        return all(
            attempts >= 2 and status == OutboxMessage.Status.QUEUED and "refused" in error.lower()
            for attempts, status, error in rows
        )

    try:
        wait_for(all_refused_twice, timeout=60, what="every decision to be refused twice")
    except pytest.fail.Exception:
        print(worker.log_text()[-4000:])
        raise
    assert not decisions.filter(status=OutboxMessage.Status.SENT).exists()

    inbox = smtp_server()  # the mail server is back on the same port; nobody asks again

    def all_sent():
        return not decisions.exclude(status=OutboxMessage.Status.SENT).exists()

    try:
        wait_for(all_sent, timeout=90, what="every decision to be sent")
    except pytest.fail.Exception:
        print(worker.log_text()[-4000:])
        raise
    time.sleep(4)  # a few more dispatches by beat: none may send anything again
    received = Counter(address for address, _content in inbox.received)
    expected = {f"ville{index}@example.org" for index in range(len(DECISIONS))}
    assert set(received) == expected
    assert all(count == 1 for count in received.values()), received
    assert len(inbox.received) == len(DECISIONS)
    assert all(b"Subject: " in content for _address, content in inbox.received)
    assert "outbox_dispatch_task" in worker.log_text()
