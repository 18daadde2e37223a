"""Secondary private IPv4 addresses of network interfaces and instances through boto3.

Every test takes its own subnet 10.91.<n>.0/24 of one VPC, so the exact addresses it expects do
not depend on the order the tests run in. Automatic assignment hands out the lowest free
address above the four reserved ones (.4 first); a /24 has 251 usable addresses.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import error_code

AMI = "ami-12345678"


def fails(fn, **kw):
    """(code, message) of the ClientError that fn(**kw) raises."""
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e), e.value.response["Error"]["Message"]


def code(fn, **kw):
    return fails(fn, **kw)[0]


@pytest.fixture(scope="module")
def vpc(vpcd):
    return vpcd.client().create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]


def subnet(ec2, vpc, n, prefix=24):
    return ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.91.{n}.0/{prefix}",
                             AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]


def ip(n, host):
    return f"10.91.{n}.{host}"


def available(ec2, sn):
    return ec2.describe_subnets(SubnetIds=[sn])["Subnets"][0]["AvailableIpAddressCount"]


def new_eni(ec2, sn, **kw):
    return ec2.create_network_interface(SubnetId=sn, **kw)["NetworkInterface"]


def describe_eni(ec2, eid):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eid])["NetworkInterfaces"][0]


def addrs_of(nic):
    """[(address, primary)] of an interface, in the order vpcd lists them."""
    return [(a["PrivateIpAddress"], a["Primary"]) for a in nic["PrivateIpAddresses"]]


def assigned(resp):
    return [a["PrivateIpAddress"] for a in resp["AssignedPrivateIpAddresses"]]


def dns(addr):
    return "ip-" + addr.replace(".", "-") + ".ec2.internal"


def test_assign_count_describe_and_filters(ec2, vpc):
    sn = subnet(ec2, vpc, 1)
    e = new_eni(ec2, sn)
    eid = e["NetworkInterfaceId"]
    assert addrs_of(e) == [(ip(1, 4), True)]
    assert available(ec2, sn) == 250
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=2)
    assert r["NetworkInterfaceId"] == eid
    assert assigned(r) == [ip(1, 5), ip(1, 6)]
    assert available(ec2, sn) == 248
    got = describe_eni(ec2, eid)
    assert got["PrivateIpAddress"] == ip(1, 4)
    assert got["PrivateIpAddresses"] == [
        {"Primary": True, "PrivateDnsName": dns(ip(1, 4)), "PrivateIpAddress": ip(1, 4)},
        {"Primary": False, "PrivateDnsName": dns(ip(1, 5)), "PrivateIpAddress": ip(1, 5)},
        {"Primary": False, "PrivateDnsName": dns(ip(1, 6)), "PrivateIpAddress": ip(1, 6)},
    ]
    for name in ("private-ip-address", "addresses.private-ip-address"):
        found = ec2.describe_network_interfaces(
            Filters=[{"Name": name, "Values": [ip(1, 6)]}])["NetworkInterfaces"]
        assert [x["NetworkInterfaceId"] for x in found] == [eid]
    # Explicit addresses come back in the order given; the next automatic pick skips them.
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid,
                                        PrivateIpAddresses=[ip(1, 9), ip(1, 7)])
    assert assigned(r) == [ip(1, 9), ip(1, 7)]
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=2)
    assert assigned(r) == [ip(1, 8), ip(1, 10)]
    assert available(ec2, sn) == 244
    assert [a for a, _ in addrs_of(describe_eni(ec2, eid))] == \
        [ip(1, h) for h in (4, 5, 6, 9, 7, 8, 10)]
    # Another interface of the subnet starts above all of them.
    assert new_eni(ec2, sn)["PrivateIpAddress"] == ip(1, 11)


def test_assign_errors(ec2, vpc):
    sn = subnet(ec2, vpc, 2)
    eid = new_eni(ec2, sn)["NetworkInterfaceId"]
    other = new_eni(ec2, sn)["NetworkInterfaceId"]          # holds .5
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=[ip(2, 6)])
    before = available(ec2, sn)
    assign = ec2.assign_private_ip_addresses
    assert fails(assign, NetworkInterfaceId=eid, PrivateIpAddresses=["10.91.99.9"]) == (
        "InvalidParameterValue",
        "Address 10.91.99.9 does not fall within the subnet's address range")
    for reserved in (ip(2, 0), ip(2, 1), ip(2, 2), ip(2, 3), ip(2, 255)):
        assert fails(assign, NetworkInterfaceId=eid, PrivateIpAddresses=[reserved]) == (
            "InvalidParameterValue", f"Address {reserved} is in subnet's reserved address range")
    for used in (ip(2, 4), ip(2, 5), ip(2, 6)):             # own primary, other's two
        assert fails(assign, NetworkInterfaceId=eid, PrivateIpAddresses=[used]) == (
            "InvalidIPAddress.InUse", f"Address {used} is in use.")
    assert code(assign, NetworkInterfaceId=eid,
                PrivateIpAddresses=[ip(2, 20), ip(2, 20)]) == "InvalidParameterValue"
    assert code(assign, NetworkInterfaceId=eid, PrivateIpAddresses=["10.91.2.x"]) == \
        "InvalidParameterValue"
    assert code(assign, NetworkInterfaceId=eid) == "MissingParameter"
    assert code(assign, NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=0) == \
        "InvalidParameterValue"
    assert code(assign, NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=1,
                PrivateIpAddresses=[ip(2, 20)]) == "InvalidParameterCombination"
    assert code(assign, NetworkInterfaceId="eni-0123456789abcdef0",
                SecondaryPrivateIpAddressCount=1) == "InvalidNetworkInterfaceID.NotFound"
    assert code(assign, NetworkInterfaceId=eid, Ipv4PrefixCount=1) == "InvalidParameterValue"
    # 50 addresses per interface, the primary included.
    assert fails(assign, NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=50) == (
        "PrivateIpAddressLimitExceeded",
        "Number of private addresses will exceed limit of 50 per network interface.")
    assert available(ec2, sn) == before  # nothing of the failed requests was kept
    assert len(assigned(assign(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=49))) == 49
    assert len(describe_eni(ec2, eid)["PrivateIpAddresses"]) == 50
    assert available(ec2, sn) == before - 49
    assert code(assign, NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=1) == \
        "PrivateIpAddressLimitExceeded"


def test_subnet_capacity(ec2, vpc):
    sn = subnet(ec2, vpc, 3, prefix=28)                     # 11 usable: .4 .. .14
    eid = new_eni(ec2, sn)["NetworkInterfaceId"]
    assert available(ec2, sn) == 10
    assert code(ec2.assign_private_ip_addresses, NetworkInterfaceId=eid,
                SecondaryPrivateIpAddressCount=11) == "InsufficientFreeAddressesInSubnet"
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=10)
    assert assigned(r) == [ip(3, h) for h in range(5, 15)]
    assert available(ec2, sn) == 0
    assert code(ec2.assign_private_ip_addresses, NetworkInterfaceId=eid,
                SecondaryPrivateIpAddressCount=1) == "InsufficientFreeAddressesInSubnet"
    assert code(ec2.create_network_interface, SubnetId=sn) == \
        "InsufficientFreeAddressesInSubnet"
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eid, PrivateIpAddresses=[ip(3, 9)])
    assert available(ec2, sn) == 1
    assert new_eni(ec2, sn)["PrivateIpAddress"] == ip(3, 9)


def test_unassign(ec2, vpc):
    sn = subnet(ec2, vpc, 4)
    eid = new_eni(ec2, sn)["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=3)
    assert available(ec2, sn) == 247
    un = ec2.unassign_private_ip_addresses
    assert fails(un, NetworkInterfaceId=eid, PrivateIpAddresses=[ip(4, 4)])[0] == \
        "InvalidParameterValue"
    assert fails(un, NetworkInterfaceId=eid, PrivateIpAddresses=[ip(4, 5), ip(4, 8)]) == (
        "InvalidParameterValue",
        f"Some of the specified addresses are not assigned to interface {eid}")
    assert code(un, NetworkInterfaceId=eid, PrivateIpAddresses=[]) == "MissingParameter"
    assert code(un, NetworkInterfaceId=eid) == "MissingParameter"
    assert code(un, NetworkInterfaceId=eid, PrivateIpAddresses=["nope"]) == \
        "InvalidParameterValue"
    assert addrs_of(describe_eni(ec2, eid)) == [
        (ip(4, 4), True), (ip(4, 5), False), (ip(4, 6), False), (ip(4, 7), False)]
    un(NetworkInterfaceId=eid, PrivateIpAddresses=[ip(4, 5), ip(4, 7)])
    assert addrs_of(describe_eni(ec2, eid)) == [(ip(4, 4), True), (ip(4, 6), False)]
    assert available(ec2, sn) == 249
    assert ec2.describe_network_interfaces(Filters=[
        {"Name": "private-ip-address", "Values": [ip(4, 5)]}])["NetworkInterfaces"] == []
    # The freed addresses are the lowest free ones again.
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=2)
    assert assigned(r) == [ip(4, 5), ip(4, 7)]


def test_reassignment_moves_address_and_eip(ec2, vpc):
    sn = subnet(ec2, vpc, 5)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    a = new_eni(ec2, sn)["NetworkInterfaceId"]               # .4
    b = new_eni(ec2, sn)["NetworkInterfaceId"]               # .5
    ec2.assign_private_ip_addresses(NetworkInterfaceId=a, PrivateIpAddresses=[ip(5, 10)])
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assoc = ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=a,
                                  PrivateIpAddress=ip(5, 10))["AssociationId"]
    before = available(ec2, sn)
    assign = ec2.assign_private_ip_addresses
    assert code(assign, NetworkInterfaceId=b, PrivateIpAddresses=[ip(5, 10)]) == \
        "InvalidIPAddress.InUse"
    # A primary address never moves, reassignment or not.
    assert code(assign, NetworkInterfaceId=b, PrivateIpAddresses=[ip(5, 4)],
                AllowReassignment=True) == "InvalidIPAddress.InUse"
    r = assign(NetworkInterfaceId=b, PrivateIpAddresses=[ip(5, 10)], AllowReassignment=True)
    assert assigned(r) == [ip(5, 10)]
    assert addrs_of(describe_eni(ec2, a)) == [(ip(5, 4), True)]
    assert addrs_of(describe_eni(ec2, b)) == [(ip(5, 5), True), (ip(5, 10), False)]
    assert available(ec2, sn) == before
    # The EIP went along with the address.
    addr = ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]
    assert (addr["NetworkInterfaceId"], addr["PrivateIpAddress"], addr["AssociationId"]) == \
        (b, ip(5, 10), assoc)
    item = describe_eni(ec2, b)["PrivateIpAddresses"][1]
    assert item["Association"]["PublicIp"] == addr["PublicIp"]
    assert "Association" not in describe_eni(ec2, b)  # the primary has none
    # Unassigning the address disassociates the EIP, which stays allocated.
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[ip(5, 10)])
    addr = ec2.describe_addresses(AllocationIds=[alloc])["Addresses"][0]
    assert "AssociationId" not in addr and "NetworkInterfaceId" not in addr
    ec2.release_address(AllocationId=alloc)


def test_create_network_interface_secondaries(ec2, vpc):
    sn = subnet(ec2, vpc, 6)
    e = new_eni(ec2, sn, SecondaryPrivateIpAddressCount=2)
    assert addrs_of(e) == [(ip(6, 4), True), (ip(6, 5), False), (ip(6, 6), False)]
    e = new_eni(ec2, sn, PrivateIpAddresses=[
        {"PrivateIpAddress": ip(6, 21), "Primary": False},
        {"PrivateIpAddress": ip(6, 20), "Primary": True}])
    assert e["PrivateIpAddress"] == ip(6, 20)
    assert addrs_of(e) == [(ip(6, 20), True), (ip(6, 21), False)]
    e = new_eni(ec2, sn, PrivateIpAddress=ip(6, 30),
                PrivateIpAddresses=[{"PrivateIpAddress": ip(6, 31)}])
    assert addrs_of(e) == [(ip(6, 30), True), (ip(6, 31), False)]
    # One listed address (the primary) with a count; the count avoids the listed address.
    e = new_eni(ec2, sn, PrivateIpAddresses=[{"PrivateIpAddress": ip(6, 7), "Primary": True}],
                SecondaryPrivateIpAddressCount=2)
    assert addrs_of(e) == [(ip(6, 7), True), (ip(6, 8), False), (ip(6, 9), False)]
    # Explicit secondaries with an automatic primary: the primary avoids them.
    e = new_eni(ec2, sn, PrivateIpAddresses=[{"PrivateIpAddress": ip(6, 10)},
                                             {"PrivateIpAddress": ip(6, 11)}])
    assert addrs_of(e) == [(ip(6, 10), True), (ip(6, 11), False)]
    assert available(ec2, sn) == 251 - 12
    before = available(ec2, sn)
    create = ec2.create_network_interface
    assert code(create, SubnetId=sn, PrivateIpAddresses=[
        {"PrivateIpAddress": ip(6, 40), "Primary": True},
        {"PrivateIpAddress": ip(6, 41), "Primary": True}]) == "InvalidParameterValue"
    assert code(create, SubnetId=sn, PrivateIpAddress=ip(6, 40), PrivateIpAddresses=[
        {"PrivateIpAddress": ip(6, 41), "Primary": True}]) == "InvalidParameterCombination"
    assert code(create, SubnetId=sn, SecondaryPrivateIpAddressCount=1, PrivateIpAddresses=[
        {"PrivateIpAddress": ip(6, 40)}, {"PrivateIpAddress": ip(6, 41)}]) == \
        "InvalidParameterCombination"
    assert code(create, SubnetId=sn, PrivateIpAddresses=[
        {"PrivateIpAddress": ip(6, 40)}, {"PrivateIpAddress": ip(6, 40)}]) == \
        "InvalidParameterValue"
    assert code(create, SubnetId=sn, PrivateIpAddresses=[
        {"PrivateIpAddress": ip(6, 40)}, {"PrivateIpAddress": ip(6, 21)}]) == \
        "InvalidIPAddress.InUse"
    assert code(create, SubnetId=sn, PrivateIpAddresses=[
        {"PrivateIpAddress": ip(6, 40)}, {"PrivateIpAddress": ip(6, 255)}]) == \
        "InvalidParameterValue"
    assert code(create, SubnetId=sn, SecondaryPrivateIpAddressCount=50) == \
        "PrivateIpAddressLimitExceeded"
    assert len(new_eni(ec2, sn, SecondaryPrivateIpAddressCount=49)["PrivateIpAddresses"]) == 50
    assert available(ec2, sn) == before - 50


def test_run_instances_and_terminate(ec2, vpc):
    sn = subnet(ec2, vpc, 7)
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "SecondaryPrivateIpAddressCount": 2}])["Instances"][0]
    iid = inst["InstanceId"]
    assert inst["PrivateIpAddress"] == ip(7, 4)
    assert addrs_of(inst["NetworkInterfaces"][0]) == \
        [(ip(7, 4), True), (ip(7, 5), False), (ip(7, 6), False)]
    assert available(ec2, sn) == 248
    got = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert got["NetworkInterfaces"][0]["PrivateIpAddresses"][2] == \
        {"Primary": False, "PrivateDnsName": dns(ip(7, 6)), "PrivateIpAddress": ip(7, 6)}
    for name, value, want in (("network-interface.addresses.private-ip-address", ip(7, 6), [iid]),
                              ("private-ip-address", ip(7, 4), [iid]),
                              ("private-ip-address", ip(7, 6), [])):
        res = ec2.describe_instances(Filters=[{"Name": name, "Values": [value]}])
        assert [i["InstanceId"] for r in res["Reservations"] for i in r["Instances"]] == want
    # Explicit addresses with a primary, for two interfaces of one launch.
    two = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "PrivateIpAddresses": [
            {"PrivateIpAddress": ip(7, 50), "Primary": True},
            {"PrivateIpAddress": ip(7, 51), "Primary": False}]},
        {"DeviceIndex": 1, "SubnetId": sn, "SecondaryPrivateIpAddressCount": 1}])["Instances"][0]
    nics = sorted(two["NetworkInterfaces"], key=lambda n: n["Attachment"]["DeviceIndex"])
    assert addrs_of(nics[0]) == [(ip(7, 50), True), (ip(7, 51), False)]
    assert addrs_of(nics[1]) == [(ip(7, 7), True), (ip(7, 8), False)]
    assert two["PrivateIpAddress"] == ip(7, 50)
    assert available(ec2, sn) == 244
    run = ec2.run_instances
    nic = {"DeviceIndex": 0, "SubnetId": sn, "SecondaryPrivateIpAddressCount": 1}
    assert code(run, ImageId=AMI, MinCount=1, MaxCount=2, NetworkInterfaces=[nic]) == \
        "InvalidParameterCombination"
    assert code(run, ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "PrivateIpAddresses": [
            {"PrivateIpAddress": ip(7, 60), "Primary": True},
            {"PrivateIpAddress": ip(7, 51)}]}]) == "InvalidIPAddress.InUse"
    assert code(run, ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "PrivateIpAddresses": [
            {"PrivateIpAddress": ip(7, 60), "Primary": True},
            {"PrivateIpAddress": ip(7, 61)}]},
        {"DeviceIndex": 1, "SubnetId": sn, "PrivateIpAddress": ip(7, 61)}]) == \
        "InvalidParameterValue"
    assert code(run, ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "SecondaryPrivateIpAddressCount": 50}]) == \
        "PrivateIpAddressLimitExceeded"
    assert available(ec2, sn) == 244  # nothing launched by the refused requests
    # Terminating gives every address back, secondaries included.
    ec2.terminate_instances(InstanceIds=[iid, two["InstanceId"]])
    assert available(ec2, sn) == 251
    assert new_eni(ec2, sn, SecondaryPrivateIpAddressCount=1)["PrivateIpAddresses"] == [
        {"Primary": True, "PrivateDnsName": dns(ip(7, 4)), "PrivateIpAddress": ip(7, 4)},
        {"Primary": False, "PrivateDnsName": dns(ip(7, 5)), "PrivateIpAddress": ip(7, 5)}]


def test_restart_keeps_addresses(vpcd, vpc):
    ec2 = vpcd.client()
    sn = subnet(ec2, vpc, 8)
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "SecondaryPrivateIpAddressCount": 2}])["Instances"][0]
    eid = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, PrivateIpAddresses=[ip(8, 77)])
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eid, PrivateIpAddresses=[ip(8, 5)])
    want = [(ip(8, 4), True), (ip(8, 6), False), (ip(8, 77), False)]
    assert addrs_of(describe_eni(ec2, eid)) == want
    vpcd.kill()
    vpcd.start()
    ec2 = vpcd.client()
    assert addrs_of(describe_eni(ec2, eid)) == want
    assert available(ec2, sn) == 248
    assert code(ec2.create_network_interface, SubnetId=sn, PrivateIpAddress=ip(8, 77)) == \
        "InvalidIPAddress.InUse"
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=2)
    assert assigned(r) == [ip(8, 5), ip(8, 7)]
    found = ec2.describe_network_interfaces(
        Filters=[{"Name": "addresses.private-ip-address", "Values": [ip(8, 77)]}])
    assert [x["NetworkInterfaceId"] for x in found["NetworkInterfaces"]] == [eid]
