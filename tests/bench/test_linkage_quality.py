"""The sample's links as the linkage benchmark measures them (bench/linkage.py --sample):
every true link accepted, no false one, no baht counted twice or never (issue 23)."""

import json
from decimal import Decimal

import pytest
from oneplan.flows.defaults import DATA

from bench.linkage import link_quality

INBOX = DATA / "sample" / "inbox"


@pytest.fixture(scope="module")
def quality():
    return link_quality(INBOX, json.loads((INBOX.parent / "expected.json").read_text("utf-8")))


def test_every_true_link_of_the_sample_is_accepted_and_no_false_one(quality):
    assert quality["true"] >= 27
    assert (quality["precision"], quality["recall"]) == (1.0, 1.0)
    assert quality["accepted"] == quality["true"] and quality["review"] == 0


def test_no_baht_of_the_sample_is_counted_twice_or_never(quality):
    assert quality["baht_counted_twice"] == quality["baht_counted_never"] == Decimal(0)


def test_the_measure_can_fail():
    # A sample whose expected links miss one: the accepted link is then a false one.
    expected = json.loads((INBOX.parent / "expected.json").read_text("utf-8"))
    expected["links"] = expected["links"][1:]
    q = link_quality(INBOX, expected)
    assert q["precision"] < 1.0
    assert q["baht_counted_never"] > 0
