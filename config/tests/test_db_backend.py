"""The database backend: persistent connections are health-checked only after they idled, not on every request."""

import pytest
from django.db import connections


@pytest.fixture
def pings(monkeypatch):
    wrapper_class = type(connections["default"])
    real, calls = wrapper_class.is_usable, []

    def counting(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(wrapper_class, "is_usable", counting)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_connection_used_a_moment_ago_is_not_pinged_but_an_idle_one_is(pings, settings):
    wrapper = connections["default"]
    wrapper.health_check_enabled = True
    wrapper.ensure_connection()

    wrapper.close_if_unusable_or_obsolete()  # a request ends
    wrapper.close_if_health_check_failed()  # the next one starts right away
    assert pings == []

    settings.DB_HEALTH_CHECK_AFTER_IDLE_SECONDS = 0.0  # every connection counts as idle
    wrapper.close_if_unusable_or_obsolete()
    wrapper.close_if_health_check_failed()
    assert pings == [1]
    assert wrapper.connection is not None  # usable, so kept
