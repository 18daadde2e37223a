"""tests/scenarios/test_transit_gateway.py and test_centralized.py with real packets: a TGW as a
central router, isolated VPCs (with shared services), blackholes, missing return routes, the AZ
restriction, NACLs on TGW subnets, TGW peering us-east-1 <-> eu-west-1, and an inspection VPC
whose appliances (source/destination check off, Linux forwarding on) are watched to see which
one each direction of a flow passes, with appliance mode on and off."""
import pytest

import replay
import test_centralized as centralized
import test_transit_gateway as tgw

KNOWN = {}

CASES = replay.cases(tgw, centralized, known=KNOWN)


@pytest.mark.parametrize("case", CASES)
def test_packets(bench, case):
    bench.check(case)


def test_reset_removed_every_namespace(bench):
    bench.reset()
    assert bench.ever and not bench.leftovers, bench.leftovers
