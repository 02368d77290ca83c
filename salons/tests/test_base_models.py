"""Choices written as a table: names and labels follow from the values, a given label wins, members pickle."""

import pickle

import pytest

from bookings.models import BookingStatus
from salons.base_models import text_choices
from webhooks.models import EventStatus


def test_members_are_named_by_the_value_in_upper_case_and_labelled_in_sentence_case():
    assert EventStatus.choices[3] == ("partially_failed", "Partially failed")
    assert EventStatus.PARTIALLY_FAILED == "partially_failed"
    assert EventStatus.values == ["received", "processing", "processed", "partially_failed", "failed", "ignored"]


def test_a_label_given_by_name_replaces_the_derived_one():
    assert BookingStatus.NO_SHOW.label == "No-show"
    assert BookingStatus.PENDING.label == "Pending"


def test_a_label_for_a_member_that_does_not_exist_is_refused():
    with pytest.raises(TypeError, match="NO_SHOW"):
        text_choices("Status", "pending done", NO_SHOW="No-show")


def test_members_belong_to_the_module_that_declares_them_and_pickle_by_reference():
    assert EventStatus.__module__ == "webhooks.models"
    assert pickle.loads(pickle.dumps(BookingStatus.NO_SHOW)) is BookingStatus.NO_SHOW
