"""tests/scenarios/test_peering_guide.py and test_peering_invalid.py with real packets: full
access and specific routes (overlapping peers, longest prefix match, response routing),
cross-account and inter-region peering, transitive and edge-to-edge peering refused, pending and
deleted peerings, SG rules naming a peer VPC's group."""
import pytest

import replay
import test_peering_guide as guide
import test_peering_invalid as invalid

# vpcd defects found by this suite and reported (case id -> reason).
KNOWN = {}

CASES = replay.cases(guide, invalid, known=KNOWN)


@pytest.mark.parametrize("case", CASES)
def test_packets(bench, case):
    bench.check(case)


def test_reset_removed_every_namespace(bench):
    bench.reset()
    assert bench.ever and not bench.leftovers, bench.leftovers
