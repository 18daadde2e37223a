"""Instances, network interfaces, Elastic IPs and NAT gateways through boto3."""
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import Vpcd, error_code


def err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e)


def message(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return e.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def net(vpcd):
    """A VPC with an internet gateway, a public subnet and a subnet for instances."""
    ec2 = vpcd.client()
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    pub = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24",
                            AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    app = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.2.0/24",
                            AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    return {"vpc": vpc, "pub": pub, "app": app, "igw": igw}


def instances_of(resp):
    return [i for r in resp["Reservations"] for i in r["Instances"]]


def available(ec2, subnet):
    return ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]


def test_run_describe_and_states(ec2, net):
    r = ec2.run_instances(ImageId="ami-0123456789abcdef0", InstanceType="t3.micro",
                          SubnetId=net["app"], MinCount=2, MaxCount=2,
                          TagSpecifications=[{"ResourceType": "instance",
                                              "Tags": [{"Key": "Name", "Value": "web"}]}])
    assert r["ReservationId"].startswith("r-")
    assert r["OwnerId"] == "000000000000"
    insts = r["Instances"]
    assert [i["PrivateIpAddress"] for i in insts] == ["10.70.2.4", "10.70.2.5"]
    assert [i["AmiLaunchIndex"] for i in insts] == [0, 1]
    first = insts[0]
    assert first["State"] == {"Code": 0, "Name": "pending"}
    assert first["InstanceType"] == "t3.micro"
    assert first["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert first["VpcId"] == net["vpc"] and first["SubnetId"] == net["app"]
    assert first["PrivateDnsName"] == "ip-10-70-2-4.ec2.internal"
    assert first["Tags"] == [{"Key": "Name", "Value": "web"}]
    eni = first["NetworkInterfaces"][0]
    assert eni["Attachment"]["DeviceIndex"] == 0
    assert eni["Attachment"]["DeleteOnTermination"] is True
    assert eni["PrivateIpAddresses"] == [{"Primary": True, "PrivateIpAddress": "10.70.2.4",
                                          "PrivateDnsName": "ip-10-70-2-4.ec2.internal"}]
    assert available(ec2, net["app"]) == 249

    ids = [i["InstanceId"] for i in insts]
    got = instances_of(ec2.describe_instances(InstanceIds=ids))
    assert [i["State"]["Name"] for i in got] == ["running", "running"]
    resv = ec2.describe_instances(InstanceIds=ids)["Reservations"]
    assert len(resv) == 1 and resv[0]["ReservationId"] == r["ReservationId"]

    stop = ec2.stop_instances(InstanceIds=[ids[0]])["StoppingInstances"][0]
    assert stop["CurrentState"] == {"Code": 64, "Name": "stopping"}
    assert stop["PreviousState"] == {"Code": 16, "Name": "running"}
    got = instances_of(ec2.describe_instances(InstanceIds=[ids[0]]))[0]
    assert got["State"]["Name"] == "stopped" and got["PrivateIpAddress"] == "10.70.2.4"
    assert got["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    start = ec2.start_instances(InstanceIds=[ids[0]])["StartingInstances"][0]
    assert start["CurrentState"]["Name"] == "pending"
    assert start["PreviousState"]["Name"] == "stopped"
    assert err(ec2.start_instances, InstanceIds=["i-0123456789abcdef0"]) == \
        "InvalidInstanceID.NotFound"

    term = ec2.terminate_instances(InstanceIds=[ids[1]])["TerminatingInstances"][0]
    assert term["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    assert term["PreviousState"] == {"Code": 16, "Name": "running"}
    got = instances_of(ec2.describe_instances(InstanceIds=[ids[1]]))[0]
    assert got["State"] == {"Code": 48, "Name": "terminated"}
    assert got["NetworkInterfaces"] == []
    assert available(ec2, net["app"]) == 250
    assert err(ec2.stop_instances, InstanceIds=[ids[1]]) == "IncorrectInstanceState"


def test_address_rules(ec2, net):
    def run(ip):
        return ec2.run_instances(ImageId="ami-12345678", SubnetId=net["pub"], MinCount=1,
                                 MaxCount=1, PrivateIpAddress=ip)
    inst = run("10.70.1.10")["Instances"][0]
    assert inst["PrivateIpAddress"] == "10.70.1.10"
    for ip, text in [("10.70.9.1", "does not fall within the subnet's address range"),
                     ("10.70.1.1", "is in subnet's reserved address range"),
                     ("10.70.1.0", "is in subnet's reserved address range"),
                     ("10.70.1.3", "is in subnet's reserved address range"),
                     ("10.70.1.255", "is in subnet's reserved address range")]:
        with pytest.raises(ClientError) as e:
            run(ip)
        assert error_code(e) == "InvalidParameterValue"
        assert text in e.value.response["Error"]["Message"]
    assert err(run, ip="10.70.1.10") == "InvalidIPAddress.InUse"
    assert err(ec2.delete_subnet, SubnetId=net["pub"]) == "DependencyViolation"
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])


def test_count_limited_by_free_addresses(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    tiny = ec2.create_subnet(VpcId=vpc, CidrBlock="10.71.0.0/28")["Subnet"]["SubnetId"]
    assert available(ec2, tiny) == 11
    assert err(ec2.run_instances, ImageId="ami-12345678", SubnetId=tiny, MinCount=12,
               MaxCount=12) == "InsufficientFreeAddressesInSubnet"
    r = ec2.run_instances(ImageId="ami-12345678", SubnetId=tiny, MinCount=2, MaxCount=20)
    assert len(r["Instances"]) == 11
    assert r["Instances"][-1]["PrivateIpAddress"] == "10.71.0.14"
    assert available(ec2, tiny) == 0
    assert err(ec2.create_network_interface, SubnetId=tiny) == \
        "InsufficientFreeAddressesInSubnet"
    ec2.terminate_instances(InstanceIds=[i["InstanceId"] for i in r["Instances"]])
    assert available(ec2, tiny) == 11


def test_paging_and_filters(ec2, net):
    sn = ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.70.3.0/24")["Subnet"]["SubnetId"]
    r = ec2.run_instances(ImageId="ami-12345678", SubnetId=sn, MinCount=7, MaxCount=7,
                          TagSpecifications=[{"ResourceType": "instance",
                                              "Tags": [{"Key": "batch", "Value": "p"}]}])
    ids = [i["InstanceId"] for i in r["Instances"]]
    flt = [{"Name": "subnet-id", "Values": [sn]}]
    page1 = ec2.describe_instances(Filters=flt, MaxResults=5)
    assert len(instances_of(page1)) == 5 and page1["NextToken"]
    page2 = ec2.describe_instances(Filters=flt, MaxResults=5, NextToken=page1["NextToken"])
    assert "NextToken" not in page2
    assert [i["InstanceId"] for i in instances_of(page1) + instances_of(page2)] == ids
    pages = ec2.get_paginator("describe_instances").paginate(
        Filters=flt, PaginationConfig={"PageSize": 5})
    assert sum(len(instances_of(p)) for p in pages) == 7
    assert err(ec2.describe_instances, InstanceIds=ids[:1], MaxResults=5) == \
        "InvalidParameterCombination"
    assert err(ec2.describe_instances, MaxResults=4) == "InvalidParameterValue"

    def count(*filters):
        return len(instances_of(ec2.describe_instances(Filters=list(filters))))
    assert count({"Name": "tag:batch", "Values": ["p"]}) == 7
    assert count({"Name": "private-ip-address", "Values": ["10.70.3.6"]}) == 1
    assert count({"Name": "instance-id", "Values": ids[:2]}) == 2
    assert count({"Name": "vpc-id", "Values": [net["vpc"]]},
                 {"Name": "instance-state-name", "Values": ["running"]}) >= 7
    ec2.stop_instances(InstanceIds=ids[:3])
    assert count({"Name": "subnet-id", "Values": [sn]},
                 {"Name": "instance-state-name", "Values": ["stopped"]}) == 3
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [sn]}])["NetworkInterfaces"]
    assert len(enis) == 7
    assert count({"Name": "network-interface.network-interface-id",
                  "Values": [enis[0]["NetworkInterfaceId"]]}) == 1
    ec2.terminate_instances(InstanceIds=ids)


