"""The fake WhatsApp Cloud API server: ``server`` (HTTP), ``validation`` (what Meta refuses), ``webhooks`` (what it
sends), ``control`` (``/_fake/`` endpoints), ``templates`` and ``state``."""

from devtools.fake_graph.errors import error_envelope
from devtools.fake_graph.server import FakeGraphServer
from devtools.fake_graph.webhooks import WhatsAppUser, sign, webhook_body

__all__ = ["FakeGraphServer", "WhatsAppUser", "error_envelope", "sign", "webhook_body"]
