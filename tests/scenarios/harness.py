"""The scenario harness: network designs built through the EC2 API, verdicts checked through
Network Insights (CreateNetworkInsightsPath, StartNetworkInsightsAnalysis,
DescribeNetworkInsightsAnalyses).

A scenario is data, so the data-plane suite can replay it with real packets:
  - build(w) takes a World, creates the topology through the API and returns the named
    endpoints {name: id} (instances, ENIs, gateways, pcx, TGW route tables ...);
  - expects is a list of Expect: source, destination (name) or destination IP, protocol, port,
    whether a path is found, and when not, the explanation code, the direction it happens on
    and the components it names; optionally components that must be on each path.
"""
import dataclasses
import re

import boto3
import botocore.config

AMI = "ami-12345678"
ACCOUNT = "000000000000"
REGION = "us-east-1"
INTERNET_HOST = "198.51.100.1"  # the documentation-range test host of the "internet"

STATS = {"scenarios": 0, "scenarios_failed": 0, "verdicts": 0, "verdicts_failed": 0}

_ID = re.compile(r"^[a-z]+(-[a-z]+)*-[0-9a-f]{8,17}$")


@dataclasses.dataclass(frozen=True)
class Expect:
    """One verdict. src/dst/at/fwd/ret name endpoints returned by the scenario's build()."""
    src: str
    dst: str = None            # endpoint name; or
    ip: str = None             # DestinationIp (a literal address)
    by_ip: bool = False        # name dst by its private IP (ids resolve in the caller's region
                               # and account only: this reaches another region's instance)
    proto: str = "tcp"
    port: int = 22
    found: bool = True
    code: str = None           # Explanations[0].ExplanationCode when not found
    on: str = "forward"        # the direction the drop is on: "forward" | "return"
    at: tuple = ()             # names whose ids the explanation mentions
    rule: int = None           # the explanation's AclRule.RuleNumber
    direction: str = None      # the explanation's Direction (ingress | egress)
    fwd: tuple = ()            # names on the forward path, in this order
    ret: tuple = ()            # names on the return path, in this order
    fwd_not: tuple = ()        # names never on the forward path
    ret_not: tuple = ()
    same_on_both: tuple = ()   # exactly one of these names is on both paths, the same one

    def label(self):
        to = self.dst or self.ip
        return f"{self.src} -> {to} {self.proto}/{self.port}"


@dataclasses.dataclass
class Scenario:
    name: str
    build: object
    expects: list
    doc: str = ""


def registry(into):
    """@scenario(Expect(...), ...) on a build function appends a Scenario to `into`."""
    def scenario(*expects):
        def wrap(build):
            into.append(Scenario(build.__name__, build, list(expects),
                                 (build.__doc__ or "").strip()))
            return build
        return wrap
    return scenario


