"""The scoping mechanism: scoped managers follow the salon in scope and refuse to run without one."""

import pytest

from salons.models import Customer
from salons.tenancy import NoSalonInScope, salon_scope
from salons.tests.factories import CustomerFactory, SalonFactory

pytestmark = pytest.mark.django_db


def test_default_manager_outside_any_scope_raises():
    CustomerFactory()
    with pytest.raises(NoSalonInScope):
        Customer.objects.count()
    with pytest.raises(NoSalonInScope):
        list(Customer.objects.filter(name="x"))


def test_scoped_manager_returns_only_the_salon_in_scope():
    a, b = SalonFactory(), SalonFactory()
    mine = CustomerFactory(salon=a)
    CustomerFactory(salon=b)
    with salon_scope(a):
        assert list(Customer.objects.values_list("pk", flat=True)) == [mine.pk]
    with salon_scope(b):
        assert not Customer.objects.filter(pk=mine.pk).exists()


def test_queryset_built_before_the_scope_follows_the_scope_when_evaluated():
    a, b = SalonFactory(), SalonFactory()
    CustomerFactory(salon=a)
    lazy = Customer.objects.all()
    with salon_scope(b):
        assert lazy.count() == 0
    with salon_scope(a):
        assert lazy.count() == 1


def test_save_inside_scope_stamps_the_salon_and_refuses_another_salons_row():
    a, b = SalonFactory(), SalonFactory()
    with salon_scope(a):
        customer = Customer.objects.create(phone="+4915112345678")
        assert customer.salon_id == a.pk
        foreign = Customer(salon=b, phone="+4915112345679")
        with pytest.raises(NoSalonInScope):
            foreign.save()
    assert Customer.all_salons.filter(salon=b).count() == 0


def test_scoped_views_cannot_override_the_scoping():
    from salons.tenancy.api import SalonScopedAPIView, SalonScopedViewSet

    for name in ("get_queryset", "initial", "dispatch"):
        with pytest.raises(TypeError, match=name):
            type("Sneaky", (SalonScopedViewSet,), {name: lambda self, *a, **k: None})
        with pytest.raises(TypeError, match=name):
            type("Sneaky", (SalonScopedAPIView,), {name: lambda self, *a, **k: None})


def test_salon_task_runs_inside_the_salons_scope_and_skips_unknown_salons():
    from salons.tenancy import current_salon, salon_task

    a = SalonFactory()
    CustomerFactory(salon=a)

    @salon_task
    def count_customers(*, salon_id):
        assert current_salon().pk == a.pk
        return Customer.objects.count()

    assert count_customers(salon_id=str(a.pk)) == 1
    assert count_customers(salon_id="00000000-0000-0000-0000-000000000000") is None
    with pytest.raises(NoSalonInScope):
        Customer.objects.count()  # the scope ended with the task