def test_network_interfaces(ec2, net):
    sg = ec2.create_security_group(GroupName="nic", Description="nic",
                                   VpcId=net["vpc"])["GroupId"]
    before = available(ec2, net["app"])
    eni = ec2.create_network_interface(
        SubnetId=net["app"], Groups=[sg], Description="extra",
        TagSpecifications=[{"ResourceType": "network-interface",
                            "Tags": [{"Key": "k", "Value": "v"}]}])["NetworkInterface"]
    eid = eni["NetworkInterfaceId"]
    assert eni["Status"] == "available"
    assert eni["InterfaceType"] == "interface"
    assert eni["RequesterManaged"] is False
    assert eni["Groups"] == [{"GroupId": sg, "GroupName": "nic"}]
    assert eni["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert available(ec2, net["app"]) == before - 1
    inst = ec2.run_instances(ImageId="ami-12345678", SubnetId=net["app"], MinCount=1,
                             MaxCount=1)["Instances"][0]["InstanceId"]
    att = ec2.attach_network_interface(NetworkInterfaceId=eid, InstanceId=inst,
                                       DeviceIndex=1)["AttachmentId"]
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eid])["NetworkInterfaces"][0]
    assert got["Status"] == "in-use"
    assert got["Attachment"]["AttachmentId"] == att
    assert got["Attachment"]["InstanceId"] == inst
    assert got["Attachment"]["InstanceOwnerId"] == "000000000000"
    assert err(ec2.delete_network_interface, NetworkInterfaceId=eid) == \
        "InvalidNetworkInterface.InUse"
    assert err(ec2.delete_security_group, GroupId=sg) == "DependencyViolation"
    by_inst = ec2.describe_network_interfaces(
        Filters=[{"Name": "attachment.instance-id", "Values": [inst]}])["NetworkInterfaces"]
    assert sorted(e["Attachment"]["DeviceIndex"] for e in by_inst) == [0, 1]
    primary = [e for e in by_inst if e["Attachment"]["DeviceIndex"] == 0][0]
    assert err(ec2.detach_network_interface,
               AttachmentId=primary["Attachment"]["AttachmentId"]) == "OperationNotPermitted"
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eid,
                                           SourceDestCheck={"Value": False})
    ec2.modify_network_interface_attribute(
        NetworkInterfaceId=eid, Attachment={"AttachmentId": att, "DeleteOnTermination": True})
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eid])["NetworkInterfaces"][0]
    assert got["SourceDestCheck"] is False
    assert got["Attachment"]["DeleteOnTermination"] is True
    # Terminating takes the delete-on-termination interface with it.
    ec2.terminate_instances(InstanceIds=[inst])
    assert err(ec2.describe_network_interfaces, NetworkInterfaceIds=[eid]) == \
        "InvalidNetworkInterfaceID.NotFound"
    assert available(ec2, net["app"]) == before
    ec2.delete_security_group(GroupId=sg)


