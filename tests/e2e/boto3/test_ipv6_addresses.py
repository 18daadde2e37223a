"""IPv6 addresses of network interfaces and instances through boto3.

Every test takes its own subnets (IPv4 10.90.<n>.0/24 and the n-th /64 of the VPC's /56), so
the exact addresses it expects do not depend on the order the tests run in. Automatic
assignment hands out the lowest free address above the four reserved ones (::4 first).
"""
import ipaddress

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
def net(vpcd):
    """A dual-stack VPC (Amazon-provided /56) and an IPv4-only subnet in it."""
    ec2 = vpcd.client()
    v = ec2.create_vpc(CidrBlock="10.90.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    block = v["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    assert ipaddress.IPv6Network(block).prefixlen == 56
    v4only = ec2.create_subnet(VpcId=v["VpcId"], CidrBlock="10.90.250.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    return {"vpc": v["VpcId"], "block": block, "v4only": v4only}


def v6net(net, n):
    return list(ipaddress.IPv6Network(net["block"]).subnets(new_prefix=64))[n]


def addr(net, n, host):
    """Address number `host` of the n-th /64, in canonical text."""
    return str(v6net(net, n)[host])


def dual_subnet(ec2, net, n, assign=False):
    sid = ec2.create_subnet(VpcId=net["vpc"], CidrBlock=f"10.90.{n}.0/24",
                            Ipv6CidrBlock=str(v6net(net, n)),
                            AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    if assign:
        ec2.modify_subnet_attribute(SubnetId=sid, AssignIpv6AddressOnCreation={"Value": True})
    return sid


def run(ec2, subnet, **kw):
    kw.setdefault("MinCount", 1)
    kw.setdefault("MaxCount", 1)
    return ec2.run_instances(ImageId=AMI, SubnetId=subnet, **kw)["Instances"]


def ipv6_of(nic):
    return [a["Ipv6Address"] for a in nic["Ipv6Addresses"]]


def describe_instance(ec2, iid):
    return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]


def describe_eni(ec2, eid):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eid])["NetworkInterfaces"][0]


def enis_in(ec2, subnet):
    return sorted(e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"])


def test_run_with_count(ec2, net):
    sn = dual_subnet(ec2, net, 1)
    inst = run(ec2, sn, Ipv6AddressCount=2)[0]
    want = [addr(net, 1, 4), addr(net, 1, 5)]
    nic = inst["NetworkInterfaces"][0]
    assert nic["Ipv6Addresses"] == [{"Ipv6Address": want[0]}, {"Ipv6Address": want[1]}]
    assert inst["Ipv6Address"] == want[0]
    assert inst["PrivateIpAddress"] == "10.90.1.4"

    got = describe_instance(ec2, inst["InstanceId"])
    assert got["Ipv6Address"] == want[0]
    assert ipv6_of(got["NetworkInterfaces"][0]) == want
    eni = describe_eni(ec2, nic["NetworkInterfaceId"])
    assert eni["Ipv6Addresses"] == [{"Ipv6Address": want[0]}, {"Ipv6Address": want[1]}]

    # Next launches continue above the addresses in use; each instance of a batch gets its own.
    assert ipv6_of(run(ec2, sn, Ipv6AddressCount=1)[0]["NetworkInterfaces"][0]) == \
        [addr(net, 1, 6)]
    batch = run(ec2, sn, Ipv6AddressCount=1, MinCount=2, MaxCount=2)
    assert [ipv6_of(i["NetworkInterfaces"][0]) for i in batch] == \
        [[addr(net, 1, 7)], [addr(net, 1, 8)]]
    assert [i["Ipv6Address"] for i in batch] == [addr(net, 1, 7), addr(net, 1, 8)]

    # Without a count (and without the subnet attribute) an instance has no IPv6 at all.
    plain = run(ec2, sn)[0]
    assert plain["NetworkInterfaces"][0]["Ipv6Addresses"] == []
    assert "Ipv6Address" not in plain


def test_isprimary_flag_in_raw_xml(vpcd, ec2, net):
    sn = dual_subnet(ec2, net, 2)
    eid = ec2.create_network_interface(SubnetId=sn, Ipv6AddressCount=1)[
        "NetworkInterface"]["NetworkInterfaceId"]
    bodies = []

    def grab(http_response, **_):
        bodies.append(http_response.content.decode())
    # botocore's model has no isPrimaryIpv6 yet, so only the raw reply shows it.
    ec2.meta.events.register("after-call.ec2.DescribeNetworkInterfaces", grab)
    try:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eid])
    finally:
        ec2.meta.events.unregister("after-call.ec2.DescribeNetworkInterfaces", grab)
    assert (f"<ipv6AddressesSet><item><ipv6Address>{addr(net, 2, 4)}</ipv6Address>"
            "<isPrimaryIpv6>false</isPrimaryIpv6></item></ipv6AddressesSet>") in bodies[0]


