"""Secondary private IPv4 addresses through the data plane (issue 5: an instance's namespace
holds its secondary IPs): the instance's eth0 carries every address of its interface with the
subnet's prefix length, an instance of another subnet reaches each of them, and an address
assigned or unassigned through the API appears on or leaves eth0 within a second, packets
following it.

    VPC 10.42.0.0/16 (default SG: icmp from 10.42.0.0/16)
     subnet 10.42.1.0/24                      subnet 10.42.2.0/24
       a: 10.42.1.10 primary,                   b: 10.42.2.10
          10.42.1.11 and 10.42.1.12 secondary
"""
import subprocess
import time

import pytest

import replay

A_IPS = ["10.42.1.10", "10.42.1.11", "10.42.1.12"]
B_IP = "10.42.2.10"


def design(w):
    ec2 = w.ec2()
    v = w.vpc("10.42.0.0/16")
    sn_a = ec2.create_subnet(VpcId=v, CidrBlock="10.42.1.0/24",
                             AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    sn_b = ec2.create_subnet(VpcId=v, CidrBlock="10.42.2.0/24",
                             AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    ec2.authorize_security_group_ingress(GroupId=w.default_sg(v), IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
         "IpRanges": [{"CidrIp": "10.42.0.0/16"}]}])
    ep = {"vpc": v, "sn_a": sn_a}
    specs = {
        "a": [{"DeviceIndex": 0, "SubnetId": sn_a, "PrivateIpAddresses": [
            {"PrivateIpAddress": A_IPS[0], "Primary": True},
            {"PrivateIpAddress": A_IPS[1], "Primary": False},
            {"PrivateIpAddress": A_IPS[2], "Primary": False}]}],
        "b": [{"DeviceIndex": 0, "SubnetId": sn_b, "PrivateIpAddress": B_IP}],
    }
    for name, nics in specs.items():
        r = ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1,
                              MaxCount=1, NetworkInterfaces=nics)["Instances"][0]
        iid = r["InstanceId"]
        replay.ledger("ns", iid)
        w.created.append(iid)
        ep[name] = iid
        ep[name + "_eni"] = r["NetworkInterfaces"][0]["NetworkInterfaceId"]
    return ep


def eth0_v4(ns):
    """The IPv4 addresses of eth0 in ns, as "addr/len" strings in the order ip lists them."""
    out = subprocess.run(["ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0"],
                         capture_output=True, text=True, timeout=10).stdout
    return [line.split()[3] for line in out.splitlines() if " inet " in line]


def ping(ns, addr):
    return replay.ping(ns, addr)[0]


def wait_for(pred, limit):
    """Seconds until pred() held (polling every 20 ms), or None after `limit` seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if pred():
            return time.monotonic() - t0
        time.sleep(0.02)
    return None


@pytest.fixture(scope="module")
def net(bench):
    ep = bench.build(design)
    # The namespaces appear when vpcd's data plane syncs after the launch.
    assert wait_for(lambda: len(eth0_v4(ep["a"])) == 3 and eth0_v4(ep["b"]), 10) is not None, \
        (eth0_v4(ep["a"]), eth0_v4(ep["b"]))
    # The first packet may wait for neighbour resolution.
    wait_for(lambda: ping(ep["b"], A_IPS[0]), 5)
    return ep


def test_eth0_holds_every_address_with_the_subnet_prefix(net):
    assert sorted(eth0_v4(net["a"])) == sorted(f"{a}/24" for a in A_IPS)
    assert eth0_v4(net["b"]) == [f"{B_IP}/24"]


def test_other_subnet_reaches_each_address(net):
    for addr in A_IPS:
        assert ping(net["b"], addr), addr
    # And a answers from the secondary address it was asked at (the reply passes the
    # source/destination check because the address is the interface's).
    out = subprocess.run(["ip", "netns", "exec", net["a"], "ping", "-n", "-c1", "-W1", "-I",
                          A_IPS[2], B_IP], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stdout + out.stderr


def test_assigned_address_appears_within_a_second(bench, net):
    ec2 = bench.w.ec2()
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=net["a_eni"],
                                        SecondaryPrivateIpAddressCount=1)
    new = [x["PrivateIpAddress"] for x in r["AssignedPrivateIpAddresses"]]
    assert new == ["10.42.1.4"]
    took = wait_for(lambda: "10.42.1.4/24" in eth0_v4(net["a"]), 1.0)
    assert took is not None, eth0_v4(net["a"])
    replay.LIVE["secondary ip assigned, on eth0 after (s)"] = round(took, 3)
    assert wait_for(lambda: ping(net["b"], "10.42.1.4"), 3) is not None


def test_unassigned_address_leaves_eth0_and_pings_fail(bench, net):
    ec2 = bench.w.ec2()
    gone = A_IPS[2]
    assert ping(net["b"], gone)
    before = bench.vpcd.metrics()
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=net["a_eni"],
                                      PrivateIpAddresses=[gone])
    took = wait_for(lambda: f"{gone}/24" not in eth0_v4(net["a"]), 1.0)
    assert took is not None, eth0_v4(net["a"])
    replay.LIVE["secondary ip unassigned, off eth0 after (s)"] = round(took, 3)
    assert sorted(eth0_v4(net["a"])) == sorted(f"{a}/24" for a in (A_IPS[0], A_IPS[1],
                                                                    "10.42.1.4"))
    assert not ping(net["b"], gone)
    assert not ping(net["b"], gone)
    after = bench.vpcd.metrics()
    moved = {k: after.get(k, 0) - before.get(k, 0) for k in after
             if k.startswith("vpcd_dp_drops_total") and after.get(k, 0) != before.get(k, 0)}
    assert moved, "the pings to the unassigned address were not dropped by vpcd"
    # The addresses that stay still answer.
    for addr in (A_IPS[0], A_IPS[1], "10.42.1.4"):
        assert ping(net["b"], addr), addr
