"""Demo data for messaging: the booking template pack (approved) and one conversation whose replies really go out.

With ``make run`` the replies are sent by the worker to the fake Graph API, which answers with signed status
webhooks to /webhooks/whatsapp/, so the messages move to delivered and read on their own.
"""

from __future__ import annotations

import time

from messaging.inbound import inbound_message_receive
from messaging.models import Message
from messaging.services import message_send_template, message_send_text, template_install_pack

DEMO_CUSTOMER = {"wa_id": "4915112345001", "name": "Lena Vogel"}


def seed(*, salon, stdout) -> None:
    """Idempotent: the pack is installed once, the conversation is created once per salon."""
    templates = template_install_pack(approve_locally=True)
    stdout.write(f"    {len(templates)} booking templates (approved)")
    wamid = f"wamid.DEMO.{salon.slug}.1"
    if Message.objects.filter(wamid=wamid).exists():
        stdout.write("    demo conversation already there")
        return
    value = {"contacts": [{"wa_id": DEMO_CUSTOMER["wa_id"], "profile": {"name": DEMO_CUSTOMER["name"]}}]}
    inbound = inbound_message_receive(
        salon=salon,
        value=value,
        message={
            "from": DEMO_CUSTOMER["wa_id"],
            "id": wamid,
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": "Hi! Could I get a haircut on Friday afternoon?"},
        },
    )
    customer = inbound.message.customer
    message_send_text(
        customer=customer,
        text="Hi Lena! Friday at 15:00 with Marta is free. I have booked it for you.",
        reply_to=inbound.message,
    )
    message_send_template(
        customer=customer,
        template_name="booking_confirmation",
        body_parameters=[customer.name or "Lena", "Haircut", "Fri 15:00", "Marta", "DEMO01"],
    )
    stdout.write("    demo conversation with 1 inbound and 2 outbound messages (sent through the fake Graph API)")