def test_explicit_addresses(ec2, net):
    sn = dual_subnet(ec2, net, 3)
    other = dual_subnet(ec2, net, 4)
    mine = addr(net, 3, 0x100)
    # Any text form is accepted; the canonical one is shown.
    spelled = ipaddress.IPv6Address(mine).exploded.upper()
    inst = run(ec2, sn, Ipv6Addresses=[{"Ipv6Address": spelled},
                                       {"Ipv6Address": addr(net, 3, 9)}])[0]
    assert ipv6_of(inst["NetworkInterfaces"][0]) == [mine, addr(net, 3, 9)]
    assert inst["Ipv6Address"] == mine

    before = enis_in(ec2, sn)

    def bad(*addresses, **kw):
        return fails(ec2.run_instances, ImageId=AMI, SubnetId=sn, MinCount=1,
                     MaxCount=kw.pop("MaxCount", 1),
                     Ipv6Addresses=[{"Ipv6Address": a} for a in addresses], **kw)
    outside = addr(net, 4, 10)
    assert bad(outside) == ("InvalidParameterValue",
                            f"Address {outside} does not fall within the subnet's address range")
    for host in (0, 1, 2, 3, 2**64 - 1):
        a = addr(net, 3, host)
        assert bad(a) == ("InvalidParameterValue",
                          f"Address {a} is in subnet's reserved address range")
    assert bad(mine) == ("InvalidIPAddress.InUse", f"Address {mine} is in use.")
    assert bad("2001:db8::zz")[0] == "InvalidParameterValue"
    assert bad("10.90.3.20")[0] == "InvalidParameterValue"
    assert bad(addr(net, 3, 20), addr(net, 3, 20)) == (
        "InvalidParameterValue", f"Address {addr(net, 3, 20)} is specified more than once.")
    assert bad(addr(net, 3, 20), MaxCount=2)[0] == "InvalidParameterCombination"
    assert bad(addr(net, 3, 20), Ipv6AddressCount=1)[0] == "InvalidParameterCombination"
    # The first address is fine, the second is not: nothing at all is created.
    assert bad(addr(net, 3, 21), mine)[0] == "InvalidIPAddress.InUse"
    assert enis_in(ec2, sn) == before
    assert ipv6_of(run(ec2, sn, Ipv6Addresses=[{"Ipv6Address": addr(net, 3, 21)}])[0][
        "NetworkInterfaces"][0]) == [addr(net, 3, 21)]
    # The other subnet's block is separate: its own ::10 is free there.
    assert ipv6_of(run(ec2, other, Ipv6Addresses=[{"Ipv6Address": outside}])[0][
        "NetworkInterfaces"][0]) == [outside]


def test_count_errors(ec2, net):
    sn = dual_subnet(ec2, net, 5)
    before = enis_in(ec2, sn)

    def bad(subnet=sn, **kw):
        return fails(ec2.run_instances, ImageId=AMI, SubnetId=subnet, MinCount=1, MaxCount=1,
                     **kw)
    c, msg = bad(subnet=net["v4only"], Ipv6AddressCount=1)
    assert c == "InvalidParameterValue"
    assert msg == (f"The subnet '{net['v4only']}' has no IPv6 CIDR block: IPv6 addresses "
                   "cannot be assigned in it.")
    assert bad(subnet=net["v4only"], Ipv6Addresses=[{"Ipv6Address": addr(net, 5, 4)}])[0] == \
        "InvalidParameterValue"
    assert bad(Ipv6AddressCount=-1)[0] == "InvalidParameterValue"
    assert bad(Ipv6AddressCount=51)[0] == "PrivateIpAddressLimitExceeded"
    assert enis_in(ec2, sn) == before
    # 50 is the quota itself.
    inst = run(ec2, sn, Ipv6AddressCount=50)[0]
    assert ipv6_of(inst["NetworkInterfaces"][0]) == [addr(net, 5, h) for h in range(4, 54)]
    # Count 0 on an IPv4-only subnet asks for nothing, so it is fine.
    assert run(ec2, net["v4only"], Ipv6AddressCount=0)[0]["NetworkInterfaces"][0][
        "Ipv6Addresses"] == []


