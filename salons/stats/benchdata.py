"""Realistic bench data, written with COPY: salons with skewed sizes, bookings that never overlap per staff member,
WhatsApp conversations in sessions, assistant turns, and the daily rollups that ``stats_backfill`` would compute.

Scale N: 10,000·N bookings, 50,000·N messages, 1,000·N conversations, 3,000·N customers over round(100·√N) salons
(so per-salon volume grows √N), 180 days of history and 30 days ahead. One salon in twenty is ten times the others.
"""

from __future__ import annotations

import io
import json
import math
import random
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection

from ai_conversations.models import AIConversation, AIMessage, IntentDailyStat
from ai_conversations.providers import PRICE_CURRENCY
from bookings.models import CODE_ALPHABET, Booking, Service, StaffMember
from messaging.models import Conversation, Message
from salons.models import Customer, Salon, SalonDailyStats

HISTORY_DAYS = 180
FUTURE_DAYS = 30
SLOTS_PER_DAY = 10  # 09:00-19:00 local, one booking per staff member and hour at most
ZONES = [
    ("Europe/Berlin", "EUR", "de"),
    ("Europe/Lisbon", "EUR", "pt"),
    ("Europe/Madrid", "EUR", "es"),
    ("America/Sao_Paulo", "BRL", "pt"),
    ("America/New_York", "USD", "en"),
]
INTENT_PHRASES = {
    "book": ["Can I book a haircut tomorrow at {h}?", "Quero marcar corte sexta {h}h", "Termin für Färben am {d}."],
    "ask_availability": ["Do you have time on {d}?", "Hay hueco el {d} por la tarde?", "Habt ihr {h} Uhr frei?"],
    "reschedule": ["Can we move my appointment to {d}?", "Posso mudar para as {h}?"],
    "cancel": ["I need to cancel, sorry", "Cancela mi cita del {d}", "Ich muss absagen"],
    "prices_services": ["How much is a colour?", "Quanto custa manicure?"],
    "greeting": ["Hi!", "Olá", "Hola, buenas", "Hallo"],
    "thanks": ["Thanks!", "Obrigada", "Danke"],
    "talk_to_human": ["I want to talk to a person"],
    "unknown": ["??", "hmm {h}"],
}
INTENT_WEIGHTS = [30, 20, 8, 8, 8, 12, 8, 2, 4]


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


def _esc(value) -> str:
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
                defaults.append(_esc(value))
            else:
                defaults.append(r"\N")
        slots = [default.replace("{", "{{").replace("}", "}}") for default in defaults]
        for position in self.positions:
            slots[position] = "{}"
        self.line = "\t".join(slots) + "\n"
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, *values) -> None:
        self.buffer.write(self.line.format(*map(_esc, values)))
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


@dataclass
class Day:
    """What the rollup of one salon-local day must find (mirrors salons.stats.services)."""

    created: int = 0
    confirmed: int = 0
    cancelled: int = 0
    completed: int = 0
    no_show: int = 0
    revenue: Decimal = Decimal("0")
    new_customers: int = 0
    messages_in: int = 0
    messages_out: int = 0
    templates: int = 0
    opened: int = 0
    whatsapp_cost: Decimal = Decimal("0")
    ai_messages: int = 0
    ai_tokens: int = 0
    ai_cost: Decimal = Decimal("0")
    handoffs: int = 0
    responses: list = field(default_factory=list)
    intents: dict = field(default_factory=lambda: defaultdict(int))


def _code(n: int) -> str:
    chars = []
    for _ in range(6):
        n, rest = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[rest])
    return "".join(chars)


