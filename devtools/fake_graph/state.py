"""What the fake knows, shared by its request threads under one lock: tokens, templates, users, what was sent."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from devtools.fake_graph.validation import BSUID
from devtools.fake_graph.webhooks import WhatsAppUser, bsuid_for_phone

TemplateLookup = Callable[[str, str, str], "dict | None"]  # (waba_id, name, language) -> template or None


@dataclass
class Injection:
    kind: str  # "error" | "timeout" | "server_error"
    count: int
    code: int | None = None
    status: int = 503


@dataclass
class StatusPlan:
    """How statuses are emitted after each accepted send."""

    statuses: tuple[str, ...] = ("sent", "delivered", "read")
    duplicates: bool = False
    reorder: bool = False
    skip_delivered: bool = False
    fail_code: int | None = None  # emit failed(code) instead
    delay: float = 0.2


@dataclass
class SentMessage:
    phone_number_id: str
    wamid: str
    payload: dict
    token: str
    at: float = field(default_factory=time.time)


class FakeGraphState:
    """Everything the fake knows; shared by the request threads (guarded by one lock)."""

    def __init__(
        self,
        *,
        accept_unknown_tokens: bool,
        token_lookup: Callable[[str], tuple[str, str] | None] | None,
        template_lookup: TemplateLookup | None = None,
    ):
        self.lock = threading.RLock()
        self.accept_unknown_tokens = accept_unknown_tokens
        self.token_lookup = token_lookup
        self.template_lookup = template_lookup
        self.callback_url: str | None = None
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.tokens: dict[str, str] = {}  # phone_number_id or waba_id -> token
            self.waba_of: dict[str, str] = {}  # phone_number_id -> waba_id
            self.display_of: dict[str, str] = {}
            self.requests: list[dict] = []
            self.sent: list[SentMessage] = []
            self.read_marks: list[str] = []
            self.injections: deque[Injection] = deque()
            self.templates: dict[str, list[dict]] = {}
            self.users: dict[str, WhatsAppUser] = {}  # by BSUID
            self.statuses: list[dict] = []  # every status generated (emitted or not), with its phone_number_id
            self.plan = StatusPlan()
            self.auto_approve_templates = False

    def known_token(self, object_id: str) -> str | None:
        with self.lock:
            if object_id in self.tokens:
                return self.tokens[object_id]
        if self.token_lookup is not None:
            found = self.token_lookup(object_id)
            if found:
                token, waba_id = found
                with self.lock:
                    self.tokens[object_id] = token
                    if waba_id:
                        self.waba_of.setdefault(object_id, waba_id)
                return token
        return None

    def take_injection(self) -> Injection | None:
        with self.lock:
            if not self.injections:
                return None
            injection = self.injections[0]
            injection.count -= 1
            if injection.count <= 0:
                self.injections.popleft()
            return injection

    # --- users ----------------------------------------------------------------------------------------------------
    def add_user(self, user: WhatsAppUser) -> WhatsAppUser:
        with self.lock:
            self.users[user.bsuid] = user
        return user

    def user_for(self, address: str) -> WhatsAppUser:
        """The user a send goes to: by BSUID (``recipient``) or phone number (``to``), made up on first sight."""
        with self.lock:
            if BSUID.fullmatch(address):
                return self.users.setdefault(address, WhatsAppUser(bsuid=address, share_phone=False))
            wa_id = address.lstrip("+")
            for user in self.users.values():
                if user.wa_id == wa_id:
                    return user
            return self.users.setdefault(
                bsuid_for_phone(wa_id), WhatsAppUser(bsuid=bsuid_for_phone(wa_id), wa_id=wa_id)
            )

    # --- templates ------------------------------------------------------------------------------------------------
    def template_of(self, phone_number_id: str, name: str, language: str) -> dict | None:
        """The template Meta would check a send against; ``{"missing": True}`` when the WABA has no such template,
        None when the fake knows nothing of the WABA's templates."""
        with self.lock:
            waba_id = self.waba_of.get(phone_number_id, "")
            templates = list(self.templates.get(waba_id, []))
        if not templates and self.template_lookup is not None and waba_id:
            found = self.template_lookup(waba_id, name, language)
            return found if found is not None else {"missing": True}
        if not templates:
            return None
        for template in templates:
            if template["name"] == name and template["language"] == language:
                return template
        return {"missing": True}
