"""The fake WhatsApp Cloud API server (see ``server.py``)."""

from devtools.fake_graph.server import FakeGraphServer, error_envelope, sign, webhook_body

__all__ = ["FakeGraphServer", "error_envelope", "sign", "webhook_body"]
