"""VPC flow logs through boto3: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs."""
import datetime
import json
import os
import re
import sqlite3

import pytest
from botocore.exceptions import ClientError

from conftest import error_code

DEFAULT_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}")
CUSTOM_FORMAT = (
    "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${srcaddr} ${pkt-srcaddr} "
    "${tcp-flags} ${type} ${region} ${az-id} ${flow-direction} ${traffic-path} ${action}")
TGW_DEFAULT_FORMAT = (
    "${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} "
    "${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ${tgw-src-vpc-id} ${tgw-dst-vpc-id} "
    "${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} "
    "${tgw-dst-az-id} ${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} "
    "${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} "
    "${packets-lost-ttl-expired} ${tcp-flags} ${region} ${flow-direction} "
    "${pkt-src-aws-service} ${pkt-dst-aws-service}")
ROLE = "arn:aws:iam::000000000000:role/flow-logs"


def failure(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    return error_code(e), e.value.response["Error"]["Message"]


@pytest.fixture
def net(vpcd, ec2):
    """A VPC with a subnet and an ENI; everything (flow logs included) is deleted afterwards."""
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    yield {"vpc": vpc, "subnet": subnet, "eni": eni}
    ids = [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]]
    if ids:
        ec2.delete_flow_logs(FlowLogIds=ids)
    for e in ec2.describe_network_interfaces(
            Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkInterfaces"]:
        ec2.delete_network_interface(NetworkInterfaceId=e["NetworkInterfaceId"])
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    ec2.delete_vpc(VpcId=vpc)


def one(ec2, flow_log_id):
    logs = ec2.describe_flow_logs(FlowLogIds=[flow_log_id])["FlowLogs"]
    assert len(logs) == 1
    return logs[0]


def s3_log(ec2, resource, rtype="VPC", traffic="ALL", dest="arn:aws:s3:::flow-bucket", **kw):
    r = ec2.create_flow_logs(ResourceIds=[resource], ResourceType=rtype, TrafficType=traffic,
                             LogDestinationType="s3", LogDestination=dest, **kw)
    assert r["Unsuccessful"] == [], r["Unsuccessful"]
    assert len(r["FlowLogIds"]) == 1
    return r["FlowLogIds"][0]


def test_vpc_to_s3_with_custom_format(ec2, net):
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    r = ec2.create_flow_logs(
        ResourceIds=[net["vpc"]], ResourceType="VPC", TrafficType="ACCEPT",
        LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket/team/a/",
        LogFormat=CUSTOM_FORMAT, MaxAggregationInterval=60,
        TagSpecifications=[{"ResourceType": "vpc-flow-log",
                            "Tags": [{"Key": "Name", "Value": "vpc-s3"}]}])
    assert r["Unsuccessful"] == []
    assert "ClientToken" not in r
    (flid,) = r["FlowLogIds"]
    assert re.fullmatch(r"fl-[0-9a-f]{17}", flid)
    fl = one(ec2, flid)
    created = fl.pop("CreationTime")
    after = datetime.datetime.now(datetime.timezone.utc)
    assert before <= created <= after
    assert fl == {
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogId": flid,
        "FlowLogStatus": "ACTIVE",
        "ResourceId": net["vpc"],
        "TrafficType": "ACCEPT",
        "LogDestinationType": "s3",
        "LogDestination": "arn:aws:s3:::flow-bucket/team/a/",
        "LogFormat": CUSTOM_FORMAT,
        "Tags": [{"Key": "Name", "Value": "vpc-s3"}],
        "MaxAggregationInterval": 60,
        "DestinationOptions": {"FileFormat": "plain-text", "HiveCompatiblePartitions": False,
                               "PerHourPartition": False},
    }


def test_default_format_and_interval(ec2, net):
    fl = one(ec2, s3_log(ec2, net["vpc"]))
    assert fl["LogFormat"] == DEFAULT_FORMAT
    assert fl["MaxAggregationInterval"] == 600
    assert fl["LogDestination"] == "arn:aws:s3:::flow-bucket"


def test_subnet_to_cloudwatch_logs(ec2, net):
    # LogDestinationType defaults to cloud-watch-logs.
    r = ec2.create_flow_logs(ResourceIds=[net["subnet"]], ResourceType="Subnet",
                             TrafficType="REJECT", LogGroupName="/vpc/flow-logs",
                             DeliverLogsPermissionArn=ROLE)
    assert r["Unsuccessful"] == []
    fl = one(ec2, r["FlowLogIds"][0])
    assert fl["LogDestinationType"] == "cloud-watch-logs"
    assert fl["LogGroupName"] == "/vpc/flow-logs"
    assert fl["DeliverLogsPermissionArn"] == ROLE
    assert fl["ResourceId"] == net["subnet"]
    assert fl["TrafficType"] == "REJECT"
    assert "LogDestination" not in fl
    assert "DestinationOptions" not in fl
    assert "DeliverLogsErrorMessage" not in fl


def test_cloudwatch_log_group_arn(ec2, net):
    arn = "arn:aws:logs:us-east-1:000000000000:log-group:my-group:*"
    r = ec2.create_flow_logs(ResourceIds=[net["eni"]], ResourceType="NetworkInterface",
                             TrafficType="ALL", LogDestinationType="cloud-watch-logs",
                             LogDestination=arn, DeliverLogsPermissionArn=ROLE)
    fl = one(ec2, r["FlowLogIds"][0])
    assert fl["LogGroupName"] == "my-group"
    assert fl["LogDestination"] == arn
    assert fl["ResourceId"] == net["eni"]


def test_cloudwatch_parameter_errors(ec2, net):
    base = dict(ResourceIds=[net["vpc"]], ResourceType="VPC", TrafficType="ALL")
    code, msg = failure(ec2.create_flow_logs, LogGroupName="g", **base)
    assert code == "InvalidParameter"
    assert "DeliverLogsPermissionArn" in msg
    code, msg = failure(ec2.create_flow_logs, DeliverLogsPermissionArn=ROLE, **base)
    assert (code, "LogGroupName" in msg) == ("InvalidParameter", True)
    code, _ = failure(ec2.create_flow_logs, LogGroupName="g", DeliverLogsPermissionArn="role",
                      **base)
    assert code == "InvalidParameter"
    code, _ = failure(ec2.create_flow_logs, LogGroupName="bad name", DeliverLogsPermissionArn=ROLE,
                      **base)
    assert code == "InvalidParameter"
    code, _ = failure(ec2.create_flow_logs, LogGroupName="a/../b", DeliverLogsPermissionArn=ROLE,
                      **base)
    assert code == "InvalidParameter"
    code, _ = failure(ec2.create_flow_logs, LogDestination="arn:aws:logs:us-east-1:1:log-group:g",
                      DeliverLogsPermissionArn=ROLE, **base)
    assert code == "InvalidParameter"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_s3_destination_errors(ec2, net):
    base = dict(ResourceIds=[net["vpc"]], ResourceType="VPC", TrafficType="ALL",
                LogDestinationType="s3")
    for dest in ["arn:aws:s3:::Bad_Bucket", "arn:aws:s3:::ab", "arn:aws:s3:::192.168.1.1",
                 "arn:aws:s3:::bucket-x/AWSLogs/", "arn:aws:s3:::bucket-x//p",
                 "arn:aws:logs:us-east-1:000000000000:log-group:g", "bucket-x"]:
        code, msg = failure(ec2.create_flow_logs, LogDestination=dest, **base)
        assert code == "InvalidParameter", dest
        assert dest in msg, msg
    assert failure(ec2.create_flow_logs, **base)[0] == "InvalidParameter"
    assert failure(ec2.create_flow_logs, LogDestination="arn:aws:s3:::bucket-x",
                   LogGroupName="g", **base)[0] == "InvalidParameter"
    assert failure(ec2.create_flow_logs, LogDestination="arn:aws:s3:::bucket-x",
                   DeliverLogsPermissionArn=ROLE, **base)[0] == "InvalidParameter"
    assert failure(ec2.create_flow_logs, LogDestination="arn:aws:s3:::bucket-x",
                   DestinationOptions={"FileFormat": "parquet"}, **base)[0] == \
        "InvalidParameterValue"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_firehose_refused(ec2, net):
    code, msg = failure(ec2.create_flow_logs, ResourceIds=[net["vpc"]], ResourceType="VPC",
                        TrafficType="ALL", LogDestinationType="kinesis-data-firehose",
                        LogDestination="arn:aws:firehose:us-east-1:000000000000:"
                                       "deliverystream:s")
    assert code == "InvalidParameter"
    assert "Firehose" in msg


def test_traffic_type_required(ec2, net):
    code, msg = failure(ec2.create_flow_logs, ResourceIds=[net["vpc"]], ResourceType="VPC",
                        LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket")
    assert code == "MissingParameter"
    assert "TrafficType" in msg


def test_bad_log_format(ec2, net):
    base = dict(ResourceIds=[net["vpc"]], ResourceType="VPC", TrafficType="ALL",
                LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket")
    code, msg = failure(ec2.create_flow_logs, LogFormat="${version} ${no-such-field}", **base)
    assert code == "InvalidParameter"
    assert msg.startswith("LogFormat has an unknown field")
    assert "${no-such-field}" in msg
    code, msg = failure(ec2.create_flow_logs, LogFormat="${srcaddr} ${srcaddr}", **base)
    assert code == "InvalidParameter"
    assert "duplicate" in msg
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_vpc_log_format_refuses_tgw_fields(ec2, net):
    base = dict(ResourceIds=[net["vpc"]], ResourceType="VPC", TrafficType="ALL",
                LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket")
    code, msg = failure(ec2.create_flow_logs, LogFormat="${version} ${srcaddr} ${tgw-id}", **base)
    assert (code, msg) == (
        "InvalidParameter",
        "LogFormat has the field ${tgw-id}, which only transit gateway flow logs (ResourceType "
        "TransitGateway or TransitGatewayAttachment) have")
    code, _ = failure(ec2.create_flow_logs, LogFormat="${packets-lost-no-route}",
                      ResourceIds=[net["eni"]], ResourceType="NetworkInterface",
                      TrafficType="ALL", LogDestinationType="s3",
                      LogDestination="arn:aws:s3:::flow-bucket")
    assert code == "InvalidParameter"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_bad_max_aggregation_interval(ec2, net):
    code, msg = failure(ec2.create_flow_logs, ResourceIds=[net["vpc"]], ResourceType="VPC",
                        TrafficType="ALL", LogDestinationType="s3",
                        LogDestination="arn:aws:s3:::flow-bucket", MaxAggregationInterval=120)
    assert code == "InvalidParameter"
    assert "MaxAggregationInterval" in msg


def test_unsuccessful_items(ec2, net):
    missing_vpc = "vpc-0123456789abcdef0"
    r = ec2.create_flow_logs(ResourceIds=[missing_vpc, net["vpc"], "vpc-zz"], ResourceType="VPC",
                             TrafficType="ALL", LogDestinationType="s3",
                             LogDestination="arn:aws:s3:::flow-bucket")
    assert len(r["FlowLogIds"]) == 1
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in r["Unsuccessful"]] == [
        (missing_vpc, "InvalidVpcID.NotFound"), ("vpc-zz", "InvalidVpcID.Malformed")]
    assert one(ec2, r["FlowLogIds"][0])["ResourceId"] == net["vpc"]
    for rtype, rid, code in [("Subnet", "subnet-0123456789abcdef0", "InvalidSubnetID.NotFound"),
                             ("NetworkInterface", "eni-0123456789abcdef0",
                              "InvalidNetworkInterfaceID.NotFound")]:
        r = ec2.create_flow_logs(ResourceIds=[rid], ResourceType=rtype, TrafficType="ALL",
                                 LogDestinationType="s3",
                                 LogDestination="arn:aws:s3:::flow-bucket")
        assert r["FlowLogIds"] == []
        assert [(u["ResourceId"], u["Error"]["Code"]) for u in r["Unsuccessful"]] == \
            [(rid, code)]


def test_duplicate_and_limit(ec2, net):
    first = s3_log(ec2, net["eni"], rtype="NetworkInterface")
    r = ec2.create_flow_logs(ResourceIds=[net["eni"]], ResourceType="NetworkInterface",
                             TrafficType="ALL", LogDestinationType="s3",
                             LogDestination="arn:aws:s3:::flow-bucket")
    assert r["FlowLogIds"] == []
    (u,) = r["Unsuccessful"]
    assert (u["ResourceId"], u["Error"]["Code"]) == (net["eni"], "FlowLogAlreadyExists")
    assert first in u["Error"]["Message"]
    # Another traffic type is another flow log: the second and last one the ENI may have.
    second = s3_log(ec2, net["eni"], rtype="NetworkInterface", traffic="REJECT")
    r = ec2.create_flow_logs(ResourceIds=[net["eni"]], ResourceType="NetworkInterface",
                             TrafficType="ACCEPT", LogGroupName="g",
                             DeliverLogsPermissionArn=ROLE)
    assert r["FlowLogIds"] == []
    assert [u["Error"]["Code"] for u in r["Unsuccessful"]] == ["FlowLogsLimitExceeded"]
    # The subnet has its own quota; one resource named twice is a duplicate of itself.
    r = ec2.create_flow_logs(ResourceIds=[net["subnet"], net["subnet"]], ResourceType="Subnet",
                             TrafficType="ALL", LogDestinationType="s3",
                             LogDestination="arn:aws:s3:::flow-bucket")
    assert len(r["FlowLogIds"]) == 1
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in r["Unsuccessful"]] == \
        [(net["subnet"], "FlowLogAlreadyExists")]
    ids = {f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]}
    assert ids == {first, second, r["FlowLogIds"][0]}


def test_describe_filters(ec2, net):
    a = s3_log(ec2, net["vpc"], traffic="ACCEPT",
               TagSpecifications=[{"ResourceType": "vpc-flow-log",
                                   "Tags": [{"Key": "team", "Value": "red"}]}])
    b = ec2.create_flow_logs(ResourceIds=[net["subnet"]], ResourceType="Subnet",
                             TrafficType="REJECT", LogGroupName="grp-b",
                             DeliverLogsPermissionArn=ROLE,
                             TagSpecifications=[{"ResourceType": "vpc-flow-log",
                                                 "Tags": [{"Key": "team", "Value": "blue"}]}]
                             )["FlowLogIds"][0]
    c = s3_log(ec2, net["eni"], rtype="NetworkInterface", traffic="ALL")

    def ids(name, *values):
        logs = ec2.describe_flow_logs(Filters=[{"Name": name, "Values": list(values)}])
        return [f["FlowLogId"] for f in logs["FlowLogs"]]

    assert ids("resource-id", net["subnet"]) == [b]
    assert ids("resource-id", net["vpc"], net["eni"]) == [a, c]
    assert ids("traffic-type", "ACCEPT") == [a]
    assert ids("traffic-type", "REJECT", "ALL") == [b, c]
    assert ids("log-destination-type", "s3") == [a, c]
    assert ids("log-destination-type", "cloud-watch-logs") == [b]
    assert ids("flow-log-id", c) == [c]
    assert ids("log-group-name", "grp-b") == [b]
    assert ids("log-group-name", "grp-*") == [b]
    assert ids("deliver-log-status", "SUCCESS") == [a, b, c]
    assert ids("deliver-log-status", "FAILED") == []
    assert ids("tag:team", "red") == [a]
    assert ids("tag-key", "team") == [a, b]
    assert failure(ec2.describe_flow_logs,
                   Filters=[{"Name": "no-such", "Values": ["x"]}])[0] == "InvalidParameterValue"
    # Filters and ids combine.
    got = ec2.describe_flow_logs(FlowLogIds=[a, b],
                                 Filters=[{"Name": "tag:team", "Values": ["blue"]}])
    assert [f["FlowLogId"] for f in got["FlowLogs"]] == [b]


def test_describe_unknown_ids_is_empty(ec2, net):
    a = s3_log(ec2, net["vpc"])
    assert ec2.describe_flow_logs(FlowLogIds=["fl-0123456789abcdef0"])["FlowLogs"] == []
    assert ec2.describe_flow_logs(FlowLogIds=["fl-*"])["FlowLogs"] == []
    got = ec2.describe_flow_logs(FlowLogIds=["fl-0123456789abcdef0", a])["FlowLogs"]
    assert [f["FlowLogId"] for f in got] == [a]


def test_paging(ec2, net):
    made = []
    for i in range(7):
        eni = ec2.create_network_interface(SubnetId=net["subnet"])["NetworkInterface"]
        made.append(s3_log(ec2, eni["NetworkInterfaceId"], rtype="NetworkInterface"))
    page = ec2.describe_flow_logs(MaxResults=5)
    assert [f["FlowLogId"] for f in page["FlowLogs"]] == made[:5]
    page2 = ec2.describe_flow_logs(MaxResults=5, NextToken=page["NextToken"])
    assert [f["FlowLogId"] for f in page2["FlowLogs"]] == made[5:]
    assert "NextToken" not in page2
    pages = ec2.get_paginator("describe_flow_logs").paginate(PaginationConfig={"PageSize": 5})
    assert [f["FlowLogId"] for p in pages for f in p["FlowLogs"]] == made
    assert failure(ec2.describe_flow_logs, MaxResults=4)[0] == "InvalidParameterValue"
    assert failure(ec2.describe_flow_logs, MaxResults=5, FlowLogIds=made[:1])[0] == \
        "InvalidParameterCombination"
    assert failure(ec2.describe_flow_logs, NextToken="nonsense")[0] == "InvalidPaginationToken"


def test_tags(ec2, net):
    flid = s3_log(ec2, net["vpc"])
    assert failure(ec2.create_flow_logs, ResourceIds=[net["subnet"]], ResourceType="Subnet",
                   TrafficType="ALL", LogDestinationType="s3",
                   LogDestination="arn:aws:s3:::flow-bucket",
                   TagSpecifications=[{"ResourceType": "vpc",
                                       "Tags": [{"Key": "k", "Value": "v"}]}])[0] == \
        "InvalidParameterValue"
    ec2.create_tags(Resources=[flid], Tags=[{"Key": "env", "Value": "test"}])
    assert one(ec2, flid)["Tags"] == [{"Key": "env", "Value": "test"}]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [flid]}])["Tags"]
    assert tags == [{"Key": "env", "Value": "test", "ResourceId": flid,
                     "ResourceType": "vpc-flow-log"}]
    ec2.delete_tags(Resources=[flid], Tags=[{"Key": "env"}])
    assert one(ec2, flid)["Tags"] == []


