"""Reading the year's policy and payout tables."""

import pytest

from payouts.policies import PolicyMissing, policy_for_year, scheme_for

pytestmark = pytest.mark.django_db


def test_missing_policy_names_year(policy):
    with pytest.raises(PolicyMissing) as error:
        policy_for_year(1999)

    assert "1999" in error.value.message
    assert error.value.field == "policy_year"


def test_missing_table_names_cause_label(policy):
    policy.schemes.filter(cause="disaster").delete()

    with pytest.raises(PolicyMissing) as error:
        scheme_for(policy.year, "disaster")

    assert "Disaster" in error.value.message
    assert error.value.value == "disaster"
