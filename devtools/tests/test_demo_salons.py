"""The salons demo seed: people of every role and a few customers, idempotent."""

import io

import pytest

from devtools.demo import salons as demo
from salons.models import Customer, Membership
from salons.tenancy import salon_scope

pytestmark = pytest.mark.django_db


def test_seed_twice_gives_the_same_rows(salon):
    with salon_scope(salon):
        demo.seed(salon=salon, stdout=io.StringIO())
        demo.seed(salon=salon, stdout=io.StringIO())
        assert sorted(Membership.objects.values_list("role", flat=True)) == ["manager", "staff", "viewer"]
        assert Customer.objects.count() == 2