def test_eip_and_nat(ec2, net):
    alloc = ec2.allocate_address(Domain="vpc", TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "nat-ip"}]}])
    assert alloc["Domain"] == "vpc" and alloc["AllocationId"].startswith("eipalloc-")
    assert alloc["PublicIp"].startswith("203.0.113.")
    aid = alloc["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net["pub"], AllocationId=aid)["NatGateway"]
    assert nat["State"] == "pending" and nat["ConnectivityType"] == "public"
    addr = nat["NatGatewayAddresses"][0]
    assert addr["AllocationId"] == aid and addr["PublicIp"] == alloc["PublicIp"]
    assert addr["PrivateIp"].startswith("10.70.1.")
    nid = nat["NatGatewayId"]
    got = ec2.describe_nat_gateways(NatGatewayIds=[nid])["NatGateways"][0]
    assert got["State"] == "available"
    eni = ec2.describe_network_interfaces(
        NetworkInterfaceIds=[addr["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["InterfaceType"] == "nat_gateway" and eni["RequesterManaged"] is True
    assert eni["Description"] == f"Interface for NAT Gateway {nid}"
    assert eni["Association"]["PublicIp"] == alloc["PublicIp"]
    assert err(ec2.release_address, AllocationId=aid) == "InvalidIPAddress.InUse"
    assert err(ec2.create_nat_gateway, SubnetId=net["pub"], AllocationId=aid) == \
        "Resource.AlreadyAssociated"
    rt = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nid)

    def route_state():
        routes = ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"]
        return [r["State"] for r in routes if r.get("NatGatewayId") == nid]
    assert route_state() == ["active"]
    assert ec2.delete_nat_gateway(NatGatewayId=nid)["NatGatewayId"] == nid
    assert route_state() == ["blackhole"]
    got = ec2.describe_nat_gateways(
        Filters=[{"Name": "state", "Values": ["deleted"]}])["NatGateways"]
    assert [n["NatGatewayId"] for n in got] == [nid]
    assert "DeleteTime" in got[0]
    a = ec2.describe_addresses(AllocationIds=[aid])["Addresses"][0]
    assert "AssociationId" not in a and a["Tags"] == [{"Key": "Name", "Value": "nat-ip"}]
    ec2.release_address(AllocationId=aid)
    ec2.delete_route_table(RouteTableId=rt)


def test_isolation(vpcd, ec2, net):
    inst = ec2.run_instances(ImageId="ami-12345678", SubnetId=net["app"], MinCount=1,
                             MaxCount=1)["Instances"][0]["InstanceId"]
    other = vpcd.client(account="111111111111")
    assert err(other.describe_instances, InstanceIds=[inst]) == "InvalidInstanceID.NotFound"
    assert err(other.terminate_instances, InstanceIds=[inst]) == "InvalidInstanceID.NotFound"
    assert instances_of(other.describe_instances()) == []
    eu = vpcd.client(region="eu-west-1")
    assert err(eu.describe_instances, InstanceIds=[inst]) == "InvalidInstanceID.NotFound"
    got = instances_of(ec2.describe_instances(InstanceIds=[inst]))[0]
    assert got["State"]["Name"] == "running"
    ec2.terminate_instances(InstanceIds=[inst])


def test_restart_keeps_everything(vpcd, ec2, net):
    aid = ec2.allocate_address(Domain="vpc")["AllocationId"]
    r = ec2.run_instances(ImageId="ami-12345678", SubnetId=net["pub"], MinCount=1, MaxCount=1,
                          PrivateIpAddress="10.70.1.77")
    inst = r["Instances"][0]["InstanceId"]
    assoc = ec2.associate_address(AllocationId=aid, InstanceId=inst)["AssociationId"]
    eni = ec2.create_network_interface(SubnetId=net["app"], Description="persist")[
        "NetworkInterface"]["NetworkInterfaceId"]
    nat = ec2.create_nat_gateway(SubnetId=net["app"], ConnectivityType="private")[
        "NatGateway"]["NatGatewayId"]
    before = (available(ec2, net["pub"]), available(ec2, net["app"]))
    vpcd.kill()
    vpcd.start()
    ec2 = vpcd.client()
    got = instances_of(ec2.describe_instances(InstanceIds=[inst]))[0]
    assert got["PrivateIpAddress"] == "10.70.1.77" and got["State"]["Name"] == "running"
    assert got["PublicIpAddress"] == ec2.describe_addresses(
        AllocationIds=[aid])["Addresses"][0]["PublicIp"]
    a = ec2.describe_addresses(AllocationIds=[aid])["Addresses"][0]
    assert a["AssociationId"] == assoc and a["InstanceId"] == inst
    e = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert e["Description"] == "persist" and e["Status"] == "available"
    n = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]
    assert n["State"] == "available" and n["ConnectivityType"] == "private"
    assert (available(ec2, net["pub"]), available(ec2, net["app"])) == before
    assert err(ec2.run_instances, ImageId="ami-12345678", SubnetId=net["pub"], MinCount=1,
               MaxCount=1, PrivateIpAddress="10.70.1.77") == "InvalidIPAddress.InUse"
    ec2.disassociate_address(AssociationId=assoc)
    ec2.release_address(AllocationId=aid)
    ec2.terminate_instances(InstanceIds=[inst])
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_nat_gateway(NatGatewayId=nat)


def test_deleted_and_terminated_linger_an_hour():
    d = Vpcd(extra_args=("--dev",))
    try:
        ec2 = d.client()
        vpc = ec2.create_vpc(CidrBlock="10.72.0.0/16")["Vpc"]["VpcId"]
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.72.0.0/24")["Subnet"]["SubnetId"]
        inst = ec2.run_instances(ImageId="ami-12345678", SubnetId=sn, MinCount=1,
                                 MaxCount=1)["Instances"][0]["InstanceId"]
        nat = ec2.create_nat_gateway(SubnetId=sn, ConnectivityType="private")[
            "NatGateway"]["NatGatewayId"]
        ec2.terminate_instances(InstanceIds=[inst])
        ec2.delete_nat_gateway(NatGatewayId=nat)

        def advance(seconds):
            req = urllib.request.Request(f"{d.endpoint}/_vpcd/clock?advance={seconds}",
                                         method="POST")
            urllib.request.urlopen(req).read()
        advance(3500)
        assert instances_of(ec2.describe_instances(InstanceIds=[inst]))[0]["State"]["Name"] \
            == "terminated"
        assert ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] \
            == "deleted"
        advance(200)
        assert err(ec2.describe_instances, InstanceIds=[inst]) == "InvalidInstanceID.NotFound"
        assert err(ec2.describe_nat_gateways, NatGatewayIds=[nat]) == "NatGatewayNotFound"
        ec2.delete_subnet(SubnetId=sn)
    finally:
        d.close()


def test_public_nat_without_igw_fails(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.73.0.0/16")["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.73.0.0/24")["Subnet"]["SubnetId"]
    aid = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=sn, AllocationId=aid)["NatGateway"]
    assert nat["State"] == "pending"
    got = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]
    assert got["State"] == "failed"
    assert got["FailureCode"] == "Gateway.NotAttached"
    assert got["FailureMessage"] == f"Network {vpc} has no Internet gateway attached"
    assert available(ec2, sn) == 251
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[aid])["Addresses"][0]
    ec2.release_address(AllocationId=aid)
    assert message(ec2.create_nat_gateway, SubnetId=sn).startswith(
        "The request must contain the parameter AllocationId")


