"""A small httpx client for the WhatsApp Cloud API: sending messages, marking read, and managing templates."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from django.conf import settings

from messaging.whatsapp.errors import GraphAPIError, TransientError, from_response

_shared_http: httpx.Client | None = None
_shared_lock = threading.Lock()


def _http() -> httpx.Client:
    """One pooled, thread-safe httpx client per process: workers reuse connections to the Graph API.

    It carries no credentials; each request sends its salon's token.
    """
    global _shared_http
    if _shared_http is None:
        with _shared_lock:
            if _shared_http is None:
                _shared_http = httpx.Client(limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
    return _shared_http


def salon_token(salon) -> str:
    """The salon's access token in plain text (a ``Secret`` once loaded; a str on a freshly assigned instance)."""
    token = salon.whatsapp_access_token
    if not token:
        return ""
    return token.reveal() if hasattr(token, "reveal") else str(token)


class WhatsAppClient:
    """Calls for one phone number (and its WABA). ``token`` is the plain access token (reveal it only here)."""

    def __init__(
        self,
        *,
        token: str,
        phone_number_id: str = "",
        waba_id: str = "",
        base_url: str | None = None,
        version: str | None = None,
        timeout: float | None = None,
    ):
        self.phone_number_id = phone_number_id
        self.waba_id = waba_id
        self.base_url = (base_url or settings.WHATSAPP_GRAPH_BASE_URL).rstrip("/")
        self.version = version or settings.WHATSAPP_GRAPH_API_VERSION
        self._timeout = timeout or settings.WHATSAPP_HTTP_TIMEOUT_SECONDS
        self._headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    def for_salon(cls, salon) -> WhatsAppClient:
        return cls(token=salon_token(salon), phone_number_id=salon.phone_number_id or "", waba_id=salon.waba_id or "")

    def close(self) -> None:
        """Nothing to release: connections stay in the shared pool."""

    def __enter__(self) -> WhatsAppClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- HTTP ---------------------------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> dict:
        """One Graph API call; any failure becomes a GraphAPIError subclass (timeouts and 5xx are transient)."""
        try:
            response = _http().request(method, self._url(path), headers=self._headers, timeout=self._timeout, **kwargs)
        except httpx.TimeoutException as exc:
            raise TransientError(f"timed out: {exc.__class__.__name__}", title="Timeout") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"connection failed: {exc.__class__.__name__}", title="Network error") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 400 or (isinstance(payload, dict) and "error" in payload):
            raise from_response(response.status_code, payload)
        if not isinstance(payload, dict):
            raise GraphAPIError(f"unexpected answer (HTTP {response.status_code})", http_status=response.status_code)
        return payload

    # --- messages -----------------------------------------------------------------------------------------------
    def send(self, payload: Mapping[str, Any]) -> str:
        """POST a message payload; returns the wamid Meta assigned."""
        answer = self.request("POST", f"{self.phone_number_id}/messages", json=dict(payload))
        try:
            return answer["messages"][0]["id"]
        except (KeyError, IndexError, TypeError) as exc:
            raise GraphAPIError("send answer without a message id") from exc

    # --- templates (on the WABA) --------------------------------------------------------------------------------
    def template_create(
        self, *, name: str, language: str, category: str, components: list, parameter_format: str = "POSITIONAL"
    ) -> dict:
        """Returns Meta's answer: {"id", "status", "category"}."""
        body = {
            "name": name,
            "language": language,
            "category": category,
            "parameter_format": parameter_format,
            "components": components,
        }
        return self.request("POST", f"{self.waba_id}/message_templates", json=body)

    def template_edit(self, *, meta_id: str, components: list, category: str | None = None) -> bool:
        """Edit an existing template's components (it goes back to review)."""
        body: dict[str, Any] = {"components": components}
        if category:
            body["category"] = category
        return bool(self.request("POST", meta_id, json=body).get("success"))

    def template_list(self, *, page_size: int = 100) -> Iterator[dict]:
        """Every template on the WABA, following ``paging.cursors.after`` until there is no next page."""
        params: dict[str, Any] = {
            "limit": page_size,
            "fields": "id,name,language,status,category,components,parameter_format,rejected_reason",
        }
        while True:
            answer = self.request("GET", f"{self.waba_id}/message_templates", params=params)
            yield from answer.get("data", [])
            paging = answer.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not after or not paging.get("next"):
                return
            params = {**params, "after": after}

    def template_delete(self, *, name: str, meta_id: str | None = None) -> bool:
        params = {"name": name}
        if meta_id:
            params["hsm_id"] = meta_id
        return bool(self.request("DELETE", f"{self.waba_id}/message_templates", params=params).get("success"))
