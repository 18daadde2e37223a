"""Amazon-provided DNS names in DescribeInstances / DescribeNetworkInterfaces: the private name
always, the public name of an instance's public address only while its VPC has both DNS
support and DNS hostnames on (reference 2.3), in each region's form."""
import pytest


def launch(ec2, region_az, cidr, ip, hostnames):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("0.0/16", "1.0/24"),
                           AvailabilityZone=region_az)["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    iid = ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1,
                            MaxCount=1, SubnetId=sn, PrivateIpAddress=ip)["Instances"][0][
        "InstanceId"]
    alloc = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=alloc["AllocationId"], InstanceId=iid)
    return vpc, iid, alloc["PublicIp"]


def describe(ec2, iid):
    return ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]


def dashed(ip):
    return ip.replace(".", "-")


def test_public_name_follows_dns_hostnames_in_us_east_1(vpcd):
    ec2 = vpcd.client()
    vpc, iid, pub = launch(ec2, "us-east-1a", "10.80.0.0/16", "10.80.1.5", hostnames=False)
    got = describe(ec2, iid)
    assert got["PrivateDnsName"] == "ip-10-80-1-5.ec2.internal"
    assert got["PublicIpAddress"] == pub
    assert got["PublicDnsName"] == ""
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    name = f"ec2-{dashed(pub)}.compute-1.amazonaws.com"
    assert describe(ec2, iid)["PublicDnsName"] == name
    eni = describe(ec2, iid)["NetworkInterfaces"][0]
    assert eni["Association"]["PublicDnsName"] == name
    assert eni["PrivateIpAddresses"][0]["Association"]["PublicDnsName"] == name
    # DNS support off: no public names either.
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    assert describe(ec2, iid)["PublicDnsName"] == ""


def test_public_name_in_another_region(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    _, iid, pub = launch(ec2, "eu-west-1a", "10.81.0.0/16", "10.81.1.5", hostnames=True)
    got = describe(ec2, iid)
    assert got["PrivateDnsName"] == "ip-10-81-1-5.eu-west-1.compute.internal"
    assert got["PublicDnsName"] == f"ec2-{dashed(pub)}.eu-west-1.compute.amazonaws.com"
