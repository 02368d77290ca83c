"""Spanish."""

CODE = "es"
WEEKDAYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip
MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
RELATIVE_DAYS = {
    "hoy": 0, "esta tarde": 0, "esta noche": 0, "esta manana": 0, "manana": 1, "pasado manana": 2,
}  # fmt: skip
NEXT_BEFORE = ["proximo", "proxima", "el proximo"]
NEXT_AFTER = ["que viene"]  # "el miércoles que viene"
NEXT_WEEK = ["la semana que viene", "la proxima semana", "semana que viene"]
DAY_MARKERS = ["el", "al", "del", "el dia", "dia"]
PARTS = {
    "morning": ["por la manana", "de la manana", "en la manana", "esta manana"],
    "afternoon": ["por la tarde", "de la tarde", "en la tarde", "esta tarde", "a la tarde"],
    "evening": ["por la noche", "de noche", "esta noche", "de la noche", "en la noche"],
}
NOON = ["mediodia", "a mediodia"]
AT = ["a las", "a la", "las", "sobre las", "hacia las", "para las"]
AFTER = ["a partir de las", "despues de las", "desde las", "mas tarde de las"]
HOUR_WORDS = {
    "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
    "diez": 10, "once": 11, "doce": 12,
}  # fmt: skip
HALF_AFTER = ["y media"]  # "a las 12 y media" = 12:30
GREETINGS_WITH_TIME = ["buenos dias", "buenas tardes", "buenas noches"]
DURATION_WORDS = ["min", "minutos", "minuto", "dias", "dia", "horas", "semanas"]
INTENTS = {
    "talk_to_human": [
        "humano", "una persona", "alguien", "hablar con", "agente", "llamame", "que me llame", "la duena",
        "el dueno", "el encargado", "la encargada",
    ],
    "late": [
        "llego tarde", "voy tarde", "llegare tarde", "llegar tarde", "un poco tarde", "minutos tarde",
        "atasco", "llego en", "retraso", "con retraso", "de retraso",
    ],
    "complaint": [
        "queja", "reclamacion", "reclamar", "no estoy contenta", "no estoy contento", "decepcionada",
        "decepcionado", "fatal", "horrible", "devolucion", "estropeado", "ha quedado naranja",
        "me ha quedado", "inaceptable", "roto", "rotas", "se me han roto",
    ],
    "cancel": [
        "cancelar", "cancela", "cancelala", "cancelacion", "anular", "anula", "no puedo ir", "no voy a poder ir",
        "ya no necesito",
    ],
    "reschedule": [
        "reprogramar", "cambiar", "cambiarla", "cambia", "mover", "aplazar", "otra hora", "otro dia", "pasarlo",
        "pasarla", "retrasar", "adelantar", "cambiar la cita", "buscar otro", "cambias", "me vendria mejor",
        "pasar mi cita", "pasar la cita",
    ],
    "my_bookings": [
        "mi cita", "mis citas", "mi reserva", "mis reservas", "tengo cita", "mi proxima cita", "tengo la cita",
        "tengo hora", "tengo alguna cita", "algo reservado", "tengo algo",
    ],
    "ask_availability": [
        "disponible", "disponibilidad", "libre", "libres", "hueco", "huecos", "hay hora", "tienes hora",
        "teneis hueco", "algo a las", "sitio", "teneis sitio",
    ],
    "book": [
        "cita", "reservar", "reserva", "agendar", "pedir hora", "marcar", "pedir cita", "dar hora", "me podeis dar",
    ],
    "prices_services": [
        "precio", "precios", "cuanto", "cuesta", "servicios", "tarifa", "tarifas", "lista de precios", "valen",
    ],
    "opening_hours": [
        "horario", "horarios", "abren", "abris", "abierto", "abiertos", "cierran", "cerrais", "a que hora",
    ],
    "location": ["donde", "direccion", "ubicacion", "como llego", "aparcamiento", "aparcar"],
    "book_weak": ["quiero", "quisiera", "me gustaria", "queria", "necesito"],
    "thanks": ["gracias", "muchas gracias", "mil gracias"],
    "decline": ["no", "no gracias", "no me viene bien"],
    "confirm": ["si", "vale", "claro", "perfecto", "confirmo", "confirmar", "de acuerdo", "dale"],
    "greeting": ["hola", "buenos dias", "buenas tardes", "buenas noches", "buenas"],
}  # fmt: skip
COMMON_WORDS = (
    "el la los las que quiero quisiera una cita hola gracias manana hoy por favor puedo tienes tienen horario "
    "viernes lunes martes miercoles jueves corte pelo si reservar cuanto cuesta donde cuando esta mi mis "
    "tarde noche semana buenos buenas dias precio precios necesito hablar persona direccion abren hay hueco "
    "y es del al para con cambiar teneis podeis estais abris cerrais vale llego tengo alguna algun me te lo "
    "siento ayer cancela perdon pasado proxima proximo queria podria puedes hombre mujer senora"
)