def test_network_interface_specs(ec2, net):
    sn = dual_subnet(ec2, net, 6)
    fixed = addr(net, 6, 0x42)
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "Ipv6AddressCount": 2},
        {"DeviceIndex": 1, "SubnetId": sn, "Ipv6Addresses": [{"Ipv6Address": fixed}]},
        {"DeviceIndex": 2, "SubnetId": sn}])["Instances"][0]
    nics = sorted(inst["NetworkInterfaces"], key=lambda n: n["Attachment"]["DeviceIndex"])
    assert [ipv6_of(n) for n in nics] == [[addr(net, 6, 4), addr(net, 6, 5)], [fixed], []]
    assert inst["Ipv6Address"] == addr(net, 6, 4)
    got = describe_instance(ec2, inst["InstanceId"])
    nics = sorted(got["NetworkInterfaces"], key=lambda n: n["Attachment"]["DeviceIndex"])
    assert [ipv6_of(n) for n in nics] == [[addr(net, 6, 4), addr(net, 6, 5)], [fixed], []]

    before = enis_in(ec2, sn)
    spare = ec2.create_network_interface(SubnetId=sn)["NetworkInterface"]["NetworkInterfaceId"]

    def bad(specs, **kw):
        return code(ec2.run_instances, ImageId=AMI, MinCount=1, MaxCount=1,
                    NetworkInterfaces=specs, **kw)
    assert bad([{"DeviceIndex": 0, "SubnetId": sn}], Ipv6AddressCount=1) == \
        "InvalidParameterCombination"
    assert bad([{"DeviceIndex": 0, "NetworkInterfaceId": spare, "Ipv6AddressCount": 1}]) == \
        "InvalidParameterCombination"
    dup = addr(net, 6, 0x50)
    assert bad([{"DeviceIndex": 0, "SubnetId": sn, "Ipv6Addresses": [{"Ipv6Address": dup}]},
                {"DeviceIndex": 1, "SubnetId": sn, "Ipv6Addresses": [{"Ipv6Address": dup}]}]) \
        == "InvalidParameterValue"
    assert bad([{"DeviceIndex": 0, "SubnetId": sn},
                {"DeviceIndex": 1, "SubnetId": sn, "Ipv6Addresses": [{"Ipv6Address": fixed}]}]) \
        == "InvalidIPAddress.InUse"
    assert bad([{"DeviceIndex": 0, "SubnetId": net["v4only"], "Ipv6AddressCount": 1}]) == \
        "InvalidParameterValue"
    assert enis_in(ec2, sn) == sorted(before + [spare])


def test_subnet_attribute(ec2, net):
    sn = dual_subnet(ec2, net, 7, assign=True)
    assert ec2.describe_subnets(SubnetIds=[sn])["Subnets"][0][
        "AssignIpv6AddressOnCreation"] is True
    inst = run(ec2, sn)[0]
    assert ipv6_of(inst["NetworkInterfaces"][0]) == [addr(net, 7, 4)]
    assert inst["Ipv6Address"] == addr(net, 7, 4)
    # A count of 0 overrides the attribute; an explicit count replaces the one address.
    assert run(ec2, sn, Ipv6AddressCount=0)[0]["NetworkInterfaces"][0]["Ipv6Addresses"] == []
    assert ipv6_of(run(ec2, sn, Ipv6AddressCount=2)[0]["NetworkInterfaces"][0]) == \
        [addr(net, 7, 5), addr(net, 7, 6)]
    # Interfaces created at launch besides the primary, and by CreateNetworkInterface, too.
    multi = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn}, {"DeviceIndex": 1, "SubnetId": sn}])["Instances"][0]
    nics = sorted(multi["NetworkInterfaces"], key=lambda n: n["Attachment"]["DeviceIndex"])
    assert [ipv6_of(n) for n in nics] == [[addr(net, 7, 7)], [addr(net, 7, 8)]]
    eni = ec2.create_network_interface(SubnetId=sn)["NetworkInterface"]
    assert eni["Ipv6Addresses"] == [{"Ipv6Address": addr(net, 7, 9)}]
    assert ec2.create_network_interface(SubnetId=sn, Ipv6AddressCount=0)[
        "NetworkInterface"]["Ipv6Addresses"] == []
    ec2.modify_subnet_attribute(SubnetId=sn, AssignIpv6AddressOnCreation={"Value": False})
    assert run(ec2, sn)[0]["NetworkInterfaces"][0]["Ipv6Addresses"] == []