class World:
    """Clients for every account and region, and builders that remember which account and
    region owns each resource, so later calls about it go to the right place."""

    def __init__(self, endpoint, reset):
        self.endpoint = endpoint
        self._reset = reset
        self._clients = {}
        self.owner = {}
        self.alias = {}   # instance id <-> its primary ENI id
        self.enis = {}    # instance id -> primary ENI id
        self.ips = {}     # instance id -> primary private IP

    def reset(self):
        self._reset()
        self.owner.clear()
        self.alias.clear()
        self.enis.clear()
        self.ips.clear()

    def ec2(self, account=ACCOUNT, region=REGION, validate=True):
        key = (account, region, validate)
        if key not in self._clients:
            cfg = botocore.config.Config(retries={"max_attempts": 1},
                                         parameter_validation=validate)
            # --dev: a 12-digit access key id selects that account.
            self._clients[key] = boto3.client(
                "ec2", endpoint_url=self.endpoint, region_name=region, aws_access_key_id=account,
                aws_secret_access_key="x", config=cfg)
        return self._clients[key]

    def of(self, rid):
        """The client of the account and region that own rid."""
        return self.ec2(*self.owner[rid])

    def _own(self, rid, like):
        self.owner[rid] = self.owner[like] if isinstance(like, str) else like
        return rid

    # --- VPCs, subnets, route tables -------------------------------------------------------
    def vpc(self, cidr, *more_cidrs, account=ACCOUNT, region=REGION):
        c = self.ec2(account, region)
        vid = c.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        for extra in more_cidrs:
            c.associate_vpc_cidr_block(VpcId=vid, CidrBlock=extra)
        return self._own(vid, (account, region))

    def subnet(self, vpc, cidr, az="a"):
        region = self.owner[vpc][1]
        sid = self.of(vpc).create_subnet(VpcId=vpc, CidrBlock=cidr,
                                         AvailabilityZone=region + az)["Subnet"]["SubnetId"]
        return self._own(sid, vpc)

    def main_rtb(self, vpc):
        tables = self.of(vpc).describe_route_tables(Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
        assert len(tables) == 1
        return self._own(tables[0]["RouteTableId"], vpc)

    def rtb(self, vpc, *subnets):
        c = self.of(vpc)
        rid = c.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        for sn in subnets:
            c.associate_route_table(RouteTableId=rid, SubnetId=sn)
        return self._own(rid, vpc)

    def route(self, rtb, cidr, target):
        param = {"pcx": "VpcPeeringConnectionId", "tgw": "TransitGatewayId",
                 "igw": "GatewayId", "nat": "NatGatewayId",
                 "eni": "NetworkInterfaceId"}[target.split("-")[0]]
        self.of(rtb).create_route(RouteTableId=rtb, DestinationCidrBlock=cidr,
                                  **{param: target})

    def route_state(self, rtb, cidr):
        routes = self.of(rtb).describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        return [r["State"] for r in routes if r.get("DestinationCidrBlock") == cidr]

    # --- security groups and network ACLs -------------------------------------------------
    def sg(self, vpc, name, ingress=(), egress=None):
        """A group with the given ingress rules; egress None keeps the default allow-all, a list
        replaces it. A rule is (protocol, from_port, to_port, peer): peer a CIDR, an sg id, or
        (sg id, owner account)."""
        c = self.of(vpc)
        gid = c.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        self._own(gid, vpc)
        if ingress:
            c.authorize_security_group_ingress(GroupId=gid, IpPermissions=perms(ingress))
        if egress is not None:
            c.revoke_security_group_egress(GroupId=gid, IpPermissions=perms(
                [("-1", None, None, "0.0.0.0/0")]))
            if egress:
                c.authorize_security_group_egress(GroupId=gid, IpPermissions=perms(egress))
        return gid

    def default_sg(self, vpc):
        groups = self.of(vpc).describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])
        return self._own(groups["SecurityGroups"][0]["GroupId"], vpc)

    def open_sg(self, vpc, cidr="0.0.0.0/0"):
        return self.sg(vpc, "open", ingress=[("-1", None, None, cidr)])

    def default_acl(self, vpc):
        acls = self.of(vpc).describe_network_acls(Filters=[
            {"Name": "vpc-id", "Values": [vpc]}, {"Name": "default", "Values": ["true"]}])
        return self._own(acls["NetworkAcls"][0]["NetworkAclId"], vpc)

    def nacl(self, vpc, subnets, entries):
        """A custom network ACL on subnets. An entry is (number, "in"|"out", protocol, action,
        cidr, from_port, to_port); a custom ACL starts with only the * deny rules."""
        c = self.of(vpc)
        acl = c.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        self._own(acl, vpc)
        for num, way, proto, action, cidr, lo, hi in entries:
            kw = {"NetworkAclId": acl, "RuleNumber": num, "Egress": way == "out",
                  "Protocol": proto, "RuleAction": action, "CidrBlock": cidr}
            if lo is not None:
                kw["PortRange"] = {"From": lo, "To": hi}
            c.create_network_acl_entry(**kw)
        for sn in subnets:
            cur = c.describe_network_acls(Filters=[
                {"Name": "association.subnet-id", "Values": [sn]}])["NetworkAcls"][0]
            assoc = [a["NetworkAclAssociationId"] for a in cur["Associations"]
                     if a["SubnetId"] == sn][0]
            c.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
        return acl

    # --- instances, gateways ----------------------------------------------------------------
    def instance(self, subnet, ip, *sgs, src_dst_check=True):
        c = self.of(subnet)
        kw = {"SecurityGroupIds": list(sgs)} if sgs else {}
        inst = c.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                               SubnetId=subnet, PrivateIpAddress=ip, **kw)["Instances"][0]
        iid = inst["InstanceId"]
        eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
        self._own(iid, subnet)
        self._own(eni, subnet)
        self.alias[iid], self.alias[eni] = eni, iid
        self.enis[iid] = eni
        self.ips[iid] = inst["PrivateIpAddress"]
        # What a waiter does: describe until running (vpcd settles pending on the first read).
        got = c.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        assert got["State"]["Name"] == "running", got["State"]
        if not src_dst_check:
            c.modify_network_interface_attribute(NetworkInterfaceId=eni,
                                                 SourceDestCheck={"Value": False})
        return iid

    def igw(self, vpc):
        c = self.of(vpc)
        gid = c.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        c.attach_internet_gateway(InternetGatewayId=gid, VpcId=vpc)
        return self._own(gid, vpc)

    def eip(self, instance):
        c = self.of(instance)
        a = c.allocate_address(Domain="vpc")
        c.associate_address(AllocationId=a["AllocationId"], InstanceId=instance)
        return a["PublicIp"]

    def nat(self, subnet):
        c = self.of(subnet)
        aid = c.allocate_address(Domain="vpc")["AllocationId"]
        nid = c.create_nat_gateway(SubnetId=subnet, AllocationId=aid)["NatGateway"]["NatGatewayId"]
        got = c.describe_nat_gateways(NatGatewayIds=[nid])["NatGateways"][0]
        assert got["State"] == "available", got
        return self._own(nid, subnet)

    # --- peering ---------------------------------------------------------------------------
    def peer(self, vpc, peer_vpc, accept=True):
        """A peering from vpc (requester) to peer_vpc, accepted by the peer's account in the
        peer's region."""
        (acct, region), (pacct, pregion) = self.owner[vpc], self.owner[peer_vpc]
        kw = {}
        if pacct != acct:
            kw["PeerOwnerId"] = pacct
        if pregion != region:
            kw["PeerRegion"] = pregion
        p = self.of(vpc).create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer_vpc, **kw)
        pid = p["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        self._own(pid, vpc)
        if accept:
            self.of(peer_vpc).accept_vpc_peering_connection(VpcPeeringConnectionId=pid)
            assert self.pcx_state(pid) == "active"
        return pid

    def pcx_state(self, pid):
        return self.of(pid).describe_vpc_peering_connections(
            VpcPeeringConnectionIds=[pid])["VpcPeeringConnections"][0]["Status"]["Code"]

    # --- transit gateways ------------------------------------------------------------------
    def tgw(self, defaults=False, account=ACCOUNT, region=REGION):
        mode = "enable" if defaults else "disable"
        t = self.ec2(account, region).create_transit_gateway(Options={
            "DefaultRouteTableAssociation": mode,
            "DefaultRouteTablePropagation": mode})["TransitGateway"]
        return self._own(t["TransitGatewayId"], (account, region))

    def tgw_default_rtb(self, tgw):
        t = self.of(tgw).describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]
        return self._own(t["Options"]["AssociationDefaultRouteTableId"], tgw)

    def tgw_attach(self, tgw, vpc, *subnets, appliance=False):
        att = self.of(vpc).create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=vpc, SubnetIds=list(subnets),
            Options={"ApplianceModeSupport": "enable" if appliance else "disable"})
        a = att["TransitGatewayVpcAttachment"]
        aid = a["TransitGatewayAttachmentId"]
        self._own(aid, vpc)
        got = self.of(vpc).describe_transit_gateway_vpc_attachments(
            TransitGatewayAttachmentIds=[aid])["TransitGatewayVpcAttachments"][0]
        assert got["State"] == "available", got["State"]
        return aid

    def tgw_rtb(self, tgw):
        r = self.of(tgw).create_transit_gateway_route_table(TransitGatewayId=tgw)
        return self._own(r["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"], tgw)

    def tgw_assoc(self, rtb, att):
        self.of(rtb).associate_transit_gateway_route_table(TransitGatewayRouteTableId=rtb,
                                                           TransitGatewayAttachmentId=att)

    def tgw_prop(self, rtb, att):
        self.of(rtb).enable_transit_gateway_route_table_propagation(
            TransitGatewayRouteTableId=rtb, TransitGatewayAttachmentId=att)

    def tgw_route(self, rtb, cidr, att=None):
        """A static route to att, or a blackhole when att is None."""
        kw = {"TransitGatewayAttachmentId": att} if att else {"Blackhole": True}
        self.of(rtb).create_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                                  DestinationCidrBlock=cidr, **kw)

    def tgw_peer(self, tgw, peer_tgw):
        """A TGW peering attachment, accepted from the peer's region. Returns the requester's
        and the accepter's attachment ids."""
        pacct, pregion = self.owner[peer_tgw]
        p = self.of(tgw).create_transit_gateway_peering_attachment(
            TransitGatewayId=tgw, PeerTransitGatewayId=peer_tgw, PeerAccountId=pacct,
            PeerRegion=pregion)["TransitGatewayPeeringAttachment"]
        req = self._own(p["TransitGatewayAttachmentId"], tgw)
        # Each side has its own attachment id (AccepterTransitGatewayAttachmentId).
        acc = self._own(p["AccepterTransitGatewayAttachmentId"], peer_tgw)
        self.of(peer_tgw).accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=acc)
        for side, t in ((req, tgw), (acc, peer_tgw)):
            got = self.of(t).describe_transit_gateway_peering_attachments(
                TransitGatewayAttachmentIds=[side])["TransitGatewayPeeringAttachments"][0]
            assert got["State"] == "available", got["State"]
        return req, acc

    # --- analysis ----------------------------------------------------------------------------
    def analyze(self, src, dst=None, ip=None, proto="tcp", port=None):
        # This botocore's model (2022) still lists Destination as required; the current EC2 API
        # makes it optional (a DestinationIp alone names an address), as vpcd does.
        c = self.of(src) if dst else self.ec2(*self.owner[src], validate=False)
        kw = {"Source": src, "Protocol": proto}
        if dst:
            kw["Destination"] = dst
        if ip:
            kw["DestinationIp"] = ip
        if port is not None:
            kw["DestinationPort"] = port
        path = c.create_network_insights_path(**kw)["NetworkInsightsPath"]
        a = c.start_network_insights_analysis(
            NetworkInsightsPathId=path["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]
        return c.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[
            a["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]


def perms(rules):
    out = []
    for proto, lo, hi, peer in rules:
        p = {"IpProtocol": proto}
        if lo is not None:
            p["FromPort"], p["ToPort"] = lo, hi
        if isinstance(peer, tuple):
            p["UserIdGroupPairs"] = [{"GroupId": peer[0], "UserId": peer[1]}]
        elif peer.startswith("sg-"):
            p["UserIdGroupPairs"] = [{"GroupId": peer}]
        else:
            p["IpRanges"] = [{"CidrIp": peer}]
        out.append(p)
    return out


def ids_in(obj):
    """Every resource id anywhere in obj (an Explanation or a PathComponent)."""
    found = set()
    if isinstance(obj, dict):
        for v in obj.values():
            found |= ids_in(v)
    elif isinstance(obj, list):
        for v in obj:
            found |= ids_in(v)
    elif isinstance(obj, str) and _ID.match(obj):
        found.add(obj)
    return found


def component_ids(pc):
    """The ids a path component stands for: the component and what it is attached to."""
    return {pc[k]["Id"] for k in ("Component", "AttachedTo") if k in pc and "Id" in pc[k]}


def path_ids(components):
    return [component_ids(pc) for pc in sorted(components or [],
                                                key=lambda pc: pc["SequenceNumber"])]


def _accepts(w, rid):
    return {rid, w.alias[rid]} if rid in w.alias else {rid}


def _index(w, path, rid, start=0):
    want = _accepts(w, rid)
    for i in range(start, len(path)):
        if path[i] & want:
            return i
    return -1


def _describe_path(path):
    return " > ".join("/".join(sorted(ids)) or "?" for ids in path)


def check(w, ep, e, r):
    """The list of ways analysis result r differs from expectation e (empty: it matches)."""
    errs = []
    if r.get("Status") != "succeeded":
        return [f"status {r.get('Status')} ({r.get('StatusMessage')})"]
    fwd, ret = path_ids(r.get("ForwardPathComponents")), path_ids(r.get("ReturnPathComponents"))
    expl = r.get("Explanations") or []
    got_code = expl[0].get("ExplanationCode") if expl else None
    if r.get("NetworkPathFound") is not e.found:
        errs.append(f"NetworkPathFound {r.get('NetworkPathFound')}, expected {e.found} "
                    f"(explanation {got_code})")
    if e.found:
        if expl:
            errs.append(f"explanations on a found path: {[x.get('ExplanationCode') for x in expl]}")
        if not ret:
            errs.append("no return path on a found path")
    else:
        if got_code != e.code:
            errs.append(f"explanation {got_code}, expected {e.code}")
        if e.on == "return":
            if not ret:
                errs.append("expected the drop on the return path, but there is no return path")
            if e.dst and _index(w, fwd, ep[e.dst]) < 0:
                errs.append(f"forward path does not reach {e.dst}: {_describe_path(fwd)}")
        elif ret:
            errs.append(f"expected the drop on the forward path, but a return path exists: "
                        f"{_describe_path(ret)}")
        mentioned = ids_in(expl[0]) if expl else set()
        for name in e.at:
            if not mentioned & _accepts(w, ep[name]):
                errs.append(f"explanation does not name {name} ({ep[name]}): {sorted(mentioned)}")
        if e.rule is not None:
            got = (expl[0].get("AclRule") or {}).get("RuleNumber") if expl else None
            if got != e.rule:
                errs.append(f"explanation ACL rule {got}, expected {e.rule}")
        if e.direction is not None:
            got = expl[0].get("Direction") if expl else None
            if got != e.direction:
                errs.append(f"explanation direction {got}, expected {e.direction}")
    for names, path, what in ((e.fwd, fwd, "forward"), (e.ret, ret, "return")):
        pos = 0
        for name in names:
            i = _index(w, path, ep[name], pos)
            if i < 0:
                errs.append(f"{what} path lacks {name} ({ep[name]}) in order: "
                            f"{_describe_path(path)}")
                break
            pos = i + 1
    for names, path, what in ((e.fwd_not, fwd, "forward"), (e.ret_not, ret, "return")):
        for name in names:
            if _index(w, path, ep[name]) >= 0:
                errs.append(f"{what} path passes {name} ({ep[name]}): {_describe_path(path)}")
    if e.same_on_both:
        on_f = [n for n in e.same_on_both if _index(w, fwd, ep[n]) >= 0]
        on_r = [n for n in e.same_on_both if _index(w, ret, ep[n]) >= 0]
        if len(on_f) != 1 or on_f != on_r:
            errs.append(f"expected one of {e.same_on_both} on both paths, the same: forward "
                        f"{on_f}, return {on_r}")
    return errs


def run(w, sc):
    """Builds scenario sc on a wiped vpcd and checks every verdict; fails listing all that
    differ."""
    STATS["scenarios"] += 1
    w.reset()
    try:
        ep = sc.build(w)
        problems = []
        for e in sc.expects:
            STATS["verdicts"] += 1
            dst = ep[e.dst] if e.dst and not e.by_ip else None
            ip = w.ips[ep[e.dst]] if e.by_ip else e.ip
            r = w.analyze(ep[e.src], dst, ip, e.proto, e.port)
            errs = check(w, ep, e, r)
            if errs:
                STATS["verdicts_failed"] += 1
                problems.append(f"{e.label()}: " + "; ".join(errs))
        assert not problems, f"{sc.name}:\n  " + "\n  ".join(problems)
    except BaseException:
        STATS["scenarios_failed"] += 1
        raise
