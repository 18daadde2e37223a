"""Instances' interfaces follow the instance's life (issue 5): Stop takes the links down and
Start brings them back with their addresses and default route; a network interface attached
to a running instance appears in its namespace as eth<device index>, with the interface's MAC
and address, and goes when it is detached; Terminate removes the namespace.

    VPC 10.50.0.0/16: subnet 10.50.1.0/24 holds A (10.50.1.10) and B (10.50.1.20);
    every instance in the default group, which admits icmp from the VPC.
"""
import subprocess
import time

import pytest

import replay


def design(w):
    ec2 = w.ec2()
    v = w.vpc("10.50.0.0/16")
    sn = w.subnet(v, "10.50.1.0/24")
    sg = w.default_sg(v)
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
         "IpRanges": [{"CidrIp": "10.50.0.0/16"}]}])
    return {"subnet": sn, "sg": sg, "a": w.instance(sn, "10.50.1.10"),
            "b": w.instance(sn, "10.50.1.20")}


def ping(ns, ip):
    return subprocess.run(["ip", "netns", "exec", ns, "ping", "-c1", "-W1", ip],
                          capture_output=True).returncode == 0


def link(ns, dev):
    r = subprocess.run(["ip", "-n", ns, "-o", "link", "show", "dev", dev], capture_output=True,
                       text=True)
    return r.stdout if r.returncode == 0 else None


def wait_for(pred, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


@pytest.fixture(scope="module")
def net(bench):
    return bench.build(design)


def test_stop_takes_the_link_down_and_start_brings_it_back(bench, net):
    ec2 = bench.w.ec2()
    assert wait_for(lambda: ping(net["a"], "10.50.1.20"))
    ec2.stop_instances(InstanceIds=[net["b"]])
    state = link(net["b"], "eth0")
    assert state is not None and ",UP" not in state and "<UP" not in state, state
    assert not ping(net["a"], "10.50.1.20")
    ec2.start_instances(InstanceIds=[net["b"]])
    assert "UP" in (link(net["b"], "eth0") or "")
    route = subprocess.run(["ip", "-n", net["b"], "route", "show", "default"],
                           capture_output=True, text=True).stdout
    assert "default via 10.50.1.1 dev eth0" in route, route
    assert wait_for(lambda: ping(net["a"], "10.50.1.20"))


def test_an_attached_interface_appears_as_eth1(bench, net):
    ec2 = bench.w.ec2()
    eni = ec2.create_network_interface(SubnetId=net["subnet"], PrivateIpAddress="10.50.1.30",
                                       Groups=[net["sg"]])["NetworkInterface"]
    att = ec2.attach_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                       InstanceId=net["a"], DeviceIndex=1)["AttachmentId"]
    try:
        assert wait_for(lambda: link(net["a"], "eth1") is not None)
        assert eni["MacAddress"] in link(net["a"], "eth1")
        addrs = subprocess.run(["ip", "-n", net["a"], "-4", "addr", "show", "dev", "eth1"],
                               capture_output=True, text=True).stdout
        assert "inet 10.50.1.30/24" in addrs, addrs
        # eth0 came back with the instance's primary address and its default route.
        assert "default via 10.50.1.1 dev eth0" in subprocess.run(
            ["ip", "-n", net["a"], "route", "show", "default"], capture_output=True,
            text=True).stdout
        assert wait_for(lambda: ping(net["b"], "10.50.1.10"))
    finally:
        ec2.detach_network_interface(AttachmentId=att)
    assert wait_for(lambda: link(net["a"], "eth1") is None)
    assert link(net["a"], "eth0") is not None


def test_terminate_removes_the_namespace(bench, net):
    bench.w.ec2().terminate_instances(InstanceIds=[net["b"]])
    assert wait_for(lambda: not replay.ns_exists(net["b"]))
    assert replay.ns_exists(net["a"])
