"""Intent classification by keyword tables (all four languages at once, so a wrong language guess still works)."""

from __future__ import annotations

from ai_conversations.engine.text import keyword_regex, normalize
from ai_conversations.models import Intent

# Checked in this order: the first intent with a hit wins (a request to cancel beats a greeting in the same message).
_TABLE: list[tuple[str, list[str]]] = [
    (
        Intent.TALK_TO_HUMAN,
        [
            "human", "a person", "real person", "someone", "somebody", "an agent", "staff member", "talk to",
            "speak to", "speak with", "talk with", "call me", "operator",
            "humano", "una persona", "alguien", "hablar con", "agente", "llamame",
            "uma pessoa", "alguem", "falar com", "atendente", "me liga",
            "mensch", "mitarbeiter", "jemand", "jemandem", "sprechen", "person sprechen", "ruf mich an",
        ],
    ),
    (
        Intent.CANCEL,
        [
            "cancel", "cancellation", "call off", "cant make it", "can't make it",
            "cancelar", "cancela", "cancelacion", "anular", "no puedo ir",
            "cancelamento", "desmarcar", "nao posso ir",
            "stornieren", "storniere", "storno", "absagen", "sage ab", "abbestellen",
        ],
    ),
    (
        Intent.RESCHEDULE,
        [
            "reschedule", "move my", "move the", "change my", "change the", "postpone", "another time",
            "different time", "later time", "earlier time",
            "reprogramar", "cambiar", "mover", "aplazar", "otra hora", "otro dia",
            "remarcar", "reagendar", "mudar", "adiar", "outro horario", "outro dia",
            "verschieben", "verlegen", "umbuchen", "andern", "anderen termin", "andere zeit",
        ],
    ),
    (
        Intent.MY_BOOKINGS,
        [
            "my booking", "my bookings", "my appointment", "my appointments", "my reservation", "when is my",
            "do i have",
            "mi cita", "mis citas", "mi reserva", "mis reservas", "tengo cita",
            "meu agendamento", "meus agendamentos", "minha marcacao", "minhas marcacoes", "minha reserva",
            "meu horario", "tenho horario",
            "mein termin", "meine termine", "meinen termin", "meine buchung", "meine buchungen", "habe ich",
        ],
    ),
    (
        Intent.ASK_AVAILABILITY,
        [
            "available", "availability", "free slot", "free slots", "any slot", "any slots", "any time",
            "anything free", "are you free", "do you have time", "openings",
            "disponible", "disponibilidad", "libre", "hueco", "huecos", "hay hora", "tienes hora",
            "disponivel", "disponibilidade", "vaga", "vagas", "horario livre", "tem horario",
            "frei", "freie", "verfugbar", "noch platz", "zeit fur",
        ],
    ),
    (
        Intent.BOOK,
        [
            "book", "booking", "appointment", "reserve", "reservation", "schedule", "can i get", "can i come",
            "cita", "reservar", "reserva", "agendar", "pedir hora", "marcar", "agendamento",
            "termin", "buchen", "reservieren", "einen termin",
        ],
    ),
    (
        Intent.PRICES_SERVICES,
        [
            "price", "prices", "cost", "costs", "how much", "services", "menu", "rates", "what do you offer",
            "precio", "precios", "cuanto", "cuesta", "servicios", "tarifa", "tarifas",
            "preco", "precos", "quanto", "custa", "servicos", "valor",
            "preis", "preise", "kostet", "kosten", "leistungen", "angebot", "was bietet",
        ],
    ),
    (
        Intent.OPENING_HOURS,
        [
            "opening hours", "open", "opening", "hours", "close", "closing", "when are you",
            "horario", "horarios", "abren", "abierto", "abiertos", "cierran", "a que hora",
            "abrem", "aberto", "abertos", "fecham", "que horas",
            "offnungszeiten", "geoffnet", "offen", "schliessen", "wann habt", "wann haben sie",
        ],
    ),
    (
        Intent.LOCATION,
        [
            "where", "address", "location", "directions", "find you", "parking",
            "donde", "direccion", "ubicacion", "como llego",
            "onde", "endereco", "localizacao", "como chego",
            "wo", "adresse", "anfahrt", "wo seid", "wo sind", "standort",
        ],
    ),
    (
        # Wanting something is booking only when nothing more specific was asked ("I want to know your prices").
        Intent.BOOK,
        [
            "i want", "i would like", "i'd like", "id like", "come in", "quiero", "quisiera", "me gustaria",
            "quero", "queria", "gostaria", "mochte", "hatte gern",
        ],
    ),
    (
        Intent.THANKS,
        [
            "thanks", "thank you", "thx", "cheers", "great thanks",
            "gracias", "muchas gracias", "obrigado", "obrigada", "valeu", "danke", "vielen dank", "dankeschon",
        ],
    ),
    (
        Intent.DECLINE,
        ["no", "nope", "not", "no thanks", "nao", "nein", "lieber nicht", "no gracias"],
    ),
    (
        Intent.CONFIRM,
        [
            "yes", "yep", "yeah", "ok", "okay", "sure", "confirm", "perfect", "sounds good",
            "si", "vale", "claro", "perfecto", "confirmo", "confirmar",
            "sim", "pode ser", "certo", "perfeito", "confirmado",
            "ja", "genau", "passt", "gerne", "bestatigen", "einverstanden",
        ],
    ),
    (
        Intent.GREETING,
        [
            "hi", "hello", "hey", "good morning", "good afternoon", "good evening", "hiya",
            "hola", "buenos dias", "buenas tardes", "buenas noches", "buenas",
            "ola", "oi", "bom dia", "boa tarde", "boa noite",
            "hallo", "guten tag", "guten morgen", "guten abend", "moin", "servus", "gruss gott",
        ],
    ),
]  # fmt: skip