def test_delete(ec2, net):
    a = s3_log(ec2, net["vpc"])
    b = s3_log(ec2, net["subnet"], rtype="Subnet")
    missing = "fl-0123456789abcdef0"
    r = ec2.delete_flow_logs(FlowLogIds=[a, missing])
    (u,) = r["Unsuccessful"]
    assert (u["ResourceId"], u["Error"]["Code"]) == (missing, "InvalidFlowLogId.NotFound")
    assert [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]] == [b]
    assert ec2.delete_flow_logs(FlowLogIds=[b])["Unsuccessful"] == []
    assert ec2.delete_flow_logs(FlowLogIds=[b])["Unsuccessful"][0]["Error"]["Code"] == \
        "InvalidFlowLogId.NotFound"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_client_token(ec2, net):
    kw = dict(ResourceIds=[net["vpc"], net["subnet"]], ResourceType="VPC", TrafficType="ALL",
              LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket",
              ClientToken="tok-1")
    # The subnet is not a VPC: one flow log, one unsuccessful item.
    r1 = ec2.create_flow_logs(**kw)
    assert r1["ClientToken"] == "tok-1"
    assert len(r1["FlowLogIds"]) == 1
    r2 = ec2.create_flow_logs(**kw)
    assert r2["FlowLogIds"] == r1["FlowLogIds"]
    assert len(ec2.describe_flow_logs()["FlowLogs"]) == 1
    kw["TrafficType"] = "REJECT"
    assert failure(ec2.create_flow_logs, **kw)[0] == "IdempotentParameterMismatch"


