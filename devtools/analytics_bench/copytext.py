"""Rows in PostgreSQL COPY text format: one model's rows as tab-separated lines, defaults filled in from its fields."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, datetime
from decimal import Decimal


def _esc_str(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


_FORMAT = {
    str: _esc_str,
    int: str,
    float: repr,
    Decimal: str,
    uuid.UUID: str,
    datetime: datetime.isoformat,
    date: date.isoformat,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: r"\N",
    dict: lambda value: _esc_str(json.dumps(value, separators=(",", ":"))),
}


def esc(value) -> str:
    """A value in COPY's text format."""
    formatter = _FORMAT.get(type(value))
    if formatter is not None:
        return formatter(value)
    for kind, formatter in _FORMAT.items():  # subclasses: enum members, ...
        if isinstance(value, kind):
            return formatter(kind(value) if kind in (str, int) else value)
    raise TypeError(f"no COPY format for {type(value).__name__}")


class Table:
    """Rows of one model as COPY text; columns not given take the model field's default (or NULL)."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        index = {f.column: i for i, f in enumerate(fields)}
        self.positions = [index[c] for c in columns]
        defaults = []
        for f in fields:
            if f.has_default() or (not f.null and f.empty_strings_allowed):
                value = f.get_default()  # "" for text fields without a default
                if f.get_internal_type() == "JSONField":
                    value = json.dumps(value)
                elif isinstance(value, list):
                    value = "{" + ",".join(str(v) for v in value) + "}"
                defaults.append(esc(value))
            else:
                defaults.append(r"\N")
        slots = [default.replace("{", "{{").replace("}", "}}") for default in defaults]
        for number, position in enumerate(self.positions):  # values come in ``columns`` order, whatever the fields'
            slots[position] = f"{{{number}}}"
        self.line = "\t".join(slots) + "\n"
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, *values) -> None:
        self.buffer.write(self.line.format(*map(esc, values)))
        self.count += 1

    def add_raw(self, *texts: str) -> None:
        """Like ``add`` with values already in COPY text format (the hot tables)."""
        self.buffer.write(self.line.format(*texts))
        self.count += 1

    def flush(self, cursor) -> None:
        data = self.buffer.getvalue()
        if not data:
            return
        table = self.model._meta.db_table
        with cursor.copy(f"COPY {table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            copy.write(data)
        self.buffer = io.StringIO()
