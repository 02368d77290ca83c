"""Messaging's writes, by concern: outbound messages (the outbox) and WhatsApp templates.

Callers import from here (``from messaging.services import message_send_text``). Every public function takes the
salon it works for as ``salon=`` (or acts on an object of one salon, e.g. ``template_update(template=...)``), like the
bookings and salons services; none reads the ambient scope to learn its salon.
"""

from messaging.services.messages import (
    conversation_for_customer,
    message_enqueue,
    message_send_interactive,
    message_send_template,
    message_send_text,
    template_language_for,
)
from messaging.services.templates import (
    template_create,
    template_delete,
    template_event_apply,
    template_install_pack,
    template_push,
    template_submit,
    template_sync,
    template_sync_enqueue,
    template_update,
)

__all__ = [
    "conversation_for_customer",
    "message_enqueue",
    "message_send_interactive",
    "message_send_template",
    "message_send_text",
    "template_create",
    "template_delete",
    "template_event_apply",
    "template_install_pack",
    "template_language_for",
    "template_push",
    "template_submit",
    "template_sync",
    "template_sync_enqueue",
    "template_update",
]
