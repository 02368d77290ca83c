"""Which of the supported languages (en/es/pt/de) a message is written in, by keyword scoring (no network)."""

from __future__ import annotations

from ai_conversations.engine.text import normalize, words

SUPPORTED = ("en", "es", "pt", "de")


# Distinctive everyday words (accent-free). Words shared by two languages simply score for both.
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_KEYWORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        "the i you my is are can could would like want book booking appointment tomorrow today please thanks thank "
        "hi hello hey what when where how much with at pm am haircut have do next yes cancel reschedule morning "
        "afternoon evening get any free available prices price hours open address who person human need"
    ),
    "es": _wordset(
        "el la los las que quiero quisiera una cita hola gracias manana hoy por favor puedo tienes tienen horario "
        "viernes lunes martes miercoles jueves corte pelo si reservar cuanto cuesta donde cuando esta mi mis "
        "tarde noche semana buenos buenas dias precio precios necesito hablar persona direccion abren hay hueco "
        "y es del al para con cambiar"
    ),
    "pt": _wordset(
        "o os as quero queria uma um marcar ola oi obrigado obrigada amanha hoje voce voces tem horario sexta "
        "segunda terca quarta quinta sim agendar quanto custa onde quando meu minha meus minhas nao cabelo corte "
        "tarde noite semana bom boa dia preco precos preciso falar pessoa endereco abrem vaga e do da para com "
        "mudar remarcar"
    ),
    "de": _wordset(
        "der die das und ich mochte einen einem eine termin hallo danke morgen heute bitte fur mit wie viel wo "
        "wann kann haben sie offnungszeiten montag dienstag mittwoch donnerstag freitag samstag sonntag "
        "haarschnitt ja nein buchen stornieren absagen verschieben um uhr mein meine ist nicht guten tag "
        "vielen preis preise kostet adresse mensch mitarbeiter habt frei gibt es noch"
    ),
}
# Letters that only one of the languages uses.
_LETTERS = {"es": "ñ¿¡", "pt": "ãõç", "de": "äöüß"}


def language_scores(text: str) -> dict[str, int]:
    tokens = words(text)
    lowered = (text or "").lower()
    scores = {lang: sum(1 for t in tokens if t in keys) for lang, keys in _KEYWORDS.items()}
    for lang, letters in _LETTERS.items():
        scores[lang] += 2 * sum(lowered.count(ch) for ch in letters)
    return scores


def detect_language(text: str, fallback: str = "en") -> str:
    """The clearly best-scoring language, else ``fallback`` (the conversation's or customer's language)."""
    fallback = fallback if fallback in SUPPORTED else "en"
    scores = language_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, best_score), (_, second_score) = ranked[0], ranked[1]
    if best_score == 0:
        return fallback
    if best_score == second_score:
        # A tie that includes the fallback keeps the fallback; any other tie is no evidence either.
        return fallback
    return best


def supported_language(code: str | None, default: str = "en") -> str:
    code = normalize(code or "")[:2]
    return code if code in SUPPORTED else default
