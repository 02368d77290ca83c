"""The bench data generator: salons with skewed sizes, bookings that never overlap per staff member, WhatsApp
conversations in sessions, assistant turns, and the daily rollups that ``stats_backfill`` would compute from them."""

from __future__ import annotations

import math
import random
import statistics
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ai_conversations.models import AIConversation, AIMessage
from ai_conversations.providers import PRICE_CURRENCY
from analytics.models import IntentDailyStat, SalonDailyStats
from bookings.models import Booking, Service, StaffMember
from devtools.analytics_bench.copytext import Table
from devtools.analytics_bench.shape import (
    FUTURE_DAYS,
    HISTORY_DAYS,
    INBOUND,
    INTENT_PHRASES,
    INTENT_WEIGHTS,
    REPLY,
    SLOTS_PER_DAY,
    STATS_COLUMNS,
    TEMPLATE,
    ZONES,
    Day,
    booking_code,
)
from messaging.models import Conversation, Message
from salons.models import Customer, Salon


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
            "stats": Table(SalonDailyStats, ["id", "salon_id", "day", *STATS_COLUMNS, "is_final", "computed_at"]),
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
            days[self.local_day(tz, created)].sums["new_customers"] += 1
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
                booking_id, salon_id, booking_code(booking_id), customer, service_id, staff[staff_index], starts, ends,
                f"[{starts.isoformat()},{ends.isoformat()})", status, rng.choice(["whatsapp", "assistant", "admin"]),
                price, currency, confirmed, cancelled, created, updated,
            )  # fmt: skip
            days[self.local_day(tz, created)].sums["bookings_created"] += 1
            if confirmed is not None:
                days[self.local_day(tz, confirmed)].sums["bookings_confirmed"] += 1
            if cancelled is not None:
                days[self.local_day(tz, cancelled)].sums["bookings_cancelled"] += 1
            if status == "completed":
                days[day].sums["bookings_completed"] += 1
                days[day].sums["revenue"] += price
            elif status == "no_show":
                days[day].sums["bookings_no_show"] += 1

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
                    day.sums["messages_out"] += 1
                    day.sums["templates_sent"] += 1
                    day.sums["whatsapp_cost"] += cost
                    cost_total += cost
                    written += 1
                    at += timedelta(seconds=rng.uniform(60, 600))
                for _ in range(rng.randint(1, 3)):
                    if written >= target:
                        break
                    message_id = self.message(salon_id, conversation_id, customer_id, "inbound", "text", at, None, "")
                    day = days[self.local_day(tz, at)]
                    day.sums["messages_in"] += 1
                    if last_inbound is None or last_inbound <= at - timedelta(hours=24):
                        day.sums["conversations_opened"] += 1
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
                    reply_day.sums["messages_out"] += 1
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
                days[self.local_day(tz, last)].sums["handoffs"] += 1
            self.tables["aiconversation"].add(
                ai_conversation_id, salon_id, customer_id, "handed_off" if handed_off else "active", "en",
                written if assistant else 0, handed_off_at, "asked for a person" if handed_off else "", last,
                first_at or last, last,
            )  # fmt: skip

    def message(self, salon_id, conversation_id, customer_id, direction, kind, at, cost, currency) -> int:
        message_id = self.next_id("message")
        stamp = at.isoformat()
        if direction == "inbound":
            row = (r"\N", stamp, "", "", r"\N", r"\N", "", "received", INBOUND)
        elif kind == "template":
            row = (stamp, r"\N", "utility", "regular", "t", str(cost), currency, "read", TEMPLATE)
        else:
            row = (stamp, r"\N", "service", "free_customer_service", "f", str(cost), currency, "read", REPLY)
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
            day.sums["ai_messages"] += 1
            day.sums["ai_tokens"] += tokens
            day.sums["ai_cost"] += cost

    def rollups(self, salon_id, tz, currency, days: dict[date, Day]) -> None:
        today = (self.now + self._offset(tz, self.now.date())).date()
        first = (self.now - timedelta(days=HISTORY_DAYS)).date()
        for offset in range((today - first).days):
            day_date = first + timedelta(days=offset)
            d = days.get(day_date) or Day()
            median = round(statistics.median(d.responses), 3) if d.responses else None
            row = {
                **d.sums,
                "revenue_currency": currency,
                "whatsapp_cost_currency": currency,
                "ai_cost_currency": PRICE_CURRENCY,
                "first_response_median_seconds": median,
                "first_responses": len(d.responses),
            }
            columns = (row.get(column, 0) for column in STATS_COLUMNS)
            self.tables["stats"].add(self.next_id("stats"), salon_id, day_date, *columns, True, self.now)
            for intent, count in sorted(d.intents.items()):
                self.tables["intents"].add(self.next_id("intents"), salon_id, day_date, intent, count, self.now)
