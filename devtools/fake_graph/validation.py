"""What Meta refuses in a send, checked the way the Cloud API does, written apart from the app's own payload builder
(``messaging.whatsapp.payloads``) so that each checks the other: the limits come from Meta's documentation.

``check_send(body, template_of)`` raises ``GraphError(code, details)``; ``template_of(name, language)`` is the WABA's
template (a dict with ``status``, ``category``, ``parameter_format`` and ``components``) or None when the fake knows
no templates of that WABA (then templates are not checked).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from devtools.fake_graph.errors import GraphError

WA_ID = re.compile(r"\+?[1-9][0-9]{5,14}")
BSUID = re.compile(r"[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}")
SUPPORTED_TYPES = {
    "text", "template", "interactive", "image", "audio", "video", "document", "sticker", "location", "contacts",
    "reaction",
}  # fmt: skip
# Meta's limits (Cloud API reference: messages, interactive reply buttons and list messages).
TEXT_BODY = 4096
BUTTON_BODY, LIST_BODY, HEADER_TEXT, FOOTER_TEXT = 1024, 4096, 60, 60
BUTTONS_MAX, BUTTON_TITLE, BUTTON_ID = 3, 20, 256
LIST_BUTTON, SECTIONS_MAX, ROWS_MAX, SECTION_TITLE, ROW_TITLE, ROW_DESCRIPTION, ROW_ID = 20, 10, 10, 24, 24, 72, 200
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")

TemplateLookup = Callable[[str, str], "dict | None"]


def _text(value: Any, limit: int, where: str, *, required: bool = True) -> None:
    if value is None or value == "":
        if required:
            raise GraphError(131008, f"Parameter '{where}' is required.")
        return
    if not isinstance(value, str):
        raise GraphError(100, f"Param {where} must be a string.")
    if len(value) > limit:
        raise GraphError(100, f"Param {where} must be at most {limit} characters long.")


def check_address(body: dict) -> str:
    """The recipient as given (``to`` wins over ``recipient``, as at Meta); 131008/100 when there is none."""
    to, recipient = body.get("to"), body.get("recipient")
    if to not in (None, ""):
        if not isinstance(to, str) or not WA_ID.fullmatch(to):
            raise GraphError(100, "Param to must be a phone number.")
        return to
    if recipient not in (None, ""):
        if not isinstance(recipient, str) or not BSUID.fullmatch(recipient):
            raise GraphError(100, "Param recipient must be a business-scoped user ID.")
        return recipient
    raise GraphError(131008, "Parameter 'to' or 'recipient' is required.")


def _check_interactive(interactive: Any) -> None:
    if not isinstance(interactive, dict):
        raise GraphError(100, "Param interactive must be an object.")
    kind = interactive.get("type")
    body = interactive.get("body") if isinstance(interactive.get("body"), dict) else {}
    action = interactive.get("action") if isinstance(interactive.get("action"), dict) else {}
    header, footer = interactive.get("header"), interactive.get("footer")
    if isinstance(header, dict) and header.get("type") == "text":
        _text(header.get("text"), HEADER_TEXT, "interactive.header.text")
    if isinstance(footer, dict):
        _text(footer.get("text"), FOOTER_TEXT, "interactive.footer.text")
    if kind == "button":
        _text(body.get("text"), BUTTON_BODY, "interactive.body.text")
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= BUTTONS_MAX:
            raise GraphError(131009, f"Param interactive.action.buttons must have 1 to {BUTTONS_MAX} buttons.")
        seen_ids, seen_titles = set(), set()
        for i, button in enumerate(buttons):
            reply = button.get("reply") if isinstance(button, dict) else None
            if not isinstance(reply, dict) or button.get("type") != "reply":
                raise GraphError(100, f"Param interactive.action.buttons[{i}] must be a reply button.")
            _text(reply.get("id"), BUTTON_ID, f"interactive.action.buttons[{i}].reply.id")
            _text(reply.get("title"), BUTTON_TITLE, f"interactive.action.buttons[{i}].reply.title")
            if reply["id"] in seen_ids or reply["title"] in seen_titles:
                raise GraphError(131009, "Buttons must have unique ids and titles.")
            seen_ids.add(reply["id"])
            seen_titles.add(reply["title"])
    elif kind == "list":
        _text(body.get("text"), LIST_BODY, "interactive.body.text")
        _text(action.get("button"), LIST_BUTTON, "interactive.action.button")
        sections = action.get("sections")
        if not isinstance(sections, list) or not 1 <= len(sections) <= SECTIONS_MAX:
            raise GraphError(131009, f"Param interactive.action.sections must have 1 to {SECTIONS_MAX} sections.")
        row_ids: set = set()
        for s, section in enumerate(sections):
            if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
                raise GraphError(100, f"Param interactive.action.sections[{s}].rows is required.")
            _text(section.get("title"), SECTION_TITLE, f"sections[{s}].title", required=len(sections) > 1)
            for r, row in enumerate(section["rows"]):
                if not isinstance(row, dict):
                    raise GraphError(100, f"Param sections[{s}].rows[{r}] must be an object.")
                _text(row.get("id"), ROW_ID, f"sections[{s}].rows[{r}].id")
                _text(row.get("title"), ROW_TITLE, f"sections[{s}].rows[{r}].title")
                _text(row.get("description"), ROW_DESCRIPTION, f"sections[{s}].rows[{r}].description", required=False)
                if row["id"] in row_ids:
                    raise GraphError(131009, "Rows must have unique ids.")
                row_ids.add(row["id"])
        if not 1 <= len(row_ids) <= ROWS_MAX:
            raise GraphError(131009, f"A list message has 1 to {ROWS_MAX} rows in all (got {len(row_ids)}).")
    else:
        raise GraphError(100, "Param interactive.type must be one of button, list.")


def _body_placeholders(template: dict) -> list[str]:
    for component in template.get("components") or []:
        if str(component.get("type", "")).upper() == "BODY":
            return PLACEHOLDER.findall(component.get("text") or "")
    return []


def _check_template(content: Any, template_of: TemplateLookup, by_bsuid: bool) -> None:
    if not isinstance(content, dict) or not content.get("name"):
        raise GraphError(131008, "Parameter 'template.name' is required.")
    language = (content.get("language") or {}).get("code") if isinstance(content.get("language"), dict) else None
    if not language:
        raise GraphError(131008, "Parameter 'template.language.code' is required.")
    template = template_of(content["name"], language)
    if template is None:
        return  # the fake knows none of this WABA's templates: nothing to check against
    if template.get("missing"):
        raise GraphError(132001, f"template name ({content['name']}) does not exist in {language}")
    status = str(template.get("status", "")).upper()
    if status == "PAUSED":
        raise GraphError(132015, f"Template {content['name']} is paused.")
    if status in ("DISABLED", "REJECTED", "PENDING"):
        raise GraphError(132016 if status == "DISABLED" else 132001, f"Template {content['name']} is {status}.")
    if by_bsuid and str(template.get("category", "")).upper() == "AUTHENTICATION":
        raise GraphError(131062, "Authentication templates need a phone number.")
    expected = _body_placeholders(template)
    given: list[dict] = []
    for component in content.get("components") or []:
        if isinstance(component, dict) and str(component.get("type", "")).lower() == "body":
            given = [p for p in component.get("parameters") or [] if isinstance(p, dict)]
    if len(given) != len(expected):
        raise GraphError(132000, f"body: number of localizable_params ({len(given)}) does not match ({len(expected)})")
    named = str(template.get("parameter_format", "POSITIONAL")).upper() == "NAMED"
    if given and named != all("parameter_name" in p for p in given):
        raise GraphError(132012, "Parameter format does not match the template's (named or positional).")
    if named and sorted(p["parameter_name"] for p in given) != sorted(expected):
        raise GraphError(132012, f"Named parameters must be {', '.join(expected)}.")
    if any(not str(p.get("text", "")).strip() for p in given):
        raise GraphError(131008, "Template parameters may not be empty.")


def check_send(body: Any, template_of: TemplateLookup) -> str:
    """The recipient of a valid send; GraphError with Meta's code for anything Meta refuses."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        raise GraphError(100, "Param messaging_product must be whatsapp.")
    recipient = check_address(body)
    type_ = body.get("type") or "text"
    if type_ not in SUPPORTED_TYPES:
        raise GraphError(100, f"Param type must be one of {', '.join(sorted(SUPPORTED_TYPES))}.")
    if type_ not in body:
        raise GraphError(131008, f"Parameter '{type_}' is required.")
    if type_ == "text":
        text = body["text"] if isinstance(body["text"], dict) else {}
        _text(text.get("body"), TEXT_BODY, "text.body")
    elif type_ == "interactive":
        _check_interactive(body["interactive"])
    elif type_ == "template":
        _check_template(body["template"], template_of, by_bsuid="to" not in body)
    context = body.get("context")
    if context is not None and (not isinstance(context, dict) or not context.get("message_id")):
        raise GraphError(100, "Param context.message_id is required.")
    return recipient
