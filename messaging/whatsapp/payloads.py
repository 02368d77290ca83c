"""Cloud API message payloads, built and checked against Meta's documented limits before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

TEXT_MAX = 4096
BUTTON_BODY_MAX = 1024
LIST_BODY_MAX = 4096
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60
REPLY_BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_MAX = 20
LIST_SECTIONS_MAX = 10
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
SECTION_TITLE_MAX = 24


class PayloadError(ValueError):
    """The message breaks one of Meta's limits; ``field`` names where."""

    def __init__(self, message: str, field: str = "body"):
        super().__init__(message)
        self.field = field


def _check_len(value: Any, limit: int, what: str, field: str, required: bool = True) -> None:
    if value is None or value == "":
        if required:
            raise PayloadError(f"{what} is required.", field)
        return
    if not isinstance(value, str):
        raise PayloadError(f"{what} must be text.", field)
    if len(value) > limit:
        raise PayloadError(f"{what} is {len(value)} characters; WhatsApp allows at most {limit}.", field)


def _object(value: Any, what: str, field: str) -> Mapping[str, Any]:
    """``value`` as an object (missing or empty: {}); anything else (a number, a list, text) is a PayloadError."""
    if value is None or value == "" or value == {}:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadError(f"{what} must be an object.", field)
    return value


def _list(value: Any, what: str, field: str) -> Sequence[Any]:
    if value is None or value == "" or value == []:
        return []
    if not isinstance(value, list | tuple):
        raise PayloadError(f"{what} must be a list.", field)
    return value


def address(*, wa_id: str = "", bsuid: str = "") -> dict[str, str]:
    """Where a message goes: ``to`` (the phone number's digits) when known, else ``recipient`` (the BSUID).

    Meta lets a send carry both, ``to`` winning; one is sent so that the request says plainly who receives it.
    """
    if wa_id:
        return {"to": wa_id}
    if bsuid:
        return {"recipient": bsuid}
    raise PayloadError("The customer has neither a phone number nor a WhatsApp user ID.", "customer")


def envelope(
    to: str | Mapping[str, str], type_: str, content: Mapping[str, Any], reply_to_wamid: str | None = None
) -> dict:
    """A message payload; ``to`` is a phone number's digits or an ``address()``."""
    payload: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    payload.update({"to": to} if isinstance(to, str) else to)
    if reply_to_wamid:
        payload["context"] = {"message_id": reply_to_wamid}
    payload["type"] = type_
    payload[type_] = dict(content)
    return payload


def text_content(text: str, preview_url: bool = False) -> dict:
    if not isinstance(text, str) or not text.strip():
        raise PayloadError("Text is required.", "text")
    _check_len(text, TEXT_MAX, "Text", "text")
    return {"preview_url": preview_url, "body": text}


def _check_header_footer(interactive: Mapping[str, Any]) -> None:
    header = interactive.get("header")
    if header is not None:
        if not isinstance(header, Mapping) or "type" not in header:
            raise PayloadError("header must be an object with a type.", "interactive.header")
        if header["type"] == "text":
            _check_len(header.get("text"), HEADER_TEXT_MAX, "Header text", "interactive.header")
    footer = interactive.get("footer")
    if footer is not None:
        footer = _object(footer, "footer", "interactive.footer")
        _check_len(footer.get("text"), FOOTER_MAX, "Footer text", "interactive.footer")


def validate_interactive(interactive: Mapping[str, Any]) -> dict:
    """Check an ``interactive`` object (reply buttons or list) and return it as a plain dict."""
    if not isinstance(interactive, Mapping):
        raise PayloadError("interactive must be an object.", "interactive")
    kind = interactive.get("type")
    body = _object(interactive.get("body"), "body", "interactive.body")
    action = _object(interactive.get("action"), "action", "interactive.action")
    if kind == "button":
        _check_len(body.get("text"), BUTTON_BODY_MAX, "Body text", "interactive.body")
        _check_header_footer(interactive)
        buttons = _list(action.get("buttons"), "action.buttons", "interactive.action.buttons")
        if not 1 <= len(buttons) <= REPLY_BUTTONS_MAX:
            raise PayloadError(f"Give 1 to {REPLY_BUTTONS_MAX} reply buttons (got {len(buttons)}).", "interactive")
        ids, titles = set(), set()
        for button in buttons:
            button = _object(button, "Each button", "interactive.action.buttons")
            reply = _object(button.get("reply"), "A button's reply", "interactive.action.buttons")
            if button.get("type") != "reply":
                raise PayloadError("Each button needs type 'reply'.", "interactive.action.buttons")
            _check_len(reply.get("id"), BUTTON_ID_MAX, "Button id", "interactive.action.buttons")
            _check_len(reply.get("title"), BUTTON_TITLE_MAX, "Button title", "interactive.action.buttons")
            if reply["id"] in ids or reply["title"] in titles:
                raise PayloadError("Button ids and titles must be unique.", "interactive.action.buttons")
            ids.add(reply["id"])
            titles.add(reply["title"])
    elif kind == "list":
        _check_len(body.get("text"), LIST_BODY_MAX, "Body text", "interactive.body")
        _check_header_footer(interactive)
        _check_len(action.get("button"), LIST_BUTTON_MAX, "List button label", "interactive.action.button")
        sections = _list(action.get("sections"), "action.sections", "interactive.action.sections")
        if not 1 <= len(sections) <= LIST_SECTIONS_MAX:
            raise PayloadError(f"Give 1 to {LIST_SECTIONS_MAX} list sections.", "interactive.action.sections")
        row_ids: set[str] = set()
        for section in sections:
            section = _object(section, "Each section", "interactive.action.sections")
            title = section.get("title")
            _check_len(title, SECTION_TITLE_MAX, "Section title", "interactive.action.sections", len(sections) > 1)
            for row in _list(section.get("rows"), "A section's rows", "interactive.action.sections"):
                row = _object(row, "Each row", "interactive.action.sections")
                _check_len(row.get("id"), ROW_ID_MAX, "Row id", "interactive.action.sections")
                _check_len(row.get("title"), ROW_TITLE_MAX, "Row title", "interactive.action.sections")
                _check_len(
                    row.get("description"), ROW_DESCRIPTION_MAX, "Row description", "interactive.action.sections", False
                )
                if row["id"] in row_ids:
                    raise PayloadError("List row ids must be unique.", "interactive.action.sections")
                row_ids.add(row["id"])
        if not 1 <= len(row_ids) <= LIST_ROWS_MAX:
            raise PayloadError(f"A list has 1 to {LIST_ROWS_MAX} rows in all (got {len(row_ids)}).", "interactive")
    else:
        raise PayloadError("interactive.type must be 'button' or 'list'.", "interactive")
    return dict(interactive)


def template_content(
    *,
    name: str,
    language: str,
    body_parameters: Sequence[str] | Mapping[str, str] = (),
    quick_reply_payloads: Sequence[str] = (),
) -> dict:
    """The ``template`` object. A mapping of body parameters sends named ones, a sequence positional ones.

    Quick-reply buttons are numbered from 0 in the template's button order.
    """
    components: list[dict] = []
    if isinstance(body_parameters, Mapping):
        params = [{"type": "text", "parameter_name": k, "text": str(v)} for k, v in body_parameters.items()]
    else:
        params = [{"type": "text", "text": str(v)} for v in body_parameters]
    if params:
        components.append({"type": "body", "parameters": params})
    for index, payload in enumerate(quick_reply_payloads):
        components.append(
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": str(index),
                "parameters": [{"type": "payload", "payload": payload}],
            }
        )
    content: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        content["components"] = components
    return content