def test_dry_run(ec2, net):
    assert failure(ec2.create_flow_logs, DryRun=True, ResourceIds=[net["vpc"]],
                   ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                   LogDestination="arn:aws:s3:::flow-bucket")[0] == "DryRunOperation"
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_flow_logs_of_deleted_resources_go(ec2, net):
    # AWS removes the flow logs of deleted resources; vpcd at the next flow-log request.
    eni_log = s3_log(ec2, net["eni"], rtype="NetworkInterface")
    vpc_log = s3_log(ec2, net["vpc"])
    ec2.delete_network_interface(NetworkInterfaceId=net["eni"])
    assert [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]] == [vpc_log]
    assert ec2.delete_flow_logs(FlowLogIds=[eni_log])["Unsuccessful"][0]["Error"]["Code"] == \
        "InvalidFlowLogId.NotFound"


def test_transit_gateway_flow_logs(vpcd):
    ec2 = vpcd.client(region="us-west-2")
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    base = dict(ResourceIds=[tgw], ResourceType="TransitGateway", LogDestinationType="s3",
                LogDestination="arn:aws:s3:::tgw-logs")
    code, msg = failure(ec2.create_flow_logs, TrafficType="ALL", **base)
    assert code == "InvalidParameter"
    assert "TrafficType" in msg
    code, msg = failure(ec2.create_flow_logs, MaxAggregationInterval=600, **base)
    assert code == "InvalidParameter"
    assert "60" in msg
    r = ec2.create_flow_logs(**base)
    assert r["Unsuccessful"] == []
    fl = one(ec2, r["FlowLogIds"][0])
    assert (fl["ResourceId"], fl["TrafficType"], fl["MaxAggregationInterval"]) == (tgw, "ALL", 60)
    r = ec2.create_flow_logs(ResourceIds=["tgw-0123456789abcdef0"], ResourceType="TransitGateway",
                             LogDestinationType="s3", LogDestination="arn:aws:s3:::tgw-logs")
    assert [u["Error"]["Code"] for u in r["Unsuccessful"]] == ["InvalidTransitGatewayID.NotFound"]
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    att = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[sn]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    r = ec2.create_flow_logs(ResourceIds=[att], ResourceType="TransitGatewayAttachment",
                             LogDestinationType="s3", LogDestination="arn:aws:s3:::tgw-logs",
                             MaxAggregationInterval=60)
    assert r["Unsuccessful"] == []
    assert one(ec2, r["FlowLogIds"][0])["ResourceId"] == att