def test_network_interfaces_at_launch(ec2, net):
    sg = ec2.create_security_group(GroupName="launch", Description="l",
                                   VpcId=net["vpc"])["GroupId"]
    sn = ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.70.4.0/24")["Subnet"]["SubnetId"]
    inst = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": sn, "Groups": [sg], "PrivateIpAddress": "10.70.4.20",
         "Description": "primary"},
        {"DeviceIndex": 1, "SubnetId": sn}])["Instances"][0]
    nics = sorted(inst["NetworkInterfaces"], key=lambda n: n["Attachment"]["DeviceIndex"])
    assert [n["PrivateIpAddress"] for n in nics] == ["10.70.4.20", "10.70.4.4"]
    assert nics[0]["Description"] == "primary"
    assert [g["GroupId"] for g in nics[0]["Groups"]] == [sg]
    assert inst["SecurityGroups"] == [{"GroupId": sg, "GroupName": "launch"}]
    assert inst["PrivateIpAddress"] == "10.70.4.20"
    assert available(ec2, sn) == 249
    spare = ec2.create_network_interface(SubnetId=sn)["NetworkInterface"]["NetworkInterfaceId"]
    inst2 = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "NetworkInterfaceId": spare}])["Instances"][0]
    assert inst2["NetworkInterfaces"][0]["NetworkInterfaceId"] == spare
    assert inst2["NetworkInterfaces"][0]["Attachment"]["DeleteOnTermination"] is False
    assert err(ec2.run_instances, ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=sn,
               NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": sn}]) == \
        "InvalidParameterCombination"
    assert err(ec2.run_instances, ImageId="ami-12345678", MinCount=1, MaxCount=1,
               SubnetId=sn, SecurityGroups=["nope"]) == "InvalidGroup.NotFound"
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"], inst2["InstanceId"]])
    # The attached-at-launch spare was not delete-on-termination: it stays, detached.
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[spare])["NetworkInterfaces"][0]
    assert got["Status"] == "available"
    assert available(ec2, sn) == 250
    ec2.delete_network_interface(NetworkInterfaceId=spare)
    ec2.delete_subnet(SubnetId=sn)
    ec2.delete_security_group(GroupId=sg)


def test_eip_pool_and_quota_flags():
    d = Vpcd(extra_args=("--eip-pool", "198.18.5.0/30", "--quota", "eips-per-region=3"))
    try:
        ec2 = d.client()
        ips = [ec2.allocate_address(Domain="vpc")["PublicIp"] for _ in range(2)]
        assert ips == ["198.18.5.1", "198.18.5.2"]
        # The pool's network and broadcast addresses are never handed out.
        assert err(ec2.allocate_address, Domain="vpc") == "InsufficientAddressCapacity"
        assert err(d.client(account="111111111111").allocate_address) == \
            "InsufficientAddressCapacity"
    finally:
        d.close()
    d = Vpcd(extra_args=("--quota", "eips-per-region=2"))
    try:
        ec2 = d.client()
        for _ in range(2):
            ec2.allocate_address(Domain="vpc")
        assert err(ec2.allocate_address, Domain="vpc") == "AddressLimitExceeded"
        assert d.client(region="eu-west-1").allocate_address()["PublicIp"] == "203.0.113.3"
    finally:
        d.close()
