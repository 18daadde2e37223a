// The AWS SDK for JavaScript v3 parses EC2's XML strictly; drive vpcd with it.
// usage: node ec2.test.mjs <endpoint>
import {
  EC2Client, CreateVpcCommand, DescribeVpcsCommand, CreateSubnetCommand, DescribeSubnetsCommand,
  CreateRouteTableCommand, DescribeRouteTablesCommand, CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand, AuthorizeSecurityGroupIngressCommand, DeleteVpcCommand,
} from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";

const endpoint = process.argv[2];
const ec2 = new EC2Client({
  endpoint, region: "eu-central-1", maxAttempts: 1,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
let passed = 0, failed = 0;
async function check(name, fn) {
  try { await fn(); passed++; console.log(`ok   ${name}`); }
  catch (e) { failed++; console.log(`FAIL ${name}: ${e.stack || e}`); }
}

let vpcId, subnetId, rtbId, sgId;
await check("CreateVpc", async () => {
  const r = await ec2.send(new CreateVpcCommand({
    CidrBlock: "10.20.0.0/16",
    TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "js" }] }],
  }));
  vpcId = r.Vpc.VpcId;
  assert.match(vpcId, /^vpc-[0-9a-f]{17}$/);
  assert.equal(r.Vpc.CidrBlock, "10.20.0.0/16");
  assert.equal(r.Vpc.IsDefault, false);
  assert.deepEqual(r.Vpc.Tags, [{ Key: "Name", Value: "js" }]);
});
await check("DescribeVpcs", async () => {
  const r = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
  assert.equal(r.Vpcs.length, 1);
  assert.equal(r.Vpcs[0].State, "available");
  assert.equal(r.Vpcs[0].OwnerId, "000000000000");
  assert.equal(r.Vpcs[0].CidrBlockAssociationSet[0].CidrBlockState.State, "associated");
});
await check("CreateSubnet", async () => {
  const r = await ec2.send(new CreateSubnetCommand({
    VpcId: vpcId, CidrBlock: "10.20.1.0/24", AvailabilityZone: "eu-central-1b",
  }));
  subnetId = r.Subnet.SubnetId;
  assert.equal(r.Subnet.AvailableIpAddressCount, 251);
  assert.equal(r.Subnet.AvailabilityZone, "eu-central-1b");
  assert.equal(r.Subnet.MapPublicIpOnLaunch, false);
});
await check("DescribeSubnets", async () => {
  const r = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
  assert.equal(r.Subnets.length, 1);
  assert.equal(r.Subnets[0].SubnetId, subnetId);
  assert.equal(r.Subnets[0].CidrBlock, "10.20.1.0/24");
});
await check("CreateRouteTable", async () => {
  const r = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  rtbId = r.RouteTable.RouteTableId;
  assert.match(rtbId, /^rtb-[0-9a-f]{17}$/);
  assert.equal(r.RouteTable.Routes.length, 1);
  assert.equal(r.RouteTable.Routes[0].GatewayId, "local");
});
await check("DescribeRouteTables", async () => {
  const r = await ec2.send(new DescribeRouteTablesCommand({
    Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "association.main", Values: ["true"] }],
  }));
  assert.equal(r.RouteTables.length, 1);
  assert.equal(r.RouteTables[0].Associations[0].Main, true);
  assert.equal(r.RouteTables[0].Routes[0].DestinationCidrBlock, "10.20.0.0/16");
  assert.equal(r.RouteTables[0].Routes[0].State, "active");
});
await check("CreateSecurityGroup", async () => {
  const r = await ec2.send(new CreateSecurityGroupCommand({
    GroupName: "web", Description: "web servers", VpcId: vpcId,
  }));
  sgId = r.GroupId;
  assert.match(sgId, /^sg-[0-9a-f]{17}$/);
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({
    GroupId: sgId,
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
  }));
});
await check("DescribeSecurityGroups", async () => {
  const r = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sgId] }));
  const g = r.SecurityGroups[0];
  assert.equal(g.GroupName, "web");
  assert.equal(g.VpcId, vpcId);
  assert.equal(g.IpPermissions.length, 1);
  assert.equal(g.IpPermissions[0].FromPort, 443);
  assert.equal(g.IpPermissions[0].IpRanges[0].CidrIp, "0.0.0.0/0");
  assert.equal(g.IpPermissionsEgress[0].IpProtocol, "-1");
});
await check("errors parse as EC2 errors", async () => {
  await assert.rejects(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })),
    (e) => e.name === "DependencyViolation" && e.$metadata.httpStatusCode === 400);
  await assert.rejects(ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] })),
    (e) => e.name === "InvalidVpcID.NotFound");
});
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