def test_transit_gateway_log_format(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    att = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[sn]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]

    # Without LogFormat: every transit gateway field, in AWS's order (36 of them).
    r = ec2.create_flow_logs(ResourceIds=[tgw], ResourceType="TransitGateway",
                             LogDestinationType="s3", LogDestination="arn:aws:s3:::tgw-default")
    assert r["Unsuccessful"] == []
    tgw_log = r["FlowLogIds"][0]
    assert one(ec2, tgw_log)["LogFormat"] == TGW_DEFAULT_FORMAT
    assert len(TGW_DEFAULT_FORMAT.split()) == 36
    r = ec2.create_flow_logs(ResourceIds=[att], ResourceType="TransitGatewayAttachment",
                             LogDestinationType="cloud-watch-logs", LogGroupName="/tgw/flow",
                             DeliverLogsPermissionArn=ROLE)
    assert r["Unsuccessful"] == []
    att_log = r["FlowLogIds"][0]
    assert one(ec2, att_log)["LogFormat"] == TGW_DEFAULT_FORMAT

    # A custom format of TGW fields, the shared ones included, describes as given.
    custom = "${tgw-attachment-id} ${srcaddr} ${packets-lost-blackhole} ${flow-direction}"
    r = ec2.create_flow_logs(ResourceIds=[tgw], ResourceType="TransitGateway",
                             LogDestinationType="s3", LogDestination="arn:aws:s3:::tgw-custom",
                             LogFormat=custom)
    assert r["Unsuccessful"] == []
    custom_log = r["FlowLogIds"][0]
    assert one(ec2, custom_log)["LogFormat"] == custom

    # VPC-only fields are refused for both TGW resource types, and nothing is created.
    base = dict(LogDestinationType="s3", LogDestination="arn:aws:s3:::tgw-refused")
    code, msg = failure(ec2.create_flow_logs, ResourceIds=[tgw], ResourceType="TransitGateway",
                        LogFormat="${version} ${interface-id}", **base)
    assert (code, msg) == (
        "InvalidParameter",
        "LogFormat has the field ${interface-id}, which transit gateway flow logs do not have")
    for field in ("action", "vpc-id", "traffic-path"):
        code, msg = failure(ec2.create_flow_logs, ResourceIds=[att],
                            ResourceType="TransitGatewayAttachment",
                            LogFormat="${srcaddr} ${%s}" % field, **base)
        assert code == "InvalidParameter"
        assert "${%s}" % field in msg
    ids = {f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]}
    assert ids == {tgw_log, att_log, custom_log}

    # The formats survive a restart (stored state is parsed in the resource type's scope), and
    # a TGW flow log stored before TGW formats existed (holding the VPC default) still loads.
    vpcd.stop()
    db = sqlite3.connect(os.path.join(vpcd.dir, "db", "vpcd.db"))
    (body,) = db.execute("SELECT body FROM objects WHERE id=?", (att_log,)).fetchone()
    body = json.loads(body)
    assert body["format"] == TGW_DEFAULT_FORMAT
    body["format"] = DEFAULT_FORMAT
    db.execute("UPDATE objects SET body=? WHERE id=?", (json.dumps(body), att_log))
    db.commit()
    db.close()
    vpcd.start()
    ec2 = vpcd.client(region="eu-west-1")
    assert one(ec2, tgw_log)["LogFormat"] == TGW_DEFAULT_FORMAT
    assert one(ec2, att_log)["LogFormat"] == DEFAULT_FORMAT
    assert one(ec2, custom_log)["LogFormat"] == custom
    ec2.delete_flow_logs(FlowLogIds=[tgw_log, att_log, custom_log])