def test_create_assign_unassign(ec2, net):
    sn = dual_subnet(ec2, net, 8)
    eni = ec2.create_network_interface(
        SubnetId=sn, Ipv6Addresses=[{"Ipv6Address": addr(net, 8, 0x30)}])["NetworkInterface"]
    eid = eni["NetworkInterfaceId"]
    assert eni["Ipv6Addresses"] == [{"Ipv6Address": addr(net, 8, 0x30)}]
    counted = ec2.create_network_interface(SubnetId=sn, Ipv6AddressCount=3)["NetworkInterface"]
    assert ipv6_of(counted) == [addr(net, 8, h) for h in (4, 5, 6)]
    assert code(ec2.create_network_interface, SubnetId=sn, Ipv6AddressCount=1,
                Ipv6Addresses=[{"Ipv6Address": addr(net, 8, 0x31)}]) == \
        "InvalidParameterCombination"
    assert code(ec2.create_network_interface, SubnetId=sn,
                Ipv6Addresses=[{"Ipv6Address": addr(net, 8, 4)}]) == "InvalidIPAddress.InUse"
    assert code(ec2.create_network_interface, SubnetId=net["v4only"], Ipv6AddressCount=1) == \
        "InvalidParameterValue"

    r = ec2.assign_ipv6_addresses(NetworkInterfaceId=eid, Ipv6AddressCount=2)
    assert r["NetworkInterfaceId"] == eid
    assert r["AssignedIpv6Addresses"] == [addr(net, 8, 7), addr(net, 8, 8)]
    r = ec2.assign_ipv6_addresses(NetworkInterfaceId=eid, Ipv6Addresses=[addr(net, 8, 0x99)])
    assert r["AssignedIpv6Addresses"] == [addr(net, 8, 0x99)]
    held = [addr(net, 8, h) for h in (0x30, 7, 8, 0x99)]
    assert ipv6_of(describe_eni(ec2, eid)) == held

    def bad(**kw):
        return code(ec2.assign_ipv6_addresses, NetworkInterfaceId=eid, **kw)
    assert code(ec2.assign_ipv6_addresses, NetworkInterfaceId=eid) == "MissingParameter"
    assert bad(Ipv6AddressCount=0) == "InvalidParameterValue"
    assert bad(Ipv6AddressCount=-2) == "InvalidParameterValue"
    assert bad(Ipv6Addresses=[addr(net, 8, 5)]) == "InvalidIPAddress.InUse"
    assert bad(Ipv6Addresses=[addr(net, 8, 0x99)]) == "InvalidIPAddress.InUse"
    assert bad(Ipv6Addresses=[addr(net, 9, 4)]) == "InvalidParameterValue"
    assert bad(Ipv6Addresses=[addr(net, 8, 2)]) == "InvalidParameterValue"
    assert bad(Ipv6Addresses=["not-an-address"]) == "InvalidParameterValue"
    assert bad(Ipv6AddressCount=1, Ipv6Addresses=[addr(net, 8, 0x98)]) == \
        "InvalidParameterCombination"
    # Four held: 46 more fit, 47 do not.
    assert bad(Ipv6AddressCount=47) == "PrivateIpAddressLimitExceeded"
    assert code(ec2.assign_ipv6_addresses, NetworkInterfaceId="eni-0123456789abcdef0",
                Ipv6AddressCount=1) == "InvalidNetworkInterfaceID.NotFound"
    assert code(ec2.assign_ipv6_addresses, NetworkInterfaceId="nope",
                Ipv6AddressCount=1) == "InvalidNetworkInterfaceID.Malformed"
    v4 = ec2.create_network_interface(SubnetId=net["v4only"])["NetworkInterface"]
    assert v4["Ipv6Addresses"] == []
    assert code(ec2.assign_ipv6_addresses, NetworkInterfaceId=v4["NetworkInterfaceId"],
                Ipv6AddressCount=1) == "InvalidParameterValue"
    assert ipv6_of(describe_eni(ec2, eid)) == held

    r = ec2.unassign_ipv6_addresses(NetworkInterfaceId=eid,
                                    Ipv6Addresses=[addr(net, 8, 7), addr(net, 8, 0x99)])
    assert r["NetworkInterfaceId"] == eid
    assert r["UnassignedIpv6Addresses"] == [addr(net, 8, 7), addr(net, 8, 0x99)]
    assert ipv6_of(describe_eni(ec2, eid)) == [addr(net, 8, 0x30), addr(net, 8, 8)]
    # An address the interface does not hold fails the whole call.
    assert code(ec2.unassign_ipv6_addresses, NetworkInterfaceId=eid,
                Ipv6Addresses=[addr(net, 8, 8), addr(net, 8, 4)]) == "InvalidParameterValue"
    assert code(ec2.unassign_ipv6_addresses, NetworkInterfaceId=eid,
                Ipv6Addresses=["bogus"]) == "InvalidParameterValue"
    assert code(ec2.unassign_ipv6_addresses, NetworkInterfaceId=eid,
                Ipv6Addresses=[]) == "MissingParameter"
    assert ipv6_of(describe_eni(ec2, eid)) == [addr(net, 8, 0x30), addr(net, 8, 8)]
    # The freed ::7 is the lowest free address again, and ::99 can be taken explicitly.
    assert ec2.assign_ipv6_addresses(NetworkInterfaceId=counted["NetworkInterfaceId"],
                                     Ipv6AddressCount=1)["AssignedIpv6Addresses"] == \
        [addr(net, 8, 7)]
    assert ipv6_of(ec2.create_network_interface(
        SubnetId=sn, Ipv6Addresses=[{"Ipv6Address": addr(net, 8, 0x99)}])[
        "NetworkInterface"]) == [addr(net, 8, 0x99)]
    # Deleting an interface gives its addresses back.
    ec2.delete_network_interface(NetworkInterfaceId=eid)
    assert ipv6_of(ec2.create_network_interface(
        SubnetId=sn, Ipv6Addresses=[{"Ipv6Address": addr(net, 8, 0x30)}])[
        "NetworkInterface"]) == [addr(net, 8, 0x30)]


