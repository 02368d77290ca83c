"""Domain errors raised by messaging services; the API turns them into 400/409 answers."""

from __future__ import annotations

from rest_framework import status

from config.api import Conflict, DomainError


class WindowClosed(Conflict):
    code = "window_closed"


class CustomerOptedOut(Conflict):
    code = "customer_opted_out"


class TemplateNotApproved(Conflict):
    code = "template_not_approved"


class InvalidMessage(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid_message"


class ChannelNotConnected(Conflict):
    code = "channel_not_connected"


class TemplateSubmitFailed(DomainError):
    """Meta refused a template (create, edit, list or delete); the reason is in the message."""

    code = "template_submit_failed"
