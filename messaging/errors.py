"""Domain errors raised by messaging services; the API turns them into 400/409 answers."""

from __future__ import annotations

from config.api import Conflict, DomainError


class WindowClosed(Conflict, code="window_closed"): ...


class CustomerOptedOut(Conflict, code="customer_opted_out"): ...


class TemplateNotApproved(Conflict, code="template_not_approved"): ...


class InvalidMessage(DomainError, code="invalid_message"):
    """A message WhatsApp would refuse (too long, a bad template parameter), or one to another salon's customer."""


class ChannelNotConnected(Conflict, code="channel_not_connected"): ...


class TemplateSubmitFailed(DomainError, code="template_submit_failed"):
    """Meta refused a template (create, edit, list or delete); the reason is in the message."""
