"""Secrets at rest: MultiFernet over FIELD_ENCRYPTION_KEYS (newest first), and a value type that never prints itself."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    return fernet().decrypt(ciphertext.encode()).decode()


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the newest key (the first in FIELD_ENCRYPTION_KEYS)."""
    return fernet().rotate(ciphertext.encode()).decode()


class Secret:
    """A decrypted secret; ``str()``/``repr()`` are masked so it cannot leak through logs, errors or templates."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __str__(self) -> str:
        return "********" if self._value else ""

    __repr__ = __str__


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees a ``Secret`` (or None)."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return None
        try:
            return Secret(decrypt(value))
        except InvalidToken as exc:
            raise InvalidToken(
                f"{self.model.__name__}.{self.name} cannot be decrypted with FIELD_ENCRYPTION_KEYS"
            ) from exc

    def to_python(self, value):
        if value is None or isinstance(value, Secret):
            return value
        return Secret(str(value))

    def get_prep_value(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, Secret):
            value = value.reveal()
        return encrypt(str(value))

    def value_to_string(self, obj) -> str:
        return ""  # never serialised (dumpdata, admin history)
