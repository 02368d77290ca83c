"""``/<waba_id>/message_templates`` (create, list with cursor paging, delete) and ``POST /<template_id>`` (edit)."""

from __future__ import annotations

import base64
import random
from typing import Any

from devtools.fake_graph.errors import error_envelope
from devtools.fake_graph.state import FakeGraphState


def templates_call(state: FakeGraphState, method: str, waba_id: str, query: dict, body: Any, url: str) -> tuple:
    """(HTTP status, answer) of one call on the WABA's templates; ``url`` is the request's own, for paging."""
    with state.lock:
        templates = state.templates.setdefault(waba_id, [])
        if method == "POST":
            if not isinstance(body, dict) or not body.get("name") or not body.get("language"):
                return error_envelope(100, "name and language are required")
            if any(t["name"] == body["name"] and t["language"] == body["language"] for t in templates):
                status, payload = error_envelope(100, "Content in this language already exists")
                payload["error"]["error_subcode"] = 2388024
                return status, payload
            template = {
                "id": str(random.randint(10**15, 10**16 - 1)),
                "name": body["name"],
                "language": body["language"],
                "status": "APPROVED" if state.auto_approve_templates else "PENDING",
                "category": body.get("category", "UTILITY"),
                "parameter_format": body.get("parameter_format", "POSITIONAL"),
                "components": body.get("components", []),
            }
            templates.append(template)
            return 200, {"id": template["id"], "status": template["status"], "category": template["category"]}
        if method == "GET":
            limit = int(query.get("limit", 25))
            start = int(base64.b64decode(query["after"]).decode()) if query.get("after") else 0
            page = templates[start : start + limit]
            answer: dict[str, Any] = {"data": [dict(t) for t in page]}
            if templates:
                after = start + len(page)
                cursors = {
                    "before": base64.b64encode(str(start).encode()).decode(),
                    "after": base64.b64encode(str(after).encode()).decode(),
                }
                answer["paging"] = {"cursors": cursors}
                if after < len(templates):
                    answer["paging"]["next"] = f"{url}?limit={limit}&after={cursors['after']}"
            return 200, answer
        if method == "DELETE":
            name = query.get("name")
            keep = [t for t in templates if t["name"] != name or (query.get("hsm_id") not in (None, t["id"]))]
            if len(keep) == len(templates):
                return error_envelope(100, f"Message template {name!r} not found")
            state.templates[waba_id] = keep
            return 200, {"success": True}
    return error_envelope(100, "Unsupported method")


def template_waba(state: FakeGraphState, template_id: str) -> str | None:
    with state.lock:
        for waba_id, templates in state.templates.items():
            if any(t["id"] == template_id for t in templates):
                return waba_id
    return None


def template_edit(state: FakeGraphState, template_id: str, body: dict) -> tuple:
    with state.lock:
        for templates in state.templates.values():
            for template in templates:
                if template["id"] == template_id:
                    template.update(components=body.get("components", template["components"]), status="PENDING")
                    if body.get("category"):
                        template["category"] = body["category"]
                    return 200, {"success": True}
    return error_envelope(100, f"Object with ID '{template_id}' does not exist")
