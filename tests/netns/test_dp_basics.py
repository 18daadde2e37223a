"""tests/scenarios/test_basics.py's designs with real packets: security groups (ports, group
references, no ingress, no egress), network ACLs (ephemeral ports on either side, rule order, no
NACL within a subnet), a stopped instance, addresses nobody holds."""
import pytest

import replay
import test_basics as scenarios

# vpcd defects found by this suite and reported (case id -> reason, strict).
# Defects found by this suite are listed here (id -> reason) while they are open.
KNOWN = {}

CASES = replay.cases(scenarios, known=KNOWN)


@pytest.mark.parametrize("case", CASES)
def test_packets(bench, case):
    bench.check(case)


def test_reset_removed_every_namespace(bench):
    """POST /_vpcd/reset between scenarios removed every namespace of the scenario before."""
    bench.reset()
    assert bench.ever and not bench.leftovers, bench.leftovers