def test_filters(ec2, net):
    sn = dual_subnet(ec2, net, 10)
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "Ipv6AddressCount": 2},
        {"DeviceIndex": 1, "SubnetId": sn, "Ipv6AddressCount": 1}])["Instances"][0]
    iid = inst["InstanceId"]
    nics = {n["Attachment"]["DeviceIndex"]: n["NetworkInterfaceId"]
            for n in inst["NetworkInterfaces"]}
    loose = ec2.create_network_interface(SubnetId=sn, Ipv6AddressCount=1)[
        "NetworkInterface"]["NetworkInterfaceId"]
    a4, a5, a6, a7 = (addr(net, 10, h) for h in (4, 5, 6, 7))

    def enis(*values):
        return sorted(e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(
            Filters=[{"Name": "ipv6-addresses.ipv6-address",
                      "Values": list(values)}])["NetworkInterfaces"])
    assert enis(a5) == [nics[0]]
    assert enis(a6) == [nics[1]]
    assert enis(a7) == [loose]
    assert enis(a4, a7) == sorted([nics[0], loose])
    assert enis(addr(net, 10, 8)) == []
    # Filter values are globs: the subnet's /64 ("<prefix>::") followed by anything.
    assert enis(addr(net, 10, 0) + "*") == sorted([nics[0], nics[1], loose])

    def insts(name, value):
        return [i["InstanceId"] for r in ec2.describe_instances(
            Filters=[{"Name": name, "Values": [value]}])["Reservations"] for i in r["Instances"]]
    for a in (a4, a5, a6):
        assert insts("network-interface.ipv6-addresses.ipv6-address", a) == [iid]
    assert insts("network-interface.ipv6-addresses.ipv6-address", a7) == []
    # ipv6-address is the instance's Ipv6Address: the primary interface's first address.
    assert insts("ipv6-address", a4) == [iid]
    assert insts("ipv6-address", a5) == []
    assert insts("ipv6-address", a6) == []


