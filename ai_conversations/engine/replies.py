"""What the assistant says, in English, Spanish, Portuguese and German, and how it writes dates and money."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel import Locale

from ai_conversations.engine.language import supported_language
from salons import localization

STRINGS: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hi{name}! I'm the assistant of {salon}. I can book, move or cancel an appointment and tell you our "
        "prices, opening hours and address. What would you like?",
        "es": "¡Hola{name}! Soy el asistente de {salon}. Puedo reservar, cambiar o cancelar una cita y darte precios, "
        "horarios y nuestra dirección. ¿Qué necesitas?",
        "pt": "Olá{name}! Sou o assistente de {salon}. Posso marcar, remarcar ou cancelar um horário e informar "
        "preços, horário de funcionamento e endereço. Como posso ajudar?",
        "de": "Hallo{name}! Ich bin der Assistent von {salon}. Ich kann Termine buchen, verschieben oder stornieren "
        "und dir Preise, Öffnungszeiten und unsere Adresse nennen. Was möchtest du?",
    },
    "ask_service": {
        "en": "Which service would you like?",
        "es": "¿Qué servicio quieres?",
        "pt": "Qual serviço você quer?",
        "de": "Welche Leistung möchtest du?",
    },
    "ask_service_ambiguous": {
        "en": "Which one do you mean?",
        "es": "¿Cuál de ellos?",
        "pt": "Qual deles?",
        "de": "Welche davon meinst du?",
    },
    "services_button": {"en": "Services", "es": "Servicios", "pt": "Serviços", "de": "Leistungen"},
    "times_button": {"en": "Choose a time", "es": "Elegir hora", "pt": "Escolher horário", "de": "Zeit wählen"},
    "bookings_button": {"en": "My bookings", "es": "Mis citas", "pt": "Meus horários", "de": "Meine Termine"},
    "offer_slots": {
        "en": "Free times for {service}{staff}:",
        "es": "Horas libres para {service}{staff}:",
        "pt": "Horários livres para {service}{staff}:",
        "de": "Freie Zeiten für {service}{staff}:",
    },
    "with_staff": {"en": " with {staff}", "es": " con {staff}", "pt": " com {staff}", "de": " bei {staff}"},
    "asked_taken": {
        "en": "{when} is not free. The nearest free times for {service}:",
        "es": "{when} no está libre. Las horas libres más cercanas para {service}:",
        "pt": "{when} não está livre. Os horários livres mais próximos para {service}:",
        "de": "{when} ist nicht frei. Die nächsten freien Zeiten für {service}:",
    },
    "no_slots": {
        "en": 'Sorry, I found no free time for {service} in the next days. Write "person" and a colleague will help.',
        "es": 'Lo siento, no encontré horas libres para {service} en los próximos días. Escribe "persona" y un '
        "compañero te ayudará.",
        "pt": 'Desculpe, não encontrei horários livres para {service} nos próximos dias. Escreva "pessoa" e um '
        "colega vai ajudar.",
        "de": 'Leider habe ich in den nächsten Tagen keine freie Zeit für {service} gefunden. Schreib "Mensch" und '
        "jemand aus dem Team hilft dir.",
    },
    "confirm_booking": {
        "en": "Book {service}{staff} on {when} for {price}?",
        "es": "¿Reservo {service}{staff} el {when} por {price}?",
        "pt": "Marco {service}{staff} em {when} por {price}?",
        "de": "Soll ich {service}{staff} am {when} für {price} buchen?",
    },
    "yes_book": {"en": "Yes, book it", "es": "Sí, reservar", "pt": "Sim, marcar", "de": "Ja, buchen"},
    "yes": {"en": "Yes", "es": "Sí", "pt": "Sim", "de": "Ja"},
    "no": {"en": "No", "es": "No", "pt": "Não", "de": "Nein"},
    "other_time": {"en": "Other time", "es": "Otra hora", "pt": "Outro horário", "de": "Andere Zeit"},
    "booked": {
        "en": "Booked ✅\nCode: {code}\n{service} with {staff}\n{when}\nPrice: {price}\n"
        'To change or cancel, write "reschedule {code}" or "cancel {code}".',
        "es": "Reservado ✅\nCódigo: {code}\n{service} con {staff}\n{when}\nPrecio: {price}\n"
        'Para cambiar o cancelar, escribe "cambiar {code}" o "cancelar {code}".',
        "pt": "Marcado ✅\nCódigo: {code}\n{service} com {staff}\n{when}\nPreço: {price}\n"
        'Para remarcar ou cancelar, escreva "remarcar {code}" ou "cancelar {code}".',
        "de": "Gebucht ✅\nCode: {code}\n{service} bei {staff}\n{when}\nPreis: {price}\n"
        'Zum Ändern oder Stornieren schreib "verschieben {code}" oder "stornieren {code}".',
    },
    "slot_taken": {
        "en": "Sorry, that time was just taken. The nearest free times:",
        "es": "Lo siento, esa hora se acaba de ocupar. Las horas libres más cercanas:",
        "pt": "Desculpe, esse horário acabou de ser ocupado. Os horários livres mais próximos:",
        "de": "Diese Zeit wurde gerade vergeben. Die nächsten freien Zeiten:",
    },
    "booking_invalid": {
        "en": "Sorry, I couldn't do that: {reason}",
        "es": "Lo siento, no pude hacerlo: {reason}",
        "pt": "Desculpe, não consegui: {reason}",
        "de": "Das hat leider nicht geklappt: {reason}",
    },
    # Why bookings refused, by BookingInvalid.reason (anything else falls back to its English message).
    "reason_past": {
        "en": "that time is in the past.",
        "es": "esa hora ya pasó.",
        "pt": "esse horário já passou.",
        "de": "diese Zeit liegt in der Vergangenheit.",
    },
    "reason_min_notice": {
        "en": "bookings need at least {minutes} minutes' notice.",
        "es": "las reservas necesitan al menos {minutes} minutos de antelación.",
        "pt": "as marcações precisam de pelo menos {minutes} minutos de antecedência.",
        "de": "Termine brauchen mindestens {minutes} Minuten Vorlauf.",
    },
    "reason_horizon": {
        "en": "bookings can be made at most {days} days ahead.",
        "es": "solo se puede reservar con {days} días de antelación como máximo.",
        "pt": "só é possível marcar com até {days} dias de antecedência.",
        "de": "Termine können höchstens {days} Tage im Voraus gebucht werden.",
    },
    "reason_cancellation_notice": {
        "en": "changes and cancellations are only possible up to {hours} hours before the appointment.",
        "es": "solo se puede cambiar o cancelar hasta {hours} horas antes de la cita.",
        "pt": "só é possível alterar ou cancelar até {hours} horas antes da marcação.",
        "de": "Änderungen und Stornierungen sind nur bis {hours} Stunden vor dem Termin möglich.",
    },
    "reason_outside_working_hours": {
        "en": "nobody works at that time.",
        "es": "a esa hora no trabaja nadie.",
        "pt": "não há ninguém a trabalhar a essa hora.",
        "de": "zu dieser Zeit arbeitet niemand.",
    },
    "reason_time_off": {
        "en": "we are not available then.",
        "es": "no estamos disponibles en ese momento.",
        "pt": "não estamos disponíveis nesse momento.",
        "de": "zu dieser Zeit sind wir nicht da.",
    },
    "declined": {
        "en": "No problem. Tell me another day or time whenever you like.",
        "es": "Sin problema. Dime otro día u hora cuando quieras.",
        "pt": "Sem problema. Diga outro dia ou horário quando quiser.",
        "de": "Kein Problem. Nenn mir einfach einen anderen Tag oder eine andere Uhrzeit.",
    },
    "ask_when": {
        "en": "Which day and time suit you for {service}?",
        "es": "¿Qué día y hora te vienen bien para {service}?",
        "pt": "Qual dia e horário são melhores para {service}?",
        "de": "Welcher Tag und welche Uhrzeit passen dir für {service}?",
    },
    "which_booking_cancel": {
        "en": "Which booking should I cancel?",
        "es": "¿Qué cita cancelo?",
        "pt": "Qual horário devo cancelar?",
        "de": "Welchen Termin soll ich stornieren?",
    },
    "which_booking_reschedule": {
        "en": "Which booking should I move?",
        "es": "¿Qué cita cambio?",
        "pt": "Qual horário devo remarcar?",
        "de": "Welchen Termin soll ich verschieben?",
    },
    "confirm_cancel": {
        "en": "Cancel {service} on {when} (code {code})?",
        "es": "¿Cancelo {service} el {when} (código {code})?",
        "pt": "Cancelo {service} em {when} (código {code})?",
        "de": "{service} am {when} (Code {code}) stornieren?",
    },
    "cancelled": {
        "en": "Your booking {code} ({service}, {when}) is cancelled.",
        "es": "Tu cita {code} ({service}, {when}) está cancelada.",
        "pt": "Seu horário {code} ({service}, {when}) foi cancelado.",
        "de": "Dein Termin {code} ({service}, {when}) ist storniert.",
    },
    "kept": {
        "en": "Alright, your booking {code} stays as it is.",
        "es": "De acuerdo, tu cita {code} se mantiene.",
        "pt": "Certo, seu horário {code} continua marcado.",
        "de": "Alles klar, dein Termin {code} bleibt bestehen.",
    },
    "booking_not_found": {
        "en": "I couldn't find an upcoming booking {code} for your number.",
        "es": "No encontré una cita {code} próxima para tu número.",
        "pt": "Não encontrei um horário {code} futuro para o seu número.",
        "de": "Ich habe für deine Nummer keinen anstehenden Termin {code} gefunden.",
    },
    "pick_new_time": {
        "en": "When should {service} ({code}) move to? Free times:",
        "es": "¿A cuándo cambio {service} ({code})? Horas libres:",
        "pt": "Para quando remarco {service} ({code})? Horários livres:",
        "de": "Wohin soll {service} ({code}) verschoben werden? Freie Zeiten:",
    },
    "rescheduled": {
        "en": "Done ✅ {code} is now {service} with {staff} on {when}.",
        "es": "Hecho ✅ {code} ahora es {service} con {staff} el {when}.",
        "pt": "Pronto ✅ {code} agora é {service} com {staff} em {when}.",
        "de": "Erledigt ✅ {code} ist jetzt {service} bei {staff} am {when}.",
    },
    "attendance_confirmed": {
        "en": "Thanks for confirming! See you on {when} ({code}).",
        "es": "¡Gracias por confirmar! Nos vemos el {when} ({code}).",
        "pt": "Obrigado por confirmar! Até {when} ({code}).",
        "de": "Danke für die Bestätigung! Bis {when} ({code}).",
    },
    "my_bookings": {
        "en": "Your upcoming bookings:\n{lines}",
        "es": "Tus próximas citas:\n{lines}",
        "pt": "Seus próximos horários:\n{lines}",
        "de": "Deine nächsten Termine:\n{lines}",
    },
    "no_bookings": {
        "en": "You have no upcoming bookings. Would you like to book one?",
        "es": "No tienes citas próximas. ¿Quieres reservar una?",
        "pt": "Você não tem horários marcados. Quer marcar um?",
        "de": "Du hast keine anstehenden Termine. Möchtest du einen buchen?",
    },
    "prices": {
        "en": "Our services:\n{lines}",
        "es": "Nuestros servicios:\n{lines}",
        "pt": "Nossos serviços:\n{lines}",
        "de": "Unsere Leistungen:\n{lines}",
    },
    "hours": {
        "en": "Our opening hours:\n{lines}",
        "es": "Nuestro horario:\n{lines}",
        "pt": "Nosso horário de funcionamento:\n{lines}",
        "de": "Unsere Öffnungszeiten:\n{lines}",
    },
    "closed": {"en": "closed", "es": "cerrado", "pt": "fechado", "de": "geschlossen"},
    "location": {
        "en": "You'll find {salon} at:\n{address}\n{map}",
        "es": "Encontrarás {salon} en:\n{address}\n{map}",
        "pt": "{salon} fica em:\n{address}\n{map}",
        "de": "Du findest {salon} hier:\n{address}\n{map}",
    },
    "handoff_location": {
        "en": "I'm passing you to a colleague, who will send you directions here shortly.",
        "es": "Te paso con un compañero, que te enviará aquí cómo llegar enseguida.",
        "pt": "Vou passar você para um colega, que vai enviar aqui como chegar em breve.",
        "de": "Ich gebe dich an jemanden aus dem Team weiter, der dir hier gleich den Weg beschreibt.",
    },
    "handoff_complaint": {
        "en": "I'm sorry to hear that. I'm passing this to a colleague, who will answer you here personally.",
        "es": "Siento mucho lo ocurrido. Se lo paso a un compañero, que te responderá aquí personalmente.",
        "pt": "Lamento muito. Vou passar para um colega, que vai responder aqui pessoalmente.",
        "de": "Das tut mir leid. Ich gebe das an jemanden aus dem Team weiter, der dir hier persönlich antwortet.",
    },
    "handoff_late": {
        "en": "Thanks for letting us know! I've told the team; a colleague will confirm here.",
        "es": "¡Gracias por avisar! Ya se lo he dicho al equipo; un compañero te lo confirmará aquí.",
        "pt": "Obrigado por avisar! Já informei a equipe; um colega vai confirmar aqui.",
        "de": "Danke für die Info! Ich habe dem Team Bescheid gegeben; jemand bestätigt es dir hier.",
    },
    "talk_to_person": {
        "en": "Talk to a person",
        "es": "Hablar con alguien",
        "pt": "Falar com alguém",
        "de": "Mit Team sprechen",
    },
    "yes_move": {"en": "Yes, move it", "es": "Sí, cambiar", "pt": "Sim, remarcar", "de": "Ja, verschieben"},
    "yes_cancel": {"en": "Yes, cancel", "es": "Sí, cancelar", "pt": "Sim, cancelar", "de": "Ja, stornieren"},
    "confirm_reschedule": {
        "en": "Move {service} ({code}) from {old} to {when} with {staff}?",
        "es": "¿Cambio {service} ({code}) del {old} al {when} con {staff}?",
        "pt": "Remarco {service} ({code}) de {old} para {when} com {staff}?",
        "de": "{service} ({code}) von {old} auf {when} bei {staff} verschieben?",
    },
    "nothing_pending": {
        "en": "That question is no longer open, so nothing was changed. What would you like to do?",
        "es": "Esa pregunta ya no está abierta, así que no he cambiado nada. ¿Qué quieres hacer?",
        "pt": "Essa pergunta já não está aberta, por isso não alterei nada. O que você quer fazer?",
        "de": "Diese Frage ist nicht mehr offen, daher habe ich nichts geändert. Was möchtest du tun?",
    },
    "handoff": {
        "en": "I'm passing you to a colleague, who will answer here as soon as possible.",
        "es": "Te paso con un compañero, que te responderá aquí lo antes posible.",
        "pt": "Vou passar você para um colega, que vai responder aqui o mais rápido possível.",
        "de": "Ich gebe dich an jemanden aus dem Team weiter, der dir hier so bald wie möglich antwortet.",
    },
    "thanks": {
        "en": "You're welcome! 😊",
        "es": "¡De nada! 😊",
        "pt": "De nada! 😊",
        "de": "Gern geschehen! 😊",
    },
    "unknown": {
        "en": "Sorry, I didn't get that. I can book, move or cancel appointments, or tell you prices, opening hours "
        "and our address.",
        "es": "Perdona, no lo he entendido. Puedo reservar, cambiar o cancelar citas, o darte precios, horarios y "
        "nuestra dirección.",
        "pt": "Desculpe, não entendi. Posso marcar, remarcar ou cancelar horários, ou informar preços, horário de "
        "funcionamento e endereço.",
        "de": "Entschuldige, das habe ich nicht verstanden. Ich kann Termine buchen, verschieben oder stornieren und "
        "dir Preise, Öffnungszeiten und unsere Adresse nennen.",
    },
    "minutes": {"en": "min", "es": "min", "pt": "min", "de": "Min."},
}

WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "pt": ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
}


def t(language: str, key: str, **params) -> str:
    """The phrase ``key`` in ``language`` (English when missing), with ``params`` filled in."""
    table = STRINGS[key]
    return table.get(supported_language(language), table["en"]).format(**params)


def format_when(moment: datetime, language: str, tz=None, *, locale: Locale | None = None) -> str:
    """Weekday, day, month and time in the salon's zone ``tz``, as the customer's ``locale`` writes them (Babel):
    ``Thu, 26 Mar, 15:00`` (en_DE), ``jue, 26 mar, 15:00`` (es_ES), ``Do., 26. März, 15:00`` (de_DE)."""
    return localization.format_when(moment, locale or localization.locale_for(supported_language(language)), tz)


def format_money(amount: Decimal, currency: str, language: str, *, locale: Locale | None = None) -> str:
    """``€1,234.50`` (en_US), ``1.234,50 €`` (de_DE): the customer's ``locale`` (Babel), no float ever."""
    return localization.format_money(amount, currency, locale or localization.locale_for(supported_language(language)))


def clip(text: str, limit: int) -> str:
    """Shorten to WhatsApp's limits (row titles 24, button titles 20 characters)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