def test_persistence_across_restart(vpcd, net):
    ec2 = vpcd.client()
    a = s3_log(ec2, net["vpc"], dest="arn:aws:s3:::flow-bucket/p", LogFormat=CUSTOM_FORMAT,
               MaxAggregationInterval=60,
               TagSpecifications=[{"ResourceType": "vpc-flow-log",
                                   "Tags": [{"Key": "k", "Value": "v"}]}])
    ec2.create_flow_logs(ResourceIds=[net["subnet"]], ResourceType="Subnet", TrafficType="REJECT",
                         LogGroupName="/g", DeliverLogsPermissionArn=ROLE)
    before = ec2.describe_flow_logs()["FlowLogs"]
    assert len(before) == 2
    vpcd.stop()
    vpcd.start()
    ec2 = vpcd.client()
    assert ec2.describe_flow_logs()["FlowLogs"] == before
    assert one(ec2, a)["LogFormat"] == CUSTOM_FORMAT
    # The quota and duplicate checks still see the restored flow logs.
    r = ec2.create_flow_logs(ResourceIds=[net["vpc"]], ResourceType="VPC", TrafficType="ALL",
                             LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket/p")
    assert [u["Error"]["Code"] for u in r["Unsuccessful"]] == ["FlowLogAlreadyExists"]