def test_terminate_returns_addresses(ec2, net):
    sn = dual_subnet(ec2, net, 11)
    keep = ec2.create_network_interface(SubnetId=sn, Ipv6AddressCount=1)["NetworkInterface"]
    assert ipv6_of(keep) == [addr(net, 11, 4)]
    inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "Ipv6AddressCount": 2},
        {"DeviceIndex": 1, "NetworkInterfaceId": keep["NetworkInterfaceId"]}])["Instances"][0]
    primary = [n for n in inst["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0][0]
    assert ipv6_of(primary) == [addr(net, 11, 5), addr(net, 11, 6)]
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    gone = describe_instance(ec2, inst["InstanceId"])
    assert gone["State"]["Name"] == "terminated"
    assert "Ipv6Address" not in gone and gone["NetworkInterfaces"] == []
    # The detached interface keeps its address; the primary's two are free again.
    assert ipv6_of(describe_eni(ec2, keep["NetworkInterfaceId"])) == [addr(net, 11, 4)]
    again = run(ec2, sn, Ipv6AddressCount=2)[0]
    assert ipv6_of(again["NetworkInterfaces"][0]) == [addr(net, 11, 5), addr(net, 11, 6)]
    assert code(ec2.run_instances, ImageId=AMI, SubnetId=sn, MinCount=1, MaxCount=1,
                Ipv6Addresses=[{"Ipv6Address": addr(net, 11, 4)}]) == "InvalidIPAddress.InUse"


def test_restart_keeps_addresses(vpcd, net):
    ec2 = vpcd.client()
    sn = dual_subnet(ec2, net, 12)
    inst = run(ec2, sn, Ipv6AddressCount=2)[0]
    eid = ec2.create_network_interface(SubnetId=sn, Ipv6Addresses=[
        {"Ipv6Address": addr(net, 12, 0x77)}])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.assign_ipv6_addresses(NetworkInterfaceId=eid, Ipv6AddressCount=1)
    ec2.unassign_ipv6_addresses(NetworkInterfaceId=eid, Ipv6Addresses=[addr(net, 12, 0x77)])
    vpcd.kill()
    vpcd.start()
    ec2 = vpcd.client()
    got = describe_instance(ec2, inst["InstanceId"])
    assert got["Ipv6Address"] == addr(net, 12, 4)
    assert ipv6_of(got["NetworkInterfaces"][0]) == [addr(net, 12, 4), addr(net, 12, 5)]
    assert ipv6_of(describe_eni(ec2, eid)) == [addr(net, 12, 6)]
    assert code(ec2.create_network_interface, SubnetId=sn,
                Ipv6Addresses=[{"Ipv6Address": addr(net, 12, 5)}]) == "InvalidIPAddress.InUse"
    # The unassigned ::77 stayed free across the restart, and automatic picks go on above ::6.
    assert ipv6_of(ec2.create_network_interface(SubnetId=sn, Ipv6Addresses=[
        {"Ipv6Address": addr(net, 12, 0x77)}])["NetworkInterface"]) == [addr(net, 12, 0x77)]
    assert ec2.assign_ipv6_addresses(NetworkInterfaceId=eid, Ipv6AddressCount=1)[
        "AssignedIpv6Addresses"] == [addr(net, 12, 7)]
    got = ec2.describe_network_interfaces(Filters=[
        {"Name": "ipv6-addresses.ipv6-address", "Values": [addr(net, 12, 5)]}])
    assert [e["NetworkInterfaceId"] for e in got["NetworkInterfaces"]] == \
        [inst["NetworkInterfaces"][0]["NetworkInterfaceId"]]
