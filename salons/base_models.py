"""What every app's models are built from besides ``TenantModel``: choices written as a table, and timestamps."""

from __future__ import annotations

import sys

from django.db import models


def text_choices(name: str, values: str, **labels: str) -> type[models.TextChoices]:
    """A ``TextChoices`` with one member per value in ``values`` (separated by spaces), in that order.

    A member is named by its value in upper case and labelled by its value in sentence case (``no_show``:
    ``NO_SHOW``, "No show"), unless ``labels`` gives it another label by name (``NO_SHOW="No-show"``).
    """
    names = [value.upper() for value in values.split()]
    if unknown := sorted(set(labels) - set(names)):
        raise TypeError(f"{name} has no member {', '.join(unknown)} to label")
    members = [
        (member, (value, labels.get(member, value.replace("_", " ").capitalize())))
        for member, value in zip(names, values.split(), strict=True)
    ]
    # As namedtuple() does: the class belongs to the module that calls this, so its members pickle by reference.
    return models.TextChoices(name, members, module=sys._getframe(1).f_globals["__name__"])


class Timestamped(models.Model):
    """When a row was created and when it was last saved."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
