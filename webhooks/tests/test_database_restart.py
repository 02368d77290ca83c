"""A fast restart of PostgreSQL while webhooks are ingested and processed and bookings are created (a throwaway
cluster, never the machine's server): no event answered 200 is lost, no committed booking is lost, the web answers
503 (not a hang, not a 500) while the database is down, and everything recovers by itself."""

from __future__ import annotations

import threading
import time
from datetime import time as clock

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from bookings.errors import BookingConflict
from bookings.models import Booking
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at
from bookings.tests.factories import ServiceFactory, staff_with_hours
from dbops.cluster import throwaway_cluster
from messaging.models import Message
from salons.tests.factories import CustomerFactory, MembershipFactory, SalonFactory
from tests.children import wait_until
from tests.clusters import app_role_on, copy_test_schema, django_on
from webhooks.models import EventStatus, WebhookEvent
from webhooks.relay import events_drain
from webhooks.services import sign
from webhooks.tests.conftest import SECRET, URL, wsgi_post
from webhooks.tests.payloads import PHONE_NUMBER_ID, WABA_ID, body_of, messages_change, payload_of, text_message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("no_assistant")]

DBNAME = "chairside_restart_test"


@pytest.fixture
def restartable(django_db_blocker):
    with django_db_blocker.unblock(), throwaway_cluster(settings={"fsync": "on"}) as cluster:
        copy_test_schema(cluster, DBNAME)
        app_role_on(cluster, DBNAME)
        with django_on(cluster, DBNAME):
            yield cluster


def expire_leases() -> None:
    WebhookEvent.objects.filter(status=EventStatus.PROCESSING).update(next_attempt_at=timezone.now())


def post_webhook(wamid: str) -> int:
    body = body_of(payload_of(messages_change(messages=[text_message(wamid)])))
    headers = {"X-Hub-Signature-256": sign(body=body, secret=SECRET)}
    return wsgi_post(URL, body, headers, connection_handling=close_old_connections).status_code


def test_fast_restart_loses_no_accepted_event_and_no_committed_booking_and_answers_503_while_down(restartable):
    cluster = restartable
    salon = SalonFactory(
        phone_number_id=PHONE_NUMBER_ID,
        waba_id=WABA_ID,
        timezone="Europe/Berlin",
        min_notice_minutes=0,
        booking_horizon_days=60,
    )
    service = ServiceFactory(salon=salon, duration_minutes=60)
    staff = staff_with_hours(salon, [service], hours=[(clock(9), clock(18))])
    customer = CustomerFactory(salon=salon)
    staff_browser = Client()
    staff_browser.force_login(MembershipFactory(salon=salon).user)
    slots = iter([at(day, hour) for day in range(3, 29) for hour in range(9, 18)])
    accepted: list[str] = []  # answered 200: Meta will not send them again
    refused: list[int] = []
    booked: list[int] = []  # booking_create returned: committed
    stop = threading.Event()

    def ingest() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            wamid = f"wamid.RESTART{number:05d}"
            status = post_webhook(wamid)
            (accepted.append(wamid) if status == 200 else refused.append(status))
            time.sleep(0.01)

    def book() -> None:
        slot = next(slots)
        while not stop.is_set():
            try:
                booking = booking_create(
                    salon=salon, customer=customer, service=service, staff=staff, starts_at=slot, source="api", now=NOW
                )
                booked.append(booking.pk)
                slot = next(slots)
            except BookingConflict:  # an earlier try committed just before the connection broke: next slot
                slot = next(slots)
            except Exception:  # the database is down: try the same slot again (it may have committed: see below)
                connection.close()
                time.sleep(0.05)
        connection.close()

    def relay() -> None:
        while not stop.is_set():
            try:
                events_drain(batch_size=20)
            except Exception:
                connection.close()
            time.sleep(0.02)
        connection.close()

    threads = [threading.Thread(target=target) for target in (ingest, book, relay)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(accepted) >= 10 and len(booked) >= 5, timeout=120)
        cluster.stop("fast")
        down = post_webhook("wamid.WHILE-DOWN")
        ready = Client().get("/readyz")
        api = staff_browser.get(f"/api/v1/salons/{salon.pk}/stats/")
        accepted_before, booked_before = len(accepted), len(booked)
        cluster.start()
        wait_until(lambda: len(accepted) >= accepted_before + 10 and len(booked) >= booked_before + 5, timeout=120)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    close_old_connections()
    connection.close()

    assert down == 503
    assert api.status_code == 503 and api["Retry-After"]
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
    assert set(refused) <= {503}
    # Nothing answered 200 is lost: every accepted event is stored and, once the relay has caught up, processed
    # (those claimed when the server went away are taken again when their lease runs out: run it out here).
    expire_leases()
    while events_drain(batch_size=100):
        pass
    lost_events = set(accepted) - set(Message.all_salons.values_list("wamid", flat=True))
    lost_bookings = set(booked) - set(Booking.all_salons.values_list("pk", flat=True))
    print(
        f"RESTART accepted_events={len(accepted)} lost_accepted_events={len(lost_events)} "
        f"committed_bookings={len(booked)} lost_bookings={len(lost_bookings)} answered_503={len(refused) + 1}"
    )
    assert lost_events == set()
    assert lost_bookings == set()
