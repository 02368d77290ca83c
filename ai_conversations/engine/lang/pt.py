"""Portuguese."""

CODE = "pt"
WEEKDAYS = {
    "segunda": 0, "segunda-feira": 0, "terca": 1, "terca-feira": 1, "quarta": 2, "quarta-feira": 2, "quinta": 3,
    "quinta-feira": 3, "sexta": 4, "sexta-feira": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip
MONTHS = {
    "janeiro": 1, "fevereiro": 2, "marco": 3, "abril": 4, "maio": 5, "junho": 6, "julho": 7, "agosto": 8,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
}  # fmt: skip
RELATIVE_DAYS = {"hoje": 0, "amanha": 1, "depois de amanha": 2}
NEXT_BEFORE = ["proxima", "proximo"]
NEXT_AFTER = ["que vem"]  # "segunda que vem"
NEXT_WEEK = ["semana que vem", "proxima semana"]
DAY_MARKERS = ["dia", "no dia", "o dia", "para dia"]
PARTS = {
    "morning": ["de manha", "pela manha", "a manha", "manha"],
    "afternoon": ["a tarde", "de tarde", "pela tarde", "da tarde"],
    "evening": ["a noite", "de noite", "da noite", "pela noite"],
}
NOON = ["meio dia", "meio-dia", "ao meio dia", "ao meio-dia"]
AT = ["as", "a", "pelas", "para as", "por volta das"]
AFTER = ["depois das", "a partir das", "apos as"]
HOUR_WORDS = {
    "uma": 1, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6, "sete": 7, "oito": 8, "nove": 9,
    "dez": 10, "onze": 11, "doze": 12,
}  # fmt: skip
HALF_AFTER = ["e meia"]  # "ao meio-dia e meia" = 12:30
GREETINGS_WITH_TIME = ["bom dia", "boa tarde", "boa noite"]
DURATION_WORDS = ["min", "minutos", "minuto", "dias", "dia", "horas", "semanas"]
INTENTS = {
    "talk_to_human": [
        "uma pessoa", "alguem", "falar com", "atendente", "me liga", "me ligar", "a dona", "o dono", "humano",
    ],
    "late": [
        "atrasado", "atrasada", "atrasar", "minutos atrasado", "minutos atrasada", "me atrasar", "transito",
        "chego em",
    ],
    "complaint": [
        "reclamacao", "nao gostei", "insatisfeito", "insatisfeita", "pessimo", "horrivel", "estragou", "reembolso",
        "ficou laranja", "ficou horrivel", "inaceitavel", "quebraram", "quebrou",
    ],
    "cancel": [
        "cancelar", "cancela", "cancelamento", "desmarcar", "nao posso ir", "nao vou poder ir", "nao preciso mais",
    ],
    "reschedule": [
        "remarcar", "reagendar", "mudar", "muda", "adiar", "outro horario", "outro dia", "trocar", "passar a",
        "passar o", "passar meu", "passar para", "mudar para", "trocar pra", "seria melhor", "passar a minha",
    ],
    "my_bookings": [
        "meu agendamento", "meus agendamentos", "minha marcacao", "minhas marcacoes", "minha reserva",
        "meu horario", "tenho horario", "meu proximo horario", "os meus agendamentos", "tenho alguma marcacao",
        "ficou o meu horario", "o meu horario", "alguma coisa marcada", "tenho algo marcado",
    ],
    "ask_availability": [
        "disponivel", "disponibilidade", "vaga", "vagas", "horario livre", "tem horario", "livre", "sobrou",
        "tem algo", "tem lugar", "lugar",
    ],
    "book": ["agendar", "marcar", "agendamento", "marcar um horario", "encaixar", "reservar"],
    "prices_services": [
        "preco", "precos", "quanto", "custa", "servicos", "valor", "tabela de precos", "quanto fica",
    ],
    "opening_hours": [
        "horario de funcionamento", "abrem", "aberto", "abertos", "fecham", "que horas", "voces abrem",
    ],
    "location": ["onde", "endereco", "localizacao", "como chego", "estacionamento", "onde fica"],
    "book_weak": ["quero", "queria", "gostaria", "preciso de", "da pra"],
    "thanks": ["obrigado", "obrigada", "valeu", "muito obrigado", "muito obrigada"],
    "decline": ["nao", "nao obrigado", "nao obrigada", "nao da"],
    "confirm": ["sim", "pode ser", "certo", "perfeito", "confirmado", "fechado", "combinado", "beleza"],
    "greeting": ["ola", "oi", "bom dia", "boa tarde", "boa noite"],
}  # fmt: skip
COMMON_WORDS = (
    "o os as quero queria uma um marcar ola oi obrigado obrigada amanha hoje voce voces tem horario sexta "
    "segunda terca quarta quinta sim agendar quanto custa onde quando meu minha meus minhas nao cabelo corte "
    "tarde noite semana bom boa dia preco precos preciso falar pessoa endereco abrem vaga e do da para com "
    "mudar remarcar pra pode ficou alguem ligar favor desculpa vou consigo chego estou transito posso dar "
    "trocar fazer gostei nada ontem algum alguma sobrou masculino feminino pintar luzes escova unhas"
)