class Generator:
    def __init__(self, scale: int, now: datetime | None = None):
        self.scale = scale
        self.rng = random.Random(1000 + scale)
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.salon_count = round(100 * math.sqrt(scale))
        self.ids = defaultdict(int)
        self.offsets: dict[tuple[str, date], timedelta] = {}
        self.zones: dict[str, ZoneInfo] = {}
        self.tables = {
            "salon": Table(
                Salon,
                ["id", "name", "slug", "timezone", "currency", "language", "phone_number_id", "waba_id",
                 "display_phone_number", "channel_status", "created_at", "updated_at"],
            ),
            "customer": Table(
                Customer, ["id", "salon_id", "phone", "wa_id", "name", "language", "created_at", "updated_at"]
            ),
            "service": Table(
                Service,
                ["id", "salon_id", "name", "duration_minutes", "price", "currency", "created_at", "updated_at"],
            ),
            "staff": Table(StaffMember, ["id", "salon_id", "name", "created_at"]),
            "booking": Table(
                Booking,
                ["id", "salon_id", "code", "customer_id", "service_id", "staff_id", "starts_at", "ends_at",
                 "busy_range", "status", "source", "price", "currency", "confirmed_at", "cancelled_at",
                 "created_at", "updated_at"],
            ),
            "conversation": Table(
                Conversation,
                ["id", "salon_id", "customer_id", "last_inbound_at", "window_expires_at", "last_message_at",
                 "message_count", "inbound_count", "outbound_count", "cost_total", "cost_currency", "created_at",
                 "updated_at"],
            ),
            "message": Table(
                Message,
                ["id", "salon_id", "conversation_id", "customer_id", "direction", "type", "body", "preview", "wamid",
                 "status", "sent_at", "received_at", "pricing_category", "pricing_type", "billable", "cost",
                 "cost_currency", "created_at", "updated_at"],
            ),
            "aiconversation": Table(
                AIConversation,
                ["id", "salon_id", "customer_id", "state", "language", "message_count", "handed_off_at",
                 "handoff_reason", "last_activity_at", "created_at", "updated_at"],
            ),
            "aimessage": Table(
                AIMessage,
                ["id", "salon_id", "conversation_id", "direction", "content", "whatsapp_message_id", "intent",
                 "provider", "prompt_tokens", "completion_tokens", "cost", "latency_ms", "created_at"],
            ),
            "stats": Table(SalonDailyStats, ["id", "salon_id", "day", *_STATS_COLUMNS, "is_final", "computed_at"]),
            "intents": Table(IntentDailyStat, ["id", "salon_id", "day", "intent", "count", "updated_at"]),
        }  # fmt: skip

    def next_id(self, name: str) -> int:
        self.ids[name] += 1
        return self.ids[name]

    # --- time ---------------------------------------------------------------------------------------------------
    def utc(self, tz: str, day: date, hour: int) -> datetime:
        # Opening hours are far from the 02:00-03:00 DST switch: the day's noon offset is the right one.
        return datetime.combine(day, time(hour), tzinfo=UTC) - self._offset(tz, day)

    def local_day(self, tz: str, at: datetime) -> date:
        zone = self.zones.get(tz)
        if zone is None:
            zone = self.zones[tz] = ZoneInfo(tz)
        return at.astimezone(zone).date()

    def _offset(self, tz: str, day: date) -> timedelta:
        key = (tz, day)
        if key not in self.offsets:
            self.offsets[key] = datetime.combine(day, time(12), tzinfo=ZoneInfo(tz)).utcoffset()
        return self.offsets[key]

    # --- the whole data set -------------------------------------------------------------------------------------
    def weights(self) -> list[float]:
        large = max(1, self.salon_count // 20)
        return [10.0 if i < large else self.rng.uniform(0.5, 1.5) for i in range(self.salon_count)]

    @staticmethod
    def split(total: int, weights: list[float]) -> list[int]:
        whole = sum(weights)
        counts = [int(total * w / whole) for w in weights]
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        return counts

    def run(self, cursor, log) -> dict:
        weights = self.weights()
        plan = zip(
            range(self.salon_count),
            weights,
            self.split(10_000 * self.scale, weights),
            self.split(50_000 * self.scale, weights),
            self.split(1_000 * self.scale, weights),
            strict=True,
        )
        largest = []
        for index, weight, bookings, messages, conversations in plan:
            salon_id = self.salon(index, weight, bookings, messages, conversations)
            if index < 3:
                largest.append(str(salon_id))
            if any(t.buffer.tell() > 16_000_000 for t in self.tables.values()):
                self.flush(cursor)
            if index % max(1, self.salon_count // 10) == 0:
                log(f"  salon {index + 1}/{self.salon_count}")
        self.flush(cursor)
        return {"salons": self.salon_count, "largest": largest, **{k: t.count for k, t in self.tables.items()}}

    def flush(self, cursor) -> None:
        for table in self.tables.values():
            table.flush(cursor)

    # --- one salon ----------------------------------------------------------------------------------------------
    def salon(self, index: int, weight: float, n_bookings: int, n_messages: int, n_conversations: int) -> uuid.UUID:
        rng, t = self.rng, self.tables
        tz, currency, language = ZONES[index % len(ZONES)]
        salon_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
        salon_id = str(salon_uuid)
        opened = self.now - timedelta(days=HISTORY_DAYS + 60)
        t["salon"].add(
            salon_id, f"Bench Salon {index:04d}", f"bench-{index:04d}", tz, currency, language,
            str(5550000000000 + index), str(6660000000000 + index), f"1555{index:07d}", "active", opened, opened,
        )  # fmt: skip
        days: dict[date, Day] = defaultdict(Day)

        # customers: 3 per conversation; the first ones are the WhatsApp ones
        n_customers = max(3 * n_conversations, 10)
        customers = []
        history_start = self.now - timedelta(days=HISTORY_DAYS)
        for c in range(n_customers):
            customer_id = self.next_id("customer")
            created = history_start + timedelta(seconds=rng.uniform(-60 * 86400, HISTORY_DAYS * 86400 - 3600))
            phone = f"+55{index:04d}{c:07d}"
            t["customer"].add(
                customer_id, salon_id, phone, phone[1:], f"Customer {index}-{c}", language, created, created
            )
            days[self.local_day(tz, created)].new_customers += 1
            customers.append(customer_id)

        # services and staff
        services = []
        for s in range(5):
            service_id = self.next_id("service")
            duration, price = rng.choice([(30, "25.00"), (45, "38.50"), (60, "55.00"), (60, "80.00"), (30, "19.90")])
            t["service"].add(service_id, salon_id, f"Service {s}", duration, price, currency, opened, opened)
            services.append((service_id, duration, Decimal(price)))
        span_days = HISTORY_DAYS + FUTURE_DAYS
        n_staff = max(2, min(12, round(3 * weight)))
        while n_staff * SLOTS_PER_DAY * span_days < n_bookings * 1.2:
            n_staff += 1
        staff = []
        for s in range(n_staff):
            staff_id = self.next_id("staff")
            t["staff"].add(staff_id, salon_id, f"Stylist {index}-{s}", opened)
            staff.append(staff_id)

        self.bookings(salon_id, tz, currency, n_bookings, customers, services, staff, days)
        self.conversations(salon_id, tz, currency, n_messages, n_conversations, customers, days)
        self.rollups(salon_id, tz, currency, days)
        return salon_uuid

    def bookings(self, salon_id, tz, currency, count, customers, services, staff, days) -> None:
        rng, table = self.rng, self.tables["booking"]
        first_day = (self.now - timedelta(days=HISTORY_DAYS)).date()
        per_day = len(staff) * SLOTS_PER_DAY
        slots = rng.sample(range(per_day * (HISTORY_DAYS + FUTURE_DAYS)), count)
        regulars = customers[: max(1, len(customers) // 5)]
        for slot in slots:
            day_index, rest = divmod(slot, per_day)
            staff_index, hour_index = divmod(rest, SLOTS_PER_DAY)
            day = first_day + timedelta(days=day_index)
            starts = self.utc(tz, day, 9 + hour_index)
            service_id, duration, price = rng.choice(services)
            ends = starts + timedelta(minutes=duration)
            created = min(starts - timedelta(seconds=rng.uniform(3600, 21 * 86400)), self.now - timedelta(minutes=5))
            roll = rng.random()
            confirmed = cancelled = None
            if starts < self.now:
                status = "completed" if roll < 0.80 else ("no_show" if roll < 0.88 else "cancelled")
            else:
                status = "confirmed" if roll < 0.55 else ("pending" if roll < 0.90 else "cancelled")
            if status in ("completed", "no_show", "confirmed"):
                confirmed = min(created + timedelta(seconds=rng.uniform(60, 86400)), starts, self.now)
            if status == "cancelled":
                cancelled = min(created + (starts - created) * rng.random(), self.now)
            updated = max(x for x in (created, confirmed, cancelled) if x is not None)
            if status in ("completed", "no_show"):
                updated = min(max(updated, ends), self.now)
            customer = rng.choice(regulars) if rng.random() < 0.5 else rng.choice(customers)
            booking_id = self.next_id("booking")
            table.add(
                booking_id, salon_id, _code(booking_id), customer, service_id, staff[staff_index], starts, ends,
                f"[{starts.isoformat()},{ends.isoformat()})", status, rng.choice(["whatsapp", "assistant", "admin"]),
                price, currency, confirmed, cancelled, created, updated,
            )  # fmt: skip
            days[self.local_day(tz, created)].created += 1
            if confirmed is not None:
                days[self.local_day(tz, confirmed)].confirmed += 1
            if cancelled is not None:
                days[self.local_day(tz, cancelled)].cancelled += 1
            if status == "completed":
                days[day].completed += 1
                days[day].revenue += price
            elif status == "no_show":
                days[day].no_show += 1

    def conversations(self, salon_id, tz, currency, n_messages, n_conversations, customers, days) -> None:
        rng = self.rng
        hours = HISTORY_DAYS * 24 - 2
        history_start = self.now - timedelta(days=HISTORY_DAYS)
        per_conversation = self.split(n_messages, [rng.uniform(0.2, 1.8) for _ in range(n_conversations)])
        for c, target in enumerate(per_conversation):
            customer_id = customers[c]
            conversation_id = self.next_id("conversation")
            assistant = rng.random() < 0.2
            ai_conversation_id = self.next_id("aiconversation")
            sessions = sorted(rng.sample(range(hours), min(hours, max(1, target // 3 + 1))))
            written, inbound_count, cost_total = 0, 0, Decimal("0")
            last_inbound = first_at = at = None
            for hour in sessions:
                if written >= target:
                    break
                at = history_start + timedelta(hours=hour, seconds=rng.uniform(0, 600))
                first_at = first_at or at
                if rng.random() < 0.15:  # a reminder template starts the session
                    cost = Decimal("0.0506")
                    self.message(salon_id, conversation_id, customer_id, "outbound", "template", at, cost, currency)
                    day = days[self.local_day(tz, at)]
                    day.messages_out += 1
                    day.templates += 1
                    day.whatsapp_cost += cost
                    cost_total += cost
                    written += 1
                    at += timedelta(seconds=rng.uniform(60, 600))
                for _ in range(rng.randint(1, 3)):
                    if written >= target:
                        break
                    message_id = self.message(salon_id, conversation_id, customer_id, "inbound", "text", at, None, "")
                    day = days[self.local_day(tz, at)]
                    day.messages_in += 1
                    if last_inbound is None or last_inbound <= at - timedelta(hours=24):
                        day.opened += 1
                    last_inbound = at
                    inbound_count += 1
                    intent = rng.choices(list(INTENT_PHRASES), INTENT_WEIGHTS)[0]
                    if assistant:
                        text = rng.choice(INTENT_PHRASES[intent]).format(h=rng.randint(9, 19), d=rng.randint(1, 28))
                        self.ai_message(salon_id, ai_conversation_id, "in", text, message_id, intent, at, 0, day)
                        day.intents[intent] += 1
                    delay = min(rng.lognormvariate(1.5, 1.0), 300.0)
                    reply_at = at + timedelta(seconds=round(delay, 3))
                    reply_id = self.message(
                        salon_id, conversation_id, customer_id, "outbound", "text", reply_at, Decimal("0"), currency
                    )
                    reply_day = days[self.local_day(tz, reply_at)]
                    reply_day.messages_out += 1
                    day.responses.append(round(delay, 3))
                    if assistant:
                        tokens = rng.randint(300, 900) if rng.random() < 0.3 else 0
                        self.ai_message(
                            salon_id, ai_conversation_id, "out", "Reply", reply_id, intent, reply_at, tokens, reply_day
                        )
                    written += 2
                    at = reply_at + timedelta(seconds=rng.uniform(30, 300))
            last = at or history_start
            self.tables["conversation"].add(
                conversation_id, salon_id, customer_id, last_inbound, last_inbound and last_inbound + timedelta(1),
                last, written, inbound_count, written - inbound_count, cost_total, currency, first_at or last, last,
            )  # fmt: skip
            handed_off = rng.random() < 0.03
            handed_off_at = last if handed_off else None
            if handed_off:
                days[self.local_day(tz, last)].handoffs += 1
            self.tables["aiconversation"].add(
                ai_conversation_id, salon_id, customer_id, "handed_off" if handed_off else "active", "en",
                written if assistant else 0, handed_off_at, "asked for a person" if handed_off else "", last,
                first_at or last, last,
            )  # fmt: skip

    def message(self, salon_id, conversation_id, customer_id, direction, kind, at, cost, currency) -> int:
        message_id = self.next_id("message")
        stamp = at.isoformat()
        if direction == "inbound":
            row = (r"\N", stamp, "", "", r"\N", r"\N", "", "received", _INBOUND)
        elif kind == "template":
            row = (stamp, r"\N", "utility", "regular", "t", str(cost), currency, "read", _TEMPLATE)
        else:
            row = (stamp, r"\N", "service", "free_customer_service", "f", str(cost), currency, "read", _REPLY)
        sent_at, received_at, category, pricing_type, billable, cost_text, currency_text, status, (body, text) = row
        self.tables["message"].add_raw(
            str(message_id), salon_id, str(conversation_id), str(customer_id), direction, kind, body, text,
            f"wamid.B{message_id:012d}", status, sent_at, received_at, category, pricing_type, billable, cost_text,
            currency_text, stamp, stamp,
        )  # fmt: skip
        return message_id

    def ai_message(self, salon_id, conversation_id, direction, content, message_id, intent, at, tokens, day) -> None:
        cost = (Decimal(tokens) * Decimal("0.0000006")).quantize(Decimal("0.000001"))
        self.tables["aimessage"].add(
            self.next_id("aimessage"), salon_id, conversation_id, direction, content, str(message_id), intent,
            "openai_compat" if tokens else "offline", tokens, 0, cost, 40 if direction == "out" else None, at,
        )  # fmt: skip
        if direction == "out":
            day.ai_messages += 1
            day.ai_tokens += tokens
            day.ai_cost += cost

    def rollups(self, salon_id, tz, currency, days: dict[date, Day]) -> None:
        today = (self.now + self._offset(tz, self.now.date())).date()
        first = (self.now - timedelta(days=HISTORY_DAYS)).date()
        for offset in range((today - first).days):
            day_date = first + timedelta(days=offset)
            d = days.get(day_date) or Day()
            median = round(statistics.median(d.responses), 3) if d.responses else None
            self.tables["stats"].add(
                self.next_id("stats"), salon_id, day_date, d.created, d.confirmed, d.cancelled, d.completed,
                d.no_show, d.revenue, currency, d.new_customers, d.messages_in, d.messages_out, d.templates, d.opened,
                d.whatsapp_cost, currency, d.ai_messages, d.ai_tokens, d.ai_cost, PRICE_CURRENCY, d.handoffs,
                median, len(d.responses), True, self.now,
            )  # fmt: skip
            for intent, count in sorted(d.intents.items()):
                self.tables["intents"].add(self.next_id("intents"), salon_id, day_date, intent, count, self.now)


_INBOUND = (_esc({"type": "text", "text": {"body": "Hallo, haben Sie morgen frei?"}}), "Hallo, haben Sie morgen frei?")
_REPLY = (_esc({"type": "text", "text": {"body": "Gern! Morgen 15:00 ist frei."}}), "Gern! Morgen 15:00 ist frei.")
_TEMPLATE = (
    _esc({"type": "template", "template": {"name": "booking_reminder", "language": {"code": "en"}}}),
    "Reminder: your appointment",
)

_STATS_COLUMNS = [
    "bookings_created", "bookings_confirmed", "bookings_cancelled", "bookings_completed", "bookings_no_show",
    "revenue", "revenue_currency", "new_customers", "messages_in", "messages_out", "templates_sent",
    "conversations_opened", "whatsapp_cost", "whatsapp_cost_currency", "ai_messages", "ai_tokens", "ai_cost",
    "ai_cost_currency", "handoffs", "first_response_median_seconds", "first_responses",
]  # fmt: skip


# --- load: plain indexes and the exclusion constraint are rebuilt after COPY (same definitions, same names) ------
def load(scale: int, log) -> dict:
    tables = [
        m._meta.db_table
        for m in (Salon, Customer, Service, StaffMember, Booking, Conversation, Message, AIConversation, AIMessage)
    ]
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3, autocommit: every COPY commits on its own
    raw.autocommit = True
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # FK triggers off: the generator keeps references
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'x' AND t.relname = ANY(%s)",
            [tables],
        )
        exclusions = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in exclusions:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        log(f"dropped {len(indexes)} plain indexes and {len(exclusions)} exclusion constraint(s) for the load")

        counts = Generator(scale).run(cursor, log)
        log("rows: " + ", ".join(f"{k}={v}" for k, v in counts.items() if k not in ("largest", "salons")))

        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in exclusions:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        log("indexes and constraints rebuilt (same names and definitions as the migrations)")
        for model in (Customer, Service, StaffMember, Booking, Conversation, Message, AIConversation, AIMessage,
                      SalonDailyStats, IntentDailyStat):  # fmt: skip
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(max(id), 1)) FROM {table}")  # noqa: S608
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE")
    return counts


__all__ = ["Generator", "load"]
