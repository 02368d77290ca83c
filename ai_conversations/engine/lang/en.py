"""English."""

CODE = "en"
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3, "thu": 3,
    "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
RELATIVE_DAYS = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "later today": 0,
    "tomorrow": 1, "tmrw": 1, "tmr": 1, "day after tomorrow": 2, "the day after tomorrow": 2,
}  # fmt: skip
NEXT_BEFORE = ["next", "coming", "this coming"]  # "next Monday": its next occurrence
NEXT_WEEK = ["next week"]  # "next week Wednesday": that weekday of the next calendar week
DAY_MARKERS = ["the", "on the", "on"]  # "the 14th"
PARTS = {
    "morning": ["morning", "in the morning", "this morning"],
    "afternoon": ["afternoon", "in the afternoon", "this afternoon"],
    "evening": ["evening", "tonight", "after work", "this evening", "in the evening"],
}
NOON = ["noon", "midday", "lunchtime", "lunch time"]
AT = ["at", "around", "about", "by", "for"]
AFTER = ["after", "from", "any time after", "anytime after", "later than"]
HALF_PAST = ["half past"]  # "half past two" = 2:30
HOUR_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12,
}  # fmt: skip
GREETINGS_WITH_TIME = ["good morning", "good afternoon", "good evening", "good night"]
DURATION_WORDS = ["min", "mins", "minutes", "minute", "days", "day", "hours", "weeks", "week"]
INTENTS = {
    "talk_to_human": [
        "human", "a person", "real person", "someone", "somebody", "an agent", "staff member", "talk to",
        "speak to", "speak with", "talk with", "call me", "operator", "call me back", "the owner", "the manager",
    ],
    "late": [
        "running late", "running a bit late", "be late", "bit late", "min late", "mins late", "minutes late",
        "stuck in traffic", "late for my appointment", "going to be late", "will be there in", "be there in",
    ],
    "complaint": [
        "complaint", "complain", "not happy", "unhappy", "disappointed", "terrible", "awful", "ruined",
        "came out orange", "went wrong", "refund", "rude", "came out", "turned out", "unacceptable", "broke",
        "broken",
    ],
    "cancel": [
        "cancel", "cancellation", "call off", "won't be able to come", "wont be able to come", "can't come",
        "cant come", "won't need the appointment", "wont need the appointment", "don't need the appointment",
    ],
    "reschedule": [
        "reschedule", "move my", "move the", "move it", "change my", "change the", "postpone", "another time",
        "different time", "later time", "earlier time", "rearrange", "push my", "swap my", "instead",
        "can't make it", "cant make it", "come a bit later", "another day", "suit me better", "put my booking",
        "can we change", "change it",
    ],
    "my_bookings": [
        "my booking", "my bookings", "my appointment", "my appointments", "my reservation", "when is my",
        "do i have", "my next appointment", "am i booked", "booked in for", "what did i book", "check my",
        "anything booked", "have i got",
    ],
    "ask_availability": [
        "available", "availability", "free slot", "free slots", "any slot", "any slots", "any time", "anything free",
        "are you free", "do you have time", "openings", "any space", "got anything", "anything available",
        "room for", "have room",
    ],
    "book": [
        "book", "booking", "appointment", "reserve", "reservation", "schedule", "can i get", "can i come",
        "could i come", "make an appointment",
    ],
    "prices_services": [
        "price", "prices", "cost", "costs", "how much", "services", "menu", "rates", "what do you offer",
        "charge", "price list", "do you do",
    ],
    "opening_hours": [
        "opening hours", "open", "opening", "hours", "close", "closing", "when are you", "what time do you",
    ],
    "location": ["where", "address", "location", "directions", "find you", "parking", "get to the salon"],
    "book_weak": ["i want", "i would like", "i'd like", "id like", "come in", "need a", "looking to"],
    "thanks": ["thanks", "thank you", "thx", "cheers", "great thanks", "ta"],
    "decline": ["no", "nope", "not", "no thanks", "doesn't work", "doesnt work"],
    "confirm": ["yes", "yep", "yeah", "ok", "okay", "sure", "confirm", "perfect", "sounds good", "great", "👍"],
    "greeting": ["hi", "hello", "hey", "good morning", "good afternoon", "good evening", "hiya", "hello there"],
}  # fmt: skip
COMMON_WORDS = (
    "the i you my is are can could would like want book booking appointment tomorrow today please thanks thank "
    "hi hello hey what when where how much with at pm am haircut have do next yes cancel reschedule morning "
    "afternoon evening get any free available prices price hours open address who person human need it on for "
    "there this that sorry late running stuck traffic call someone anything got s open"
)