# Messages a person must answer, whatever else they say: checked before the intents.
_HANDOFF: list[tuple[str, list[str]]] = [
    (
        "late",
        [
            "running late", "running a bit late", "be late", "bit late", "min late", "mins late", "minutes late",
            "stuck in traffic", "late for my appointment",
            "llego tarde", "voy tarde", "llegare tarde", "llegar tarde", "un poco tarde", "minutos tarde",
            "atrasado", "atrasada", "atrasar", "minutos atrasado", "minutos atrasada",
            "verspate", "verspaten", "verspatung", "spater kommen", "komme spater", "im stau",
        ],
    ),
    (
        "complaint",
        [
            "complaint", "complain", "not happy", "unhappy", "disappointed", "terrible", "awful", "ruined",
            "came out orange", "went wrong", "refund", "rude",
            "queja", "reclamacion", "reclamar", "no estoy contenta", "no estoy contento", "decepcionada",
            "decepcionado", "fatal", "horrible", "me quedo", "devolucion", "estropeado",
            "reclamacao", "nao gostei", "insatisfeito", "insatisfeita", "pessimo", "horrivel",
            "estragou", "reembolso",
            "beschwerde", "beschweren", "unzufrieden", "enttauscht", "schrecklich", "ruiniert", "geld zuruck",
            "reklamation", "reklamieren",
        ],
    ),
]  # fmt: skip

_COMPILED = [(intent, keyword_regex(keywords)) for intent, keywords in _TABLE]


_HANDOFF_COMPILED = [(kind, keyword_regex(keywords)) for kind, keywords in _HANDOFF]


def handoff_kind(text: str) -> str | None:
    """ "complaint" or "late" when the message needs a person for that reason, else None."""
    normalized = normalize(text)
    return next((kind for kind, pattern in _HANDOFF_COMPILED if pattern.search(normalized)), None)


def matched_intents(text: str) -> list[str]:
    """Every intent with a keyword in the text, in priority order."""
    normalized = normalize(text)
    return [intent for intent, pattern in _COMPILED if pattern.search(normalized)]


def classify_intent(text: str, *, has_service: bool = False, has_when: bool = False) -> str:
    """The message's intent; a service or a date/time on its own means the customer wants to book."""
    found = matched_intents(text)
    if not found:
        if has_service or has_when:
            return Intent.BOOK
        return Intent.UNKNOWN
    intent = found[0]
    # "Hi, do you have a haircut on Friday?": the entities carry the meaning, the greeting does not.
    if intent in (Intent.GREETING, Intent.THANKS, Intent.CONFIRM, Intent.DECLINE) and (has_service or has_when):
        return Intent.BOOK
    return intent
