"""German."""

CODE = "de"
WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonnabend": 5,
    "sonntag": 6,
}  # fmt: skip
MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6,
    "juli": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
RELATIVE_DAYS = {"heute": 0, "heute abend": 0, "heute nachmittag": 0, "morgen": 1, "ubermorgen": 2}
NEXT_BEFORE = ["nachsten", "nachste", "kommenden", "kommende"]
NEXT_WEEK = ["nachste woche", "kommende woche", "nachster woche"]
DAY_MARKERS = ["den", "am", "dem"]
PARTS = {
    "morning": ["vormittag", "vormittags", "morgens", "am morgen", "fruh"],
    "afternoon": ["nachmittag", "nachmittags"],
    "evening": ["abend", "abends", "feierabend"],
}
NOON = ["mittag", "mittags", "zu mittag"]
AT = ["um", "gegen", "so um", "so gegen"]
AFTER = ["ab", "nach", "ab spatestens"]
HALF_PAST = ["halb"]  # "halb drei" = 2:30 (half to three)
HOUR_WORDS = {
    "eins": 1, "ein": 1, "zwei": 2, "drei": 3, "vier": 4, "funf": 5, "sechs": 6, "sieben": 7, "acht": 8,
    "neun": 9, "zehn": 10, "elf": 11, "zwolf": 12,
}  # fmt: skip
GREETINGS_WITH_TIME = ["guten morgen", "guten abend", "guten tag", "gute nacht"]
DURATION_WORDS = ["min", "minuten", "minute", "tagen", "tage", "tag", "stunden", "wochen"]
INTENTS = {
    "talk_to_human": [
        "mensch", "menschen", "mitarbeiter", "jemand", "jemandem", "sprechen", "person sprechen", "ruf mich an",
        "zuruckrufen", "die chefin", "den chef",
    ],
    "late": [
        "verspate", "verspaten", "verspatung", "spater kommen", "komme spater", "im stau", "komme etwas spater",
        "bin in", "zu spat",
    ],
    "complaint": [
        "beschwerde", "beschweren", "unzufrieden", "enttauscht", "schrecklich", "ruiniert", "geld zuruck",
        "reklamation", "reklamieren", "orange geworden", "ist orange", "geht gar nicht", "abgebrochen",
        "inakzeptabel",
    ],
    "cancel": [
        "stornieren", "storniere", "storniert", "storno", "absagen", "sage ab", "abbestellen", "streichen",
        "nicht mehr", "kann leider nicht kommen",
    ],
    "reschedule": [
        "verschieben", "verlegen", "umbuchen", "andern", "anderen termin", "andere zeit", "umlegen", "legen",
        "stattdessen", "statt dessen", "klappt bei mir nicht", "schieben", "ware mir lieber",
    ],
    "my_bookings": [
        "mein termin", "meine termine", "meinen termin", "meine buchung", "meine buchungen", "habe ich",
        "mein nachster termin", "bin ich eingetragen", "etwas gebucht", "was gebucht",
    ],
    "ask_availability": [
        "frei", "freie", "freien", "verfugbar", "noch platz", "zeit fur", "was frei", "noch was", "zeit furs",
        "moglich", "platz",
    ],
    "book": ["termin", "buchen", "reservieren", "einen termin", "kommen"],
    "prices_services": [
        "preis", "preise", "kostet", "kosten", "leistungen", "angebot", "was bietet", "preisliste", "wie teuer",
        "was nehmt ihr",
    ],
    "opening_hours": [
        "offnungszeiten", "geoffnet", "offen", "schliessen", "wann habt", "wann haben sie", "macht ihr",
        "offnet", "wann macht", "wie lange habt", "auf haben",
    ],
    "location": ["wo", "adresse", "anfahrt", "wo seid", "wo sind", "standort", "parkplatze", "wie komme"],
    "book_weak": ["mochte", "hatte gern", "wurde gern", "brauche"],
    "thanks": ["danke", "vielen dank", "dankeschon"],
    "decline": ["nein", "lieber nicht", "nein danke", "passt mir nicht"],
    "confirm": ["ja", "genau", "passt", "gerne", "bestatigen", "einverstanden", "super", "klar"],
    "greeting": ["hallo", "guten tag", "guten morgen", "guten abend", "moin", "servus", "gruss gott"],
}  # fmt: skip
COMMON_WORDS = (
    "der die das und ich mochte einen einem eine termin hallo danke morgen heute bitte fur mit wie viel wo "
    "wann kann haben sie offnungszeiten montag dienstag mittwoch donnerstag freitag samstag sonntag "
    "haarschnitt ja nein buchen stornieren absagen verschieben um uhr mein meine ist nicht guten tag "
    "vielen preis preise kostet adresse mensch mitarbeiter habt frei gibt es noch ihr bin im stau mich "
    "gern hatte wurde ab den am zum was schon kommen leider bei euch dir du meinen bis woche nachste"
)
