"""Record builders for the real export formats drscan imports.

Every function returns one record exactly as the exporting tool writes it:

* AWS Config configuration items as they appear in an S3-delivered snapshot
  (``configurationItemVersion``/``awsAccountId``/``ARN``, tags as a dict), plus
  :func:`aws_api_item` to turn one into the Config API / ``select-resource-config``
  shape (``version``/``accountId``/``arn``, tags as a list).
* IAM credential report rows (22 standard columns).
* GCP Cloud Asset Inventory assets in the ``gcloud asset export`` (snake_case
  envelope) shape, and IAM-policy assets in the ``gcloud asset list --format=json``
  (camelCase) shape.
* Azure Resource Graph rows (``az graph query`` output columns).

Shared by ``samples/acme/generate.py`` (hand-curated sample estate) and
``bench/synth_estate.py`` (synthetic estates for benchmarks).  Stdlib only.
No randomness in here: callers pass every id and timestamp in.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

# --------------------------------------------------------------------------- time / ids

NOW = datetime(2026, 11, 20, 6, 0, 0, tzinfo=timezone.utc)
UTC = timezone.utc


def ago(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def iso_ms(dt: datetime) -> str:
    """AWS Config / ARM style: 2026-11-20T06:00:00.000Z"""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_s(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_us(dt: datetime) -> str:
    """Cloud Asset update_time style: 2026-11-20T05:12:01.123456Z"""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_7(dt: datetime) -> str:
    """ARM style with 7 fractional digits: 2026-03-02T10:11:12.1234567Z"""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def iso_offset(dt: datetime) -> str:
    """IAM credential report style: 2026-10-01T14:00:00+00:00"""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def gce_ts(dt: datetime) -> str:
    """Compute Engine creationTimestamp (RFC 3339 with the zone's offset, -07:00/-08:00)."""
    local = dt.astimezone(timezone(timedelta(hours=-8)))
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}-08:00"


def lambda_ts(dt: datetime) -> str:
    """Lambda lastModified: 2026-10-01T12:00:00.000+0000"""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def h(seed: str) -> int:
    """Stable 64-bit integer from a string (used for deterministic ids)."""
    return int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big")


def hexid(seed: str, n: int = 17) -> str:
    return hashlib.blake2b(seed.encode(), digest_size=16).hexdigest()[:n]


def uuid_from(seed: str) -> str:
    x = hashlib.blake2b(seed.encode(), digest_size=16).hexdigest()
    return f"{x[0:8]}-{x[8:12]}-4{x[13:16]}-{'89ab'[int(x[16], 16) % 4]}{x[17:20]}-{x[20:32]}"


def digits(seed: str, n: int) -> str:
    return str(h(seed) % (10 ** n)).zfill(n)


def upper_id(seed: str, n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    v = int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=20).digest(), "big")
    out = []
    for _ in range(n):
        v, r = divmod(v, 32)
        out.append(alphabet[r])
    return "".join(out)


def dumps_compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# =========================================================================== AWS

def tag_list(tags: dict | None, k: str = "key", v: str = "value") -> list:
    return [{k: key, v: val} for key, val in (tags or {}).items()]


def rel(rtype: str, rid: str, name: str, rname: str | None = None) -> dict:
    return {"resourceId": rid, "resourceName": rname, "resourceType": rtype, "name": name}


def aws_item(account: str, region: str, rtype: str, rid: str, arn: str, configuration,
             *, name: str | None = None, supplementary: dict | None = None,
             tags: dict | None = None, az: str = "Not Applicable", relationships=(),
             created: datetime | None = None, captured: datetime | None = None,
             status: str = "OK") -> dict:
    """One configuration item as written in an S3-delivered Config snapshot."""
    if captured is None:
        captured = NOW - timedelta(milliseconds=3_600_000 + h(arn) % 172_800_000)
    return {
        "relatedEvents": [],
        "relationships": list(relationships),
        "configuration": configuration,
        "supplementaryConfiguration": supplementary or {},
        "tags": dict(tags or {}),
        "configurationItemVersion": "1.3",
        "configurationItemCaptureTime": iso_ms(captured),
        "configurationStateId": int(captured.timestamp() * 1000),
        "awsAccountId": account,
        "configurationItemStatus": status,
        "resourceType": rtype,
        "resourceId": rid,
        "resourceName": name,
        "ARN": arn,
        "awsRegion": region,
        "availabilityZone": az,
        "configurationStateMd5Hash": "",
        "resourceCreationTime": iso_ms(created) if created else None,
    }


def aws_api_item(item: dict) -> dict:
    """Snapshot item -> the Config API / advanced-query (`SELECT *`) shape."""
    return {
        "version": item["configurationItemVersion"],
        "accountId": item["awsAccountId"],
        "configurationItemCaptureTime": item["configurationItemCaptureTime"],
        "configurationItemStatus": item["configurationItemStatus"],
        "configurationStateId": str(item["configurationStateId"]),
        "arn": item["ARN"],
        "resourceType": item["resourceType"],
        "resourceId": item["resourceId"],
        "resourceName": item["resourceName"],
        "awsRegion": item["awsRegion"],
        "availabilityZone": item["availabilityZone"],
        "resourceCreationTime": item["resourceCreationTime"],
        "tags": tag_list(item["tags"]),
        "relationships": [
            {k: v for k, v in r.items() if v is not None} for r in item["relationships"]
        ],
        "configuration": item["configuration"],
        "supplementaryConfiguration": item["supplementaryConfiguration"],
    }


def canonical_owner(account: str) -> str:
    return hashlib.sha256(("owner" + account).encode()).hexdigest()


def policy_doc_encoded(doc: dict) -> str:
    """IAM stores policy documents URL-encoded; Config keeps that encoding."""
    return quote(json.dumps(doc, indent=4), safe="")


# ---- S3

def s3_bucket(account: str, region: str, bucket: str, *, created: datetime,
              sse: tuple | None = ("AES256", None), bucket_key: bool = False,
              versioning: str = "Off", mfa_delete: bool | None = None,
              pab: tuple | None = (True, True, True, True),
              replication: list | None = None, replication_role: str | None = None,
              log_target: str | None = None, log_prefix: str | None = None,
              lifecycle: list | None = None, object_lock: bool = False,
              policy: dict | None = None, tags: dict | None = None,
              captured: datetime | None = None) -> dict:
    """sse: None (no default encryption) | ("AES256", None) | ("aws:kms", key_arn).
    replication: list of (rule_id, destination_bucket_arn, storage_class)."""
    owner = canonical_owner(account)
    supp: dict = {
        "AccessControlList": dumps_compact({
            "grantSet": None,
            "grantList": [{"grantee": {"id": owner, "displayName": None}, "permission": "FullControl"}],
            "owner": {"displayName": None, "id": owner},
            "isRequesterCharged": False,
        }),
        "BucketAccelerateConfiguration": {"status": None},
        "BucketLoggingConfiguration": {"destinationBucketName": log_target,
                                       "logFilePrefix": log_prefix if log_target else None},
        "BucketNotificationConfiguration": {"configurations": {}},
        "BucketPolicy": {"policyText": json.dumps(policy) if policy else None},
        "BucketVersioningConfiguration": {"status": versioning, "isMfaDeleteEnabled": mfa_delete},
        "IsRequesterPaysEnabled": False,
    }
    if lifecycle:
        supp["BucketLifecycleConfiguration"] = {"rules": lifecycle}
    if replication:
        rules = {}
        for prio, (rule_id, dest_arn, storage_class) in enumerate(replication, start=1):
            rules[rule_id] = {
                "destinationConfig": {"bucketARN": dest_arn, "storageClass": storage_class,
                                      "account": None, "replicationTime": None,
                                      "accessControlTranslation": None,
                                      "encryptionConfiguration": None, "metrics": None},
                "existingObjectReplication": None,
                "filter": {"predicate": {"type": "SimplePrefix", "prefix": ""}},
                "prefix": None,
                "priority": prio,
                "sourceSelectionCriteria": None,
                "status": "Enabled",
                "deleteMarkerReplication": {"status": "Disabled"},
            }
        supp["BucketReplicationConfiguration"] = {"roleARN": replication_role, "rules": rules}
    if object_lock:
        supp["ObjectLockConfiguration"] = {"objectLockEnabled": "Enabled",
                                           "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 30, "years": None}}}
    if pab is not None:
        supp["PublicAccessBlockConfiguration"] = {
            "blockPublicAcls": pab[0], "ignorePublicAcls": pab[1],
            "blockPublicPolicy": pab[2], "restrictPublicBuckets": pab[3]}
    if sse is not None:
        algo, key = sse
        supp["ServerSideEncryptionConfiguration"] = {"rules": [{
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": algo, "kmsMasterKeyID": key},
            "bucketKeyEnabled": bucket_key}]}
    return aws_item(
        account, region, "AWS::S3::Bucket", bucket, f"arn:aws:s3:::{bucket}",
        {"name": bucket, "owner": {"displayName": None, "id": owner}, "creationDate": iso_ms(created)},
        name=bucket, supplementary=supp, tags=tags, az="Regional", created=created, captured=captured)


# ---- EC2

def ec2_instance(account: str, region: str, instance_id: str, *, az: str, instance_type: str,
                 ami: str, vpc: str, subnet: str, private_ip: str, volumes: list, sgs: list,
                 launch: datetime, http_tokens: str = "required", public_ip: str | None = None,
                 profile: str | None = None, key_name: str | None = None, state: str = "running",
                 tags: dict | None = None, captured: datetime | None = None) -> dict:
    """volumes: [(device, volume_id)], first is the root device. sgs: [(group_id, group_name)]."""
    dns_ip = private_ip.replace(".", "-")
    dns_name = f"ip-{dns_ip}.ec2.internal" if region == "us-east-1" else f"ip-{dns_ip}.{region}.compute.internal"
    eni = "eni-0" + hexid("eni" + instance_id, 16)
    cfg = {
        "amiLaunchIndex": 0,
        "imageId": ami,
        "instanceId": instance_id,
        "instanceType": instance_type,
        "kernelId": None,
        "keyName": key_name,
        "launchTime": iso_ms(launch),
        "monitoring": {"state": "disabled"},
        "placement": {"availabilityZone": az, "affinity": None, "groupName": "", "partitionNumber": None,
                      "hostId": None, "tenancy": "default", "spreadDomain": None, "hostResourceGroupArn": None},
        "platform": None,
        "privateDnsName": dns_name,
        "privateIpAddress": private_ip,
        "productCodes": [],
        "publicDnsName": (f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com" if public_ip else ""),
        "publicIpAddress": public_ip,
        "ramdiskId": None,
        "state": {"code": 16 if state == "running" else 80, "name": state},
        "stateTransitionReason": "",
        "subnetId": subnet,
        "vpcId": vpc,
        "architecture": "x86_64",
        "blockDeviceMappings": [
            {"deviceName": dev, "ebs": {"attachTime": iso_ms(launch), "deleteOnTermination": i == 0,
                                        "status": "attached", "volumeId": vol}}
            for i, (dev, vol) in enumerate(volumes)],
        "clientToken": uuid_from("ct" + instance_id),
        "ebsOptimized": True,
        "enaSupport": True,
        "hypervisor": "xen",
        "iamInstanceProfile": ({"arn": profile, "id": "AIPA" + upper_id("ip" + profile, 17)} if profile else None),
        "instanceLifecycle": None,
        "elasticGpuAssociations": [],
        "elasticInferenceAcceleratorAssociations": [],
        "networkInterfaces": [{
            "association": ({"carrierIp": None, "ipOwnerId": "amazon", "publicDnsName": "", "publicIp": public_ip} if public_ip else None),
            "attachment": {"attachTime": iso_ms(launch), "attachmentId": "eni-attach-0" + hexid("att" + eni, 16),
                           "deleteOnTermination": True, "deviceIndex": 0, "status": "attached", "networkCardIndex": 0},
            "description": "",
            "groups": [{"groupName": n, "groupId": g} for g, n in sgs],
            "ipv6Addresses": [],
            "macAddress": ":".join(hexid("mac" + eni, 12)[i:i + 2] for i in range(0, 12, 2)),
            "networkInterfaceId": eni,
            "ownerId": account,
            "privateDnsName": dns_name,
            "privateIpAddress": private_ip,
            "privateIpAddresses": [{"primary": True, "privateDnsName": dns_name, "privateIpAddress": private_ip}],
            "sourceDestCheck": True,
            "status": "in-use",
            "subnetId": subnet,
            "vpcId": vpc,
            "interfaceType": "interface"}],
        "outpostArn": None,
        "rootDeviceName": volumes[0][0] if volumes else "/dev/xvda",
        "rootDeviceType": "ebs",
        "securityGroups": [{"groupName": n, "groupId": g} for g, n in sgs],
        "sourceDestCheck": True,
        "spotInstanceRequestId": None,
        "sriovNetSupport": None,
        "stateReason": None,
        "tags": tag_list(tags),
        "virtualizationType": "hvm",
        "cpuOptions": {"coreCount": 4 if "xlarge" in instance_type else 1, "threadsPerCore": 2},
        "capacityReservationId": None,
        "capacityReservationSpecification": {"capacityReservationPreference": "open", "capacityReservationTarget": None},
        "hibernationOptions": {"configured": False},
        "licenses": [],
        "metadataOptions": {"state": "applied", "httpTokens": http_tokens, "httpPutResponseHopLimit": 2 if http_tokens == "required" else 1,
                            "httpEndpoint": "enabled", "httpProtocolIpv6": "disabled", "instanceMetadataTags": "disabled"},
        "enclaveOptions": {"enabled": False},
        "bootMode": None,
        "platformDetails": "Linux/UNIX",
        "usageOperation": "RunInstances",
        "usageOperationUpdateTime": iso_ms(launch),
        "privateDnsNameOptions": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False, "enableResourceNameDnsAAAARecord": False},
        "maintenanceOptions": {"autoRecovery": "default"},
        "currentInstanceBootMode": "legacy-bios",
    }
    rels = [rel("AWS::EC2::NetworkInterface", eni, "Contains NetworkInterface")]
    rels += [rel("AWS::EC2::SecurityGroup", g, "Is associated with SecurityGroup") for g, _ in sgs]
    rels += [rel("AWS::EC2::Subnet", subnet, "Is contained in Subnet")]
    rels += [rel("AWS::EC2::Volume", v, "Is attached to Volume") for _, v in volumes]
    rels += [rel("AWS::EC2::VPC", vpc, "Is contained in Vpc")]
    return aws_item(account, region, "AWS::EC2::Instance", instance_id,
                    f"arn:aws:ec2:{region}:{account}:instance/{instance_id}", cfg,
                    tags=tags, az=az, relationships=rels, created=launch, captured=captured)


def ec2_volume(account: str, region: str, volume_id: str, *, az: str, size: int, created: datetime,
               encrypted: bool, kms_key: str | None = None, vtype: str = "gp3",
               attachments: list = (), snapshot_id: str = "", tags: dict | None = None,
               captured: datetime | None = None) -> dict:
    """attachments: [(instance_id, device, attach_time)]"""
    cfg = {
        "attachments": [{"attachTime": iso_ms(t), "device": dev, "instanceId": iid, "state": "attached",
                         "volumeId": volume_id, "deleteOnTermination": dev in ("/dev/xvda", "/dev/sda1")}
                        for iid, dev, t in attachments],
        "availabilityZone": az,
        "createTime": iso_ms(created),
        "encrypted": encrypted,
        "kmsKeyId": kms_key if encrypted else None,
        "outpostArn": None,
        "size": size,
        "snapshotId": snapshot_id,
        "state": "in-use" if attachments else "available",
        "volumeId": volume_id,
        "iops": 3000 if vtype == "gp3" else max(100, size * 3),
        "tags": tag_list(tags),
        "volumeType": vtype,
        "fastRestored": None,
        "multiAttachEnabled": False,
        "throughput": 125 if vtype == "gp3" else None,
    }
    rels = [rel("AWS::EC2::Instance", iid, "Is attached to Instance") for iid, _, _ in attachments]
    return aws_item(account, region, "AWS::EC2::Volume", volume_id,
                    f"arn:aws:ec2:{region}:{account}:volume/{volume_id}", cfg,
                    tags=tags, az=az, relationships=rels, created=created, captured=captured)


def sg_rule(proto: str, from_port: int | None, to_port: int | None, cidrs=(), sg_refs=(), account: str = "") -> dict:
    return {
        "fromPort": from_port,
        "ipProtocol": proto,
        "ipv6Ranges": [],
        "prefixListIds": [],
        "toPort": to_port,
        "userIdGroupPairs": [{"description": None, "groupId": g, "groupName": None, "peeringStatus": None,
                              "userId": account, "vpcId": None, "vpcPeeringConnectionId": None} for g in sg_refs],
        "ipv4Ranges": [{"cidrIp": c, "description": None} for c in cidrs],
        "ipRanges": list(cidrs),
    }


def security_group(account: str, region: str, group_id: str, *, name: str, description: str, vpc: str,
                   ingress: list, tags: dict | None = None, created: datetime | None = None,
                   captured: datetime | None = None) -> dict:
    cfg = {
        "description": description,
        "groupName": name,
        "ipPermissions": ingress,
        "ownerId": account,
        "groupId": group_id,
        "ipPermissionsEgress": [sg_rule("-1", None, None, ["0.0.0.0/0"])],
        "tags": tag_list(tags),
        "vpcId": vpc,
    }
    return aws_item(account, region, "AWS::EC2::SecurityGroup", group_id,
                    f"arn:aws:ec2:{region}:{account}:security-group/{group_id}", cfg,
                    name=name, tags=tags, az="Not Applicable",
                    relationships=[rel("AWS::EC2::VPC", vpc, "Is contained in Vpc")],
                    created=created, captured=captured)


def vpc(account: str, region: str, vpc_id: str, cidr: str, *, tags: dict | None = None,
        created: datetime | None = None) -> dict:
    cfg = {"cidrBlock": cidr, "dhcpOptionsId": "dopt-0" + hexid("dopt" + vpc_id, 16), "state": "available",
           "vpcId": vpc_id, "ownerId": account, "instanceTenancy": "default", "ipv6CidrBlockAssociationSet": [],
           "cidrBlockAssociationSet": [{"associationId": "vpc-cidr-assoc-0" + hexid("cidr" + vpc_id, 16),
                                        "cidrBlock": cidr, "cidrBlockState": {"state": "associated", "statusMessage": None}}],
           "isDefault": False, "tags": tag_list(tags)}
    return aws_item(account, region, "AWS::EC2::VPC", vpc_id, f"arn:aws:ec2:{region}:{account}:vpc/{vpc_id}", cfg,
                    tags=tags, az="Multiple Availability Zones", created=created)


def subnet(account: str, region: str, subnet_id: str, vpc_id: str, az: str, cidr: str, *,
           tags: dict | None = None, created: datetime | None = None) -> dict:
    cfg = {"availabilityZone": az, "availabilityZoneId": az.replace(region, "use1-az" if region == "us-east-1" else "usw2-az")[:-1] + str("abcdef".index(az[-1]) + 1),
           "availableIpAddressCount": 4091, "cidrBlock": cidr, "defaultForAz": False, "mapPublicIpOnLaunch": False,
           "state": "available", "subnetId": subnet_id, "vpcId": vpc_id, "ownerId": account,
           "assignIpv6AddressOnCreation": False, "ipv6CidrBlockAssociationSet": [],
           "subnetArn": f"arn:aws:ec2:{region}:{account}:subnet/{subnet_id}", "tags": tag_list(tags)}
    return aws_item(account, region, "AWS::EC2::Subnet", subnet_id, f"arn:aws:ec2:{region}:{account}:subnet/{subnet_id}",
                    cfg, tags=tags, az=az, relationships=[rel("AWS::EC2::VPC", vpc_id, "Is contained in Vpc")],
                    created=created)


# ---- RDS

def rds_instance(account: str, region: str, ident: str, *, engine: str, engine_version: str, klass: str,
                 az: str, created: datetime, storage: int, multi_az: bool, encrypted: bool,
                 kms_key: str | None, backup_retention: int, deletion_protection: bool,
                 public: bool, vpc_id: str, sg_ids: list, secondary_az: str | None = None,
                 replicas: list = (), source: str | None = None, cluster: str | None = None,
                 iam_auth: bool = False, tags: dict | None = None, captured: datetime | None = None) -> dict:
    arn = f"arn:aws:rds:{region}:{account}:db:{ident}"
    dbi = "db-" + upper_id("dbi" + arn, 26)
    port = 5432 if "postgres" in engine else 3306
    cfg = {
        "dBInstanceIdentifier": ident,
        "dBInstanceClass": klass,
        "engine": engine,
        "dBInstanceStatus": "available",
        "masterUsername": "acmeadmin",
        "dBName": None if source else ident.split("-")[0],
        "endpoint": {"address": f"{ident}.c{hexid('ep' + account + region, 11)}.{region}.rds.amazonaws.com",
                     "port": port, "hostedZoneId": "Z2R2ITUGPM61AM" if region == "us-east-1" else "Z1PVIF0B656C1W"},
        "allocatedStorage": storage,
        "instanceCreateTime": iso_ms(created),
        "preferredBackupWindow": "03:00-03:30",
        "backupRetentionPeriod": backup_retention,
        "dBSecurityGroups": [],
        "vpcSecurityGroups": [{"vpcSecurityGroupId": g, "status": "active"} for g in sg_ids],
        "dBParameterGroups": [{"dBParameterGroupName": f"default.{engine}{engine_version.split('.')[0]}", "parameterApplyStatus": "in-sync"}],
        "availabilityZone": az,
        "dBSubnetGroup": {"dBSubnetGroupName": f"{ident.split('-')[0]}-db-subnets", "dBSubnetGroupDescription": "database subnets",
                          "vpcId": vpc_id, "subnetGroupStatus": "Complete", "subnets": [], "dBSubnetGroupArn": None,
                          "supportedNetworkTypes": ["IPV4"]},
        "preferredMaintenanceWindow": "sun:05:00-sun:05:30",
        "pendingModifiedValues": {},
        "latestRestorableTime": iso_ms(ago(minutes=5)) if backup_retention else None,
        "multiAZ": multi_az,
        "engineVersion": engine_version,
        "autoMinorVersionUpgrade": True,
        "readReplicaSourceDBInstanceIdentifier": source,
        "readReplicaDBInstanceIdentifiers": list(replicas),
        "readReplicaDBClusterIdentifiers": [],
        "replicaMode": None,
        "licenseModel": "postgresql-license" if "postgres" in engine else "general-public-license",
        "iops": 3000,
        "optionGroupMemberships": [{"optionGroupName": f"default:{engine}-{engine_version.split('.')[0]}", "status": "in-sync"}],
        "characterSetName": None,
        "ncharCharacterSetName": None,
        "secondaryAvailabilityZone": secondary_az,
        "publiclyAccessible": public,
        "statusInfos": [{"statusType": "read replication", "normal": True, "status": "replicating", "message": None}] if source else [],
        "storageType": "gp3",
        "tdeCredentialArn": None,
        "dbInstancePort": 0,
        "dBClusterIdentifier": cluster,
        "storageEncrypted": encrypted,
        "kmsKeyId": kms_key if encrypted else None,
        "dbiResourceId": dbi,
        "cACertificateIdentifier": "rds-ca-rsa2048-g1",
        "domainMemberships": [],
        "copyTagsToSnapshot": True,
        "monitoringInterval": 60,
        "enhancedMonitoringResourceArn": f"arn:aws:logs:{region}:{account}:log-group:RDSOSMetrics:log-stream:{dbi}",
        "monitoringRoleArn": f"arn:aws:iam::{account}:role/rds-monitoring-role",
        "promotionTier": None,
        "dBInstanceArn": arn,
        "timezone": None,
        "iAMDatabaseAuthenticationEnabled": iam_auth,
        "performanceInsightsEnabled": True,
        "performanceInsightsKMSKeyId": kms_key if encrypted else None,
        "performanceInsightsRetentionPeriod": 7,
        "enabledCloudwatchLogsExports": ["postgresql"] if "postgres" in engine else ["error"],
        "processorFeatures": [],
        "deletionProtection": deletion_protection,
        "associatedRoles": [],
        "listenerEndpoint": None,
        "maxAllocatedStorage": storage * 2,
        "tagList": tag_list(tags),
        "dBInstanceAutomatedBackupsReplications": [],
        "customerOwnedIpEnabled": False,
        "awsBackupRecoveryPointArn": None,
        "activityStreamStatus": "stopped",
        "backupTarget": "region",
        "networkType": "IPV4",
        "storageThroughput": 125,
        "certificateDetails": {"cAIdentifier": "rds-ca-rsa2048-g1", "validTill": "2027-11-19T17:00:00.000Z"},
        "dedicatedLogVolume": False,
        "isStorageConfigUpgradeAvailable": False,
        "engineLifecycleSupport": "open-source-rds-extended-support",
    }
    rels = [rel("AWS::EC2::SecurityGroup", g, "Is associated with SecurityGroup") for g in sg_ids]
    rels.append(rel("AWS::RDS::DBSubnetGroup", f"{ident.split('-')[0]}-db-subnets", "Is associated with DBSubnetGroup"))
    return aws_item(account, region, "AWS::RDS::DBInstance", dbi, arn, cfg, name=ident, tags=tags, az=az,
                    relationships=rels, created=created, captured=captured)


def rds_snapshot(account: str, region: str, snap_ident: str, *, db_ident: str, db_dbi: str, engine: str,
                 engine_version: str, created: datetime, storage: int, encrypted: bool, kms_key: str | None,
                 az: str, vpc_id: str, snapshot_type: str = "manual", source_region: str | None = None,
                 tags: dict | None = None) -> dict:
    arn = f"arn:aws:rds:{region}:{account}:snapshot:{snap_ident}"
    cfg = {
        "dBSnapshotIdentifier": snap_ident,
        "dBInstanceIdentifier": db_ident,
        "snapshotCreateTime": iso_ms(created),
        "engine": engine,
        "allocatedStorage": storage,
        "status": "available",
        "port": 5432 if "postgres" in engine else 3306,
        "availabilityZone": az,
        "vpcId": vpc_id,
        "instanceCreateTime": iso_ms(created - timedelta(days=200)),
        "masterUsername": "acmeadmin",
        "engineVersion": engine_version,
        "licenseModel": "postgresql-license" if "postgres" in engine else "general-public-license",
        "snapshotType": snapshot_type,
        "iops": 3000,
        "optionGroupName": f"default:{engine}-{engine_version.split('.')[0]}",
        "percentProgress": 100,
        "sourceRegion": source_region,
        "sourceDBSnapshotIdentifier": None,
        "storageType": "gp3",
        "tdeCredentialArn": None,
        "encrypted": encrypted,
        "kmsKeyId": kms_key if encrypted else None,
        "dBSnapshotArn": arn,
        "timezone": None,
        "iAMDatabaseAuthenticationEnabled": False,
        "processorFeatures": [],
        "dbiResourceId": db_dbi,
        "tagList": tag_list(tags),
        "originalSnapshotCreateTime": iso_ms(created),
        "snapshotTarget": "region",
        "storageThroughput": 125,
        "dedicatedLogVolume": False,
    }
    supp = {"DBSnapshotAttributes": [{"attributeName": "restore", "attributeValues": []}]}
    return aws_item(account, region, "AWS::RDS::DBSnapshot", snap_ident, arn, cfg, name=snap_ident,
                    supplementary=supp, tags=tags, az=az,
                    relationships=[rel("AWS::EC2::VPC", vpc_id, "Is associated with Vpc")],
                    created=created)


# ---- DynamoDB

def dynamodb_table(account: str, region: str, table: str, *, created: datetime, kms_key: str | None,
                   pitr: bool, hash_key: str = "pk", range_key: str | None = "sk",
                   items: int = 0, size: int = 0, replicas: list = (), deletion_protection: bool = True,
                   tags: dict | None = None, captured: datetime | None = None) -> dict:
    arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    keys = [{"attributeName": hash_key, "keyType": "HASH"}]
    attrs = [{"attributeName": hash_key, "attributeType": "S"}]
    if range_key:
        keys.append({"attributeName": range_key, "keyType": "RANGE"})
        attrs.append({"attributeName": range_key, "attributeType": "S"})
    cfg = {
        "attributeDefinitions": attrs,
        "tableName": table,
        "keySchema": keys,
        "tableStatus": "ACTIVE",
        "creationDateTime": iso_ms(created),
        "provisionedThroughput": {"numberOfDecreasesToday": 0, "readCapacityUnits": 0, "writeCapacityUnits": 0},
        "tableSizeBytes": size,
        "itemCount": items,
        "tableArn": arn,
        "tableId": uuid_from("tbl" + arn),
        "billingModeSummary": {"billingMode": "PAY_PER_REQUEST", "lastUpdateToPayPerRequestDateTime": iso_ms(created)},
        "localSecondaryIndexes": [],
        "globalSecondaryIndexes": [],
        "streamSpecification": None,
        "latestStreamLabel": None,
        "latestStreamArn": None,
        "globalTableVersion": "2019.11.21" if replicas else None,
        "replicas": [{"regionName": r, "replicaStatus": "ACTIVE", "kMSMasterKeyId": None} for r in replicas],
        "restoreSummary": None,
        "archivalSummary": None,
        "tableClassSummary": {"tableClass": "STANDARD", "lastUpdateDateTime": None},
        "deletionProtectionEnabled": deletion_protection,
    }
    if kms_key:
        cfg["sSEDescription"] = {"status": "ENABLED", "sSEType": "KMS", "kMSMasterKeyArn": kms_key,
                                 "inaccessibleEncryptionDateTime": None}
    pitr_desc = {"pointInTimeRecoveryStatus": "ENABLED" if pitr else "DISABLED"}
    if pitr:
        pitr_desc["earliestRestorableDateTime"] = iso_ms(ago(days=35))
        pitr_desc["latestRestorableDateTime"] = iso_ms(ago(minutes=5))
        pitr_desc["recoveryPeriodInDays"] = 35
    supp = {"ContinuousBackupsDescription": {"continuousBackupsStatus": "ENABLED" if pitr else "DISABLED",
                                             "pointInTimeRecoveryDescription": pitr_desc},
            "Tags": tag_list(tags)}
    return aws_item(account, region, "AWS::DynamoDB::Table", table, arn, cfg, name=table, supplementary=supp,
                    tags=tags, az="Regional", created=created, captured=captured)


# ---- EFS

def efs(account: str, region: str, fs_id: str, *, created: datetime, encrypted: bool, kms_key: str | None,
        backup: bool, replication_to: str | None = None, one_zone_az: str | None = None,
        tags: dict | None = None) -> dict:
    arn = f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{fs_id}"
    cfg = {
        "FileSystemId": fs_id,
        "Arn": arn,
        "Encrypted": encrypted,
        "FileSystemTags": tag_list(tags, "Key", "Value"),
        "PerformanceMode": "generalPurpose",
        "ThroughputMode": "elastic",
        "LifecyclePolicies": [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}],
        "BackupPolicy": {"Status": "ENABLED" if backup else "DISABLED"},
        "FileSystemPolicy": {},
        "FileSystemProtection": {"ReplicationOverwriteProtection": "REPLICATING" if replication_to else "ENABLED"},
    }
    if encrypted:
        cfg["KmsKeyId"] = kms_key
    if one_zone_az:
        cfg["AvailabilityZoneName"] = one_zone_az
    if replication_to:
        cfg["ReplicationConfiguration"] = {"Destinations": [{"Region": replication_to, "Status": "ENABLED"}]}
    t = dict(tags or {})
    if backup:
        t.setdefault("aws:elasticfilesystem:default-backup", "enabled")
    return aws_item(account, region, "AWS::EFS::FileSystem", fs_id, arn, cfg, name=fs_id, tags=t,
                    az=one_zone_az or "Regional", created=created)


# ---- KMS

def kms_key(account: str, region: str, key_id: str, *, created: datetime, description: str,
            rotation: bool, manager: str = "CUSTOMER", multi_region: bool = False,
            tags: dict | None = None) -> dict:
    arn = f"arn:aws:kms:{region}:{account}:key/{key_id}"
    cfg = {
        "awsaccountId": account,
        "keyId": key_id,
        "arn": arn,
        "creationDate": iso_ms(created),
        "enabled": True,
        "description": description,
        "keyUsage": "ENCRYPT_DECRYPT",
        "keyState": "Enabled",
        "deletionDate": None,
        "validTo": None,
        "origin": "AWS_KMS",
        "customKeyStoreId": None,
        "cloudHsmClusterId": None,
        "expirationModel": None,
        "keyManager": manager,
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "keySpec": "SYMMETRIC_DEFAULT",
        "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "signingAlgorithms": [],
        "multiRegion": multi_region,
        "multiRegionConfiguration": None,
        "pendingDeletionWindowInDays": None,
        "macAlgorithms": [],
    }
    return aws_item(account, region, "AWS::KMS::Key", key_id, arn, cfg, supplementary={"KeyRotationStatus": rotation},
                    tags=tags, az="Regional", created=created)


# ---- IAM

def iam_user(account: str, user: str, *, created: datetime, attached: list = (), inline: list = (),
             groups: list = (), tags: dict | None = None, region: str = "global") -> dict:
    """attached: [(policy_name, policy_arn)]; inline: [(policy_name, doc_dict)]"""
    arn = f"arn:aws:iam::{account}:user/{user}"
    uid = "AIDA" + upper_id("user" + arn, 17)
    cfg = {
        "path": "/",
        "userName": user,
        "userId": uid,
        "arn": arn,
        "createDate": iso_ms(created),
        "userPolicyList": [{"policyName": n, "policyDocument": policy_doc_encoded(d)} for n, d in inline],
        "groupList": list(groups),
        "attachedManagedPolicies": [{"policyName": n, "policyArn": a} for n, a in attached],
        "permissionsBoundary": None,
        "tags": tag_list(tags),
    }
    rels = [rel("AWS::IAM::Policy", "ANPA" + upper_id("pol" + a, 17), "Is attached to CustomerManagedPolicy", n)
            for n, a in attached if ":aws:policy/" not in a]
    rels += [rel("AWS::IAM::Group", "AGPA" + upper_id("grp" + g, 17), "Is contained in Group", g) for g in groups]
    return aws_item(account, region, "AWS::IAM::User", uid, arn, cfg, name=user, tags=tags,
                    relationships=rels, created=created)


def iam_policy(account: str, name: str, *, created: datetime, document: dict, attachments: int,
               description: str | None = None, region: str = "global") -> dict:
    arn = f"arn:aws:iam::{account}:policy/{name}"
    pid = "ANPA" + upper_id("pol" + arn, 17)
    cfg = {
        "policyName": name,
        "policyId": pid,
        "arn": arn,
        "path": "/",
        "defaultVersionId": "v1",
        "attachmentCount": attachments,
        "permissionsBoundaryUsageCount": 0,
        "isAttachable": True,
        "description": description,
        "createDate": iso_ms(created),
        "updateDate": iso_ms(created),
        "policyVersionList": [{"document": policy_doc_encoded(document), "versionId": "v1",
                               "isDefaultVersion": True, "createDate": iso_ms(created)}],
    }
    return aws_item(account, region, "AWS::IAM::Policy", pid, arn, cfg, name=name, created=created)


# ---- ELBv2

def elbv2_lb(account: str, region: str, name: str, *, created: datetime, scheme: str, vpc_id: str,
             zones: list, sgs: list, deletion_protection: bool = True, tags: dict | None = None) -> dict:
    """zones: [(zone_name, subnet_id)]"""
    lb_hex = hexid("lb" + account + region + name, 16)
    arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{lb_hex}"
    prefix = "internal-" if scheme == "internal" else ""
    cfg = {
        "loadBalancerArn": arn,
        "dNSName": f"{prefix}{name}-{digits('dns' + arn, 10)}.{region}.elb.amazonaws.com",
        "canonicalHostedZoneId": "Z35SXDOTRQ7X7K" if region == "us-east-1" else "Z1H1FL5HABSF5",
        "createdTime": iso_ms(created),
        "loadBalancerName": name,
        "scheme": scheme,
        "vpcId": vpc_id,
        "state": {"code": "active", "reason": None},
        "type": "application",
        "availabilityZones": [{"zoneName": z, "subnetId": s, "outpostId": None, "loadBalancerAddresses": []} for z, s in zones],
        "securityGroups": list(sgs),
        "ipAddressType": "ipv4",
        "customerOwnedIpv4Pool": None,
    }
    supp = {"LoadBalancerAttributes": [
        {"key": "deletion_protection.enabled", "value": str(deletion_protection).lower()},
        {"key": "access_logs.s3.enabled", "value": "false"},
        {"key": "idle_timeout.timeout_seconds", "value": "60"},
        {"key": "routing.http.drop_invalid_header_fields.enabled", "value": "true"},
        {"key": "routing.http2.enabled", "value": "true"},
        {"key": "load_balancing.cross_zone.enabled", "value": "true"}]}
    rels = [rel("AWS::EC2::SecurityGroup", g, "Is associated with SecurityGroup") for g in sgs]
    rels += [rel("AWS::EC2::Subnet", s, "Is attached to Subnet") for _, s in zones]
    rels.append(rel("AWS::EC2::VPC", vpc_id, "Is contained in Vpc"))
    return aws_item(account, region, "AWS::ElasticLoadBalancingV2::LoadBalancer", arn, arn, cfg, name=name,
                    supplementary=supp, tags=tags, az="Multiple Availability Zones" if len(zones) > 1 else zones[0][0],
                    relationships=rels, created=created)


def elbv2_listener(account: str, region: str, lb_arn: str, *, port: int, protocol: str, created: datetime,
                   target_group_arn: str | None = None, redirect_https: bool = False,
                   certificate_arn: str | None = None, ssl_policy: str | None = None) -> dict:
    arn = lb_arn.replace(":loadbalancer/", ":listener/") + "/" + hexid(f"lst{lb_arn}{port}", 16)
    if redirect_https:
        actions = [{"Type": "redirect", "Order": 1, "RedirectConfig": {
            "Protocol": "HTTPS", "Port": "443", "Host": "#{host}", "Path": "/#{path}", "Query": "#{query}",
            "StatusCode": "HTTP_301"}}]
    else:
        actions = [{"Type": "forward", "Order": 1, "TargetGroupArn": target_group_arn,
                    "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": target_group_arn, "Weight": 1}],
                                      "TargetGroupStickinessConfig": {"Enabled": False}}}]
    cfg = {"ListenerArn": arn, "LoadBalancerArn": lb_arn, "Port": port, "Protocol": protocol, "DefaultActions": actions}
    if protocol == "HTTPS":
        cfg["SslPolicy"] = ssl_policy
        cfg["Certificates"] = [{"CertificateArn": certificate_arn}]
    return aws_item(account, region, "AWS::ElasticLoadBalancingV2::Listener", arn, arn, cfg, az="Regional",
                    relationships=[rel("AWS::ElasticLoadBalancingV2::LoadBalancer", lb_arn, "Is attached to LoadBalancer")],
                    created=created)


# ---- CloudTrail

def cloudtrail(account: str, region: str, name: str, *, created: datetime, bucket: str, multi_region: bool,
               validation: bool, kms_key: str | None, logging: bool = True, global_events: bool = True,
               log_group: str | None = None, tags: dict | None = None) -> dict:
    arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"
    cfg = {
        "name": name,
        "s3BucketName": bucket,
        "s3KeyPrefix": None,
        "snsTopicName": None,
        "snsTopicARN": None,
        "includeGlobalServiceEvents": global_events,
        "isMultiRegionTrail": multi_region,
        "homeRegion": region,
        "trailARN": arn,
        "logFileValidationEnabled": validation,
        "cloudWatchLogsLogGroupArn": log_group,
        "cloudWatchLogsRoleArn": f"arn:aws:iam::{account}:role/cloudtrail-to-cloudwatch" if log_group else None,
        "kmsKeyId": kms_key,
        "hasCustomEventSelectors": False,
        "hasInsightSelectors": False,
        "isOrganizationTrail": False,
    }
    status = {"isLogging": logging, "latestDeliveryError": None, "latestNotificationError": None,
              "latestDeliveryTime": iso_ms(ago(minutes=4)) if logging else iso_ms(ago(days=90)),
              "latestNotificationTime": None,
              "startLoggingTime": iso_ms(created), "stopLoggingTime": None if logging else iso_ms(ago(days=90)),
              "latestCloudWatchLogsDeliveryError": None,
              "latestCloudWatchLogsDeliveryTime": iso_ms(ago(minutes=3)) if log_group else None,
              "latestDigestDeliveryTime": iso_ms(ago(minutes=50)) if validation else None,
              "latestDigestDeliveryError": None, "latestDeliveryAttemptTime": iso_s(ago(minutes=4)),
              "latestNotificationAttemptTime": "", "latestNotificationAttemptSucceeded": "",
              "latestDeliveryAttemptSucceeded": iso_s(ago(minutes=4)),
              "timeLoggingStarted": iso_s(created), "timeLoggingStopped": ""}
    supp = {"TrailStatus": status,
            "EventSelectors": [{"readWriteType": "All", "includeManagementEvents": True, "dataResources": [],
                                "excludeManagementEventSources": []}]}
    return aws_item(account, region, "AWS::CloudTrail::Trail", name, arn, cfg, name=name, supplementary=supp,
                    tags=tags, relationships=[rel("AWS::S3::Bucket", bucket, "Is associated with Bucket")],
                    created=created)


# ---- AWS Backup

def backup_vault(account: str, region: str, name: str, *, created: datetime, kms_key: str,
                 lock: tuple | None = None, tags: dict | None = None) -> dict:
    """lock: (min_retention_days, max_retention_days, changeable_for_days|None) or None."""
    arn = f"arn:aws:backup:{region}:{account}:backup-vault:{name}"
    cfg = {"BackupVaultName": name, "BackupVaultArn": arn, "EncryptionKeyArn": kms_key,
           "BackupVaultTags": tag_list(tags, "Key", "Value") if tags else None}
    cfg = {k: v for k, v in cfg.items() if v is not None}
    if lock:
        lc = {"MinRetentionDays": lock[0], "MaxRetentionDays": lock[1]}
        if lock[2] is not None:
            lc["ChangeableForDays"] = lock[2]
        cfg["LockConfiguration"] = lc
    return aws_item(account, region, "AWS::Backup::BackupVault", name, arn, cfg, name=name, tags=tags,
                    az="Regional", created=created)


def backup_plan(account: str, region: str, plan_id: str, name: str, *, created: datetime, rules: list,
                tags: dict | None = None) -> dict:
    """rules: dicts with RuleName, TargetBackupVault, ScheduleExpression, DeleteAfterDays, copy_to (list of arns)."""
    arn = f"arn:aws:backup:{region}:{account}:backup-plan:{plan_id}"
    out_rules = []
    for r in rules:
        rule = {"RuleName": r["RuleName"], "TargetBackupVault": r["TargetBackupVault"],
                "ScheduleExpression": r["ScheduleExpression"], "ScheduleExpressionTimezone": "Etc/UTC",
                "StartWindowMinutes": 60, "CompletionWindowMinutes": 180,
                "Lifecycle": {"DeleteAfterDays": r["DeleteAfterDays"]},
                "EnableContinuousBackup": r.get("EnableContinuousBackup", False)}
        if r.get("copy_to"):
            rule["CopyActions"] = [{"DestinationBackupVaultArn": d, "Lifecycle": {"DeleteAfterDays": r.get("copy_days", r["DeleteAfterDays"])}}
                                   for d in r["copy_to"]]
        out_rules.append(rule)
    cfg = {"BackupPlanId": plan_id, "BackupPlanArn": arn, "VersionId": hexid("ver" + arn, 32)[:32],
           "BackupPlan": {"BackupPlanName": name, "BackupPlanRule": out_rules},
           "BackupPlanTags": tag_list(tags, "Key", "Value")}
    return aws_item(account, region, "AWS::Backup::BackupPlan", plan_id, arn, cfg, name=name, tags=tags,
                    az="Regional", created=created)


def backup_selection(account: str, region: str, plan_id: str, selection_id: str, name: str, *,
                     created: datetime, resources: list = (), tag_conditions: list = (),
                     role: str | None = None) -> dict:
    """tag_conditions: [(key, value)]"""
    arn = f"arn:aws:backup:{region}:{account}:backup-plan:{plan_id}/selection/{selection_id}"
    sel = {"SelectionName": name,
           "IamRoleArn": role or f"arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole",
           "Resources": list(resources), "NotResources": [],
           "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": k, "ConditionValue": v} for k, v in tag_conditions],
           "Conditions": {"StringEquals": [], "StringNotEquals": [], "StringLike": [], "StringNotLike": []}}
    cfg = {"BackupPlanId": plan_id, "SelectionId": selection_id, "BackupSelection": sel}
    return aws_item(account, region, "AWS::Backup::BackupSelection", selection_id, arn, cfg, name=name,
                    az="Regional", created=created)


def recovery_point(account: str, region: str, rp_arn: str, *, vault: str, resource_arn: str, resource_type: str,
                   created: datetime, completed: datetime | None, size: int, plan_arn: str | None,
                   plan_id: str | None, rule_id: str | None, kms_key: str, delete_after: int,
                   status: str = "COMPLETED", source_vault_arn: str | None = None) -> dict:
    vault_arn = f"arn:aws:backup:{region}:{account}:backup-vault:{vault}"
    cfg = {
        "RecoveryPointArn": rp_arn,
        "BackupVaultName": vault,
        "BackupVaultArn": vault_arn,
        "SourceBackupVaultArn": source_vault_arn,
        "ResourceArn": resource_arn,
        "ResourceType": resource_type,
        "CreatedBy": ({"BackupPlanId": plan_id, "BackupPlanArn": plan_arn, "BackupPlanVersion": hexid("v" + str(plan_arn), 32),
                       "BackupRuleId": rule_id} if plan_arn else None),
        "IamRoleArn": f"arn:aws:iam::{account}:role/service-role/AWSBackupDefaultServiceRole",
        "Status": status,
        "CreationDate": iso_ms(created),
        "CompletionDate": iso_ms(completed) if completed else None,
        "BackupSizeInBytes": size,
        "CalculatedLifecycle": {"DeleteAt": iso_ms(created + timedelta(days=delete_after))},
        "Lifecycle": {"DeleteAfterDays": delete_after},
        "EncryptionKeyArn": kms_key,
        "IsEncrypted": True,
        "StorageClass": "WARM",
        "LastRestoreTime": None,
    }
    cfg = {k: v for k, v in cfg.items() if v is not None}
    return aws_item(account, region, "AWS::Backup::RecoveryPoint", rp_arn, rp_arn, cfg, az="Regional",
                    relationships=[rel("AWS::Backup::BackupVault", vault, "Is contained in BackupVault")],
                    created=created, captured=completed or created)


# ---- Auto Scaling, Lambda, Route 53

def asg(account: str, region: str, name: str, *, created: datetime, zones: list, subnets: list,
        instances: list, min_size: int, max_size: int, desired: int, launch_template: tuple,
        target_groups: list = (), tags: dict | None = None) -> dict:
    """instances: [(instance_id, az, instance_type)]; launch_template: (id, name)"""
    arn = f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uuid_from('asg' + name)}:autoScalingGroupName/{name}"
    lt = {"launchTemplateId": launch_template[0], "launchTemplateName": launch_template[1], "version": "$Latest"}
    cfg = {
        "autoScalingGroupName": name,
        "autoScalingGroupARN": arn,
        "launchConfigurationName": None,
        "launchTemplate": lt,
        "mixedInstancesPolicy": None,
        "minSize": min_size,
        "maxSize": max_size,
        "desiredCapacity": desired,
        "predictedCapacity": None,
        "defaultCooldown": 300,
        "availabilityZones": list(zones),
        "loadBalancerNames": [],
        "targetGroupARNs": list(target_groups),
        "healthCheckType": "ELB" if target_groups else "EC2",
        "healthCheckGracePeriod": 300,
        "instances": [{"instanceId": iid, "instanceType": itype, "availabilityZone": z, "lifecycleState": "InService",
                       "healthStatus": "Healthy", "launchConfigurationName": None, "launchTemplate": lt,
                       "protectedFromScaleIn": False, "weightedCapacity": None} for iid, z, itype in instances],
        "createdTime": iso_ms(created),
        "suspendedProcesses": [],
        "placementGroup": None,
        "vpczoneIdentifier": ",".join(subnets),
        "enabledMetrics": [],
        "status": None,
        "tags": [{"resourceId": name, "resourceType": "auto-scaling-group", "key": k, "value": v, "propagateAtLaunch": True}
                 for k, v in (tags or {}).items()],
        "terminationPolicies": ["Default"],
        "newInstancesProtectedFromScaleIn": False,
        "serviceLinkedRoleARN": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "maxInstanceLifetime": None,
        "capacityRebalance": False,
        "warmPoolConfiguration": None,
        "warmPoolSize": None,
        "context": None,
        "desiredCapacityType": None,
        "defaultInstanceWarmup": None,
        "trafficSources": [{"identifier": t, "type": "elbv2"} for t in target_groups],
    }
    rels = [rel("AWS::EC2::Instance", iid, "Contains Instance") for iid, _, _ in instances]
    rels += [rel("AWS::EC2::Subnet", s, "Is associated with Subnet") for s in subnets]
    return aws_item(account, region, "AWS::AutoScaling::AutoScalingGroup", arn, arn, cfg, name=name,
                    supplementary={"LifeCycleHooks": []}, tags=tags, az="Multiple Availability Zones" if len(zones) > 1 else zones[0],
                    relationships=rels, created=created)


def lambda_function(account: str, region: str, name: str, *, created: datetime, runtime: str, role: str,
                    kms_key: str | None = None, memory: int = 256, timeout: int = 30, handler: str = "app.handler",
                    env_keys: list = (), tags: dict | None = None) -> dict:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    cfg = {
        "functionName": name,
        "functionArn": arn,
        "runtime": runtime,
        "role": role,
        "handler": handler,
        "codeSize": 1024 + h("code" + arn) % 900000,
        "description": "",
        "timeout": timeout,
        "memorySize": memory,
        "lastModified": lambda_ts(created),
        "codeSha256": hashlib.sha256(arn.encode()).hexdigest()[:43] + "=",
        "version": "$LATEST",
        "vpcConfig": None,
        "deadLetterConfig": None,
        "environment": {"variables": {k: "***" for k in env_keys}, "error": None} if env_keys else None,
        "kmsKeyArn": kms_key,
        "tracingConfig": {"mode": "PassThrough"},
        "masterArn": None,
        "revisionId": uuid_from("rev" + arn),
        "layers": [],
        "state": "Active",
        "lastUpdateStatus": "Successful",
        "packageType": "Zip",
        "architectures": ["x86_64"],
        "ephemeralStorage": {"size": 512},
        "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
        "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{name}"},
    }
    supp = {"Tags": dict(tags or {})}
    return aws_item(account, region, "AWS::Lambda::Function", name, arn, cfg, name=name, supplementary=supp,
                    tags=tags, relationships=[rel("AWS::IAM::Role", role.rsplit('/', 1)[-1], "Is associated with Role")],
                    created=created)


def r53_hosted_zone(account: str, zone_id: str, name: str, *, created: datetime, comment: str = "",
                    vpcs: list = (), tags: dict | None = None) -> dict:
    """vpcs: [(vpc_id, region)] -- non-empty for a private zone."""
    cfg = {"Id": zone_id, "Name": name, "HostedZoneConfig": {"Comment": comment},
           "NameServers": [] if vpcs else [f"ns-{100 + h(zone_id + str(i)) % 1900}.awsdns-{10 + i * 7:02d}.{tld}"
                                           for i, tld in enumerate(["com", "net", "org", "co.uk"])],
           "VPCs": [{"VPCId": v, "VPCRegion": r} for v, r in vpcs],
           "HostedZoneTags": tag_list(tags, "Key", "Value")}
    return aws_item(account, "us-east-1", "AWS::Route53::HostedZone", zone_id, f"arn:aws:route53:::hostedzone/{zone_id}",
                    cfg, name=name, tags=tags, created=created)


def r53_health_check(account: str, check_id: str, *, created: datetime, fqdn: str, path: str = "/healthz",
                     interval: int = 30, failure_threshold: int = 3, tags: dict | None = None) -> dict:
    cfg = {"HealthCheckId": check_id,
           "HealthCheckConfig": {"Type": "HTTPS", "FullyQualifiedDomainName": fqdn, "Port": 443, "ResourcePath": path,
                                 "RequestInterval": interval, "FailureThreshold": failure_threshold, "MeasureLatency": False,
                                 "Inverted": False, "EnableSNI": True,
                                 "Regions": ["us-east-1", "us-west-2", "eu-west-1"]},
           "HealthCheckTags": tag_list(tags, "Key", "Value")}
    return aws_item(account, "us-east-1", "AWS::Route53::HealthCheck", check_id, f"arn:aws:route53:::healthcheck/{check_id}",
                    cfg, tags=tags, created=created)


# ---- IAM credential report

CREDENTIAL_REPORT_COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
    "cert_2_active", "cert_2_last_rotated"]


def _key_cols(key) -> list:
    """key: None, or (active, rotated_dt, last_used_dt|None, region, service)"""
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    active, rotated, used, region, service = key
    if used is None:
        return ["true" if active else "false", iso_offset(rotated), "N/A", "N/A", "N/A"]
    return ["true" if active else "false", iso_offset(rotated), iso_offset(used), region, service]


def credential_row(user: str, arn: str, created: datetime, *, password: bool, password_last_used=None,
                   password_changed: datetime | None = None, mfa: bool, key1=None, key2=None,
                   root: bool = False) -> list:
    """password_last_used: datetime, None (N/A) or the string 'no_information'."""
    if root:
        pw_enabled, pw_changed, pw_next = "not_supported", "not_supported", "not_supported"
    elif password:
        pw_enabled = "true"
        pw_changed = iso_offset(password_changed or created)
        pw_next = "N/A"
    else:
        pw_enabled, pw_changed, pw_next = "false", "N/A", "N/A"
    if isinstance(password_last_used, datetime):
        pw_used = iso_offset(password_last_used)
    elif password_last_used == "no_information":
        pw_used = "no_information"
    else:
        pw_used = "N/A"
    return [user, arn, iso_offset(created), pw_enabled, pw_used, pw_changed, pw_next,
            "true" if mfa else "false", *_key_cols(key1), *_key_cols(key2), "false", "N/A", "false", "N/A"]


# =========================================================================== GCP

CE = "https://www.googleapis.com/compute/v1"
GCP_DISCOVERY = {
    "storage.googleapis.com/Bucket": ("v1", "https://www.googleapis.com/discovery/v1/apis/storage/v1/rest", "Bucket"),
    "compute.googleapis.com/Disk": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "Disk"),
    "compute.googleapis.com/Snapshot": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "Snapshot"),
    "compute.googleapis.com/Instance": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "Instance"),
    "compute.googleapis.com/ResourcePolicy": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "ResourcePolicy"),
    "compute.googleapis.com/InstanceGroupManager": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "InstanceGroupManager"),
    "compute.googleapis.com/RegionInstanceGroupManager": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "InstanceGroupManager"),
    "compute.googleapis.com/Network": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "Network"),
    "compute.googleapis.com/Subnetwork": ("v1", "https://www.googleapis.com/discovery/v1/apis/compute/v1/rest", "Subnetwork"),
    "sqladmin.googleapis.com/Instance": ("v1beta4", "https://www.googleapis.com/discovery/v1/apis/sqladmin/v1beta4/rest", "DatabaseInstance"),
    "cloudkms.googleapis.com/KeyRing": ("v1", "https://cloudkms.googleapis.com/$discovery/rest", "KeyRing"),
    "cloudkms.googleapis.com/CryptoKey": ("v1", "https://cloudkms.googleapis.com/$discovery/rest", "CryptoKey"),
    "container.googleapis.com/Cluster": ("v1", "https://container.googleapis.com/$discovery/rest", "Cluster"),
    "cloudresourcemanager.googleapis.com/Project": ("v1", "https://cloudresourcemanager.googleapis.com/$discovery/rest", "Project"),
    "iam.googleapis.com/ServiceAccount": ("v1", "https://iam.googleapis.com/$discovery/rest", "ServiceAccount"),
    "iam.googleapis.com/ServiceAccountKey": ("v1", "https://iam.googleapis.com/$discovery/rest", "ServiceAccountKey"),
    "dns.googleapis.com/ManagedZone": ("v1", "https://dns.googleapis.com/$discovery/rest", "ManagedZone"),
}


def gcp_asset(name: str, asset_type: str, data: dict, *, project_number: str, ancestors: list,
              location: str, updated: datetime) -> dict:
    """One line of `gcloud asset export --content-type=resource` (snake_case envelope)."""
    version, uri, disc = GCP_DISCOVERY[asset_type]
    parent = ("//cloudresourcemanager.googleapis.com/" + ancestors[1]) if asset_type.endswith("/Project") \
        else f"//cloudresourcemanager.googleapis.com/projects/{project_number}"
    return {"name": name, "asset_type": asset_type,
            "resource": {"version": version, "discovery_document_uri": uri, "discovery_name": disc,
                         "parent": parent, "data": data, "location": location},
            "ancestors": list(ancestors), "update_time": iso_us(updated)}


def gcp_iam_policy_asset(name: str, asset_type: str, bindings: list, *, ancestors: list, updated: datetime,
                         audit_configs: list | None = None, etag: str | None = None, version: int = 1) -> dict:
    """One element of `gcloud asset list --content-type=iam-policy --format=json` (camelCase)."""
    policy: dict = {"bindings": bindings}
    if audit_configs:
        policy["auditConfigs"] = audit_configs
    policy["etag"] = etag or ("BwY" + upper_id("etag" + name, 9))
    if version != 1:
        policy["version"] = version
    return {"ancestors": list(ancestors), "assetType": asset_type, "iamPolicy": policy, "name": name,
            "updateTime": iso_us(updated)}


def gnum(seed: str) -> str:
    """Compute Engine uint64 id as the API writes it (a string)."""
    return str(1000000000000000000 + h(seed) % 8000000000000000000)


def gcp_bucket(project: str, number: str, bucket: str, *, location: str, location_type: str, created: datetime,
               versioning: bool, kms_key: str | None, uniform: bool, pap: str = "enforced",
               retention_days: int | None = None, log_bucket: str | None = None, labels: dict | None = None,
               storage_class: str = "STANDARD", soft_delete_days: int = 7) -> dict:
    data = {
        "kind": "storage#bucket",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}",
        "id": bucket,
        "name": bucket,
        "projectNumber": number,
        "metageneration": str(1 + h("mg" + bucket) % 9),
        "location": location.upper(),
        "storageClass": storage_class,
        "etag": "CA" + upper_id("e" + bucket, 2) + "=",
        "timeCreated": iso_ms(created),
        "updated": iso_ms(created + timedelta(days=3)),
        "versioning": {"enabled": versioning},
        "iamConfiguration": {"bucketPolicyOnly": {"enabled": uniform, **({"lockedTime": iso_ms(created + timedelta(days=90))} if uniform else {})},
                             "uniformBucketLevelAccess": {"enabled": uniform, **({"lockedTime": iso_ms(created + timedelta(days=90))} if uniform else {})},
                             "publicAccessPrevention": pap},
        "locationType": location_type,
        "softDeletePolicy": {"retentionDurationSeconds": str(soft_delete_days * 86400), "effectiveTime": iso_ms(created)},
        "rpo": "DEFAULT",
    }
    if labels:
        data["labels"] = dict(labels)
    if kms_key:
        data["encryption"] = {"defaultKmsKeyName": kms_key}
    if retention_days:
        data["retentionPolicy"] = {"retentionPeriod": str(retention_days * 86400), "effectiveTime": iso_ms(created), "isLocked": False}
    if log_bucket:
        data["logging"] = {"logBucket": log_bucket, "logObjectPrefix": bucket}
    if not versioning and "lifecycle" not in data:
        data["lifecycle"] = {"rule": [{"action": {"type": "Delete"}, "condition": {"age": 30.0}}]}
    return gcp_asset(f"//storage.googleapis.com/{bucket}", "storage.googleapis.com/Bucket", data,
                     project_number=number, ancestors=gcp_ancestors(number),
                     location=location.lower(), updated=created + timedelta(days=3))


GCP_ORG = "organizations/770000000000"


def gcp_ancestors(number: str, folder: str | None = None) -> list:
    return [f"projects/{number}"] + ([folder] if folder else []) + [GCP_ORG]


def gcp_disk(project: str, number: str, zone: str, name: str, *, size_gb: int, created: datetime,
             dtype: str = "pd-balanced", users: list = (), policies: list = (), kms_key: str | None = None,
             image: str | None = None, labels: dict | None = None, regional_zones: list | None = None) -> dict:
    region = zone[:-2]
    if regional_zones:
        scope = f"regions/{region}"
    else:
        scope = f"zones/{zone}"
    data = {
        "kind": "compute#disk",
        "id": gnum(f"disk/{project}/{name}"),
        "creationTimestamp": gce_ts(created),
        "name": name,
        "sizeGb": str(size_gb),
        "status": "READY",
        "selfLink": f"{CE}/projects/{project}/{scope}/disks/{name}",
        "type": f"{CE}/projects/{project}/{scope}/diskTypes/{dtype}",
        "labelFingerprint": upper_id("lf" + name, 11) + "=",
        "physicalBlockSizeBytes": "4096",
        "satisfiesPzi": True,
        "architecture": "X86_64",
    }
    if regional_zones:
        data["region"] = f"{CE}/projects/{project}/regions/{region}"
        data["replicaZones"] = [f"{CE}/projects/{project}/zones/{z}" for z in regional_zones]
    else:
        data["zone"] = f"{CE}/projects/{project}/zones/{zone}"
    if image:
        data["sourceImage"] = image
        data["sourceImageId"] = gnum("img" + image)
        data["licenses"] = ["https://www.googleapis.com/compute/v1/projects/debian-cloud/global/licenses/debian-12-bookworm"]
        data["guestOsFeatures"] = [{"type": "UEFI_COMPATIBLE"}, {"type": "VIRTIO_SCSI_MULTIQUEUE"}, {"type": "GVNIC"}]
    if users:
        data["users"] = list(users)
        data["lastAttachTimestamp"] = gce_ts(created + timedelta(minutes=1))
    if policies:
        data["resourcePolicies"] = list(policies)
    if kms_key:
        data["diskEncryptionKey"] = {"kmsKeyName": kms_key + "/cryptoKeyVersions/1"}
    if labels:
        data["labels"] = dict(labels)
    return gcp_asset(f"//compute.googleapis.com/projects/{project}/{scope}/disks/{name}", "compute.googleapis.com/Disk",
                     data, project_number=number, ancestors=gcp_ancestors(number),
                     location=region if regional_zones else zone, updated=created + timedelta(minutes=2))


def gcp_snapshot(project: str, number: str, name: str, *, source_disk: str, source_disk_id: str, size_gb: int,
                 created: datetime, storage_locations: list, kms_key: str | None = None, auto: bool = False,
                 labels: dict | None = None) -> dict:
    data = {
        "kind": "compute#snapshot",
        "id": gnum(f"snap/{project}/{name}"),
        "creationTimestamp": gce_ts(created),
        "name": name,
        "status": "READY",
        "sourceDisk": source_disk,
        "sourceDiskId": source_disk_id,
        "diskSizeGb": str(size_gb),
        "storageBytes": str(size_gb * 1024 ** 3 // (3 + h(name) % 5)),
        "storageBytesStatus": "UP_TO_DATE",
        "selfLink": f"{CE}/projects/{project}/global/snapshots/{name}",
        "labelFingerprint": "42WmSpB8rSM=",
        "storageLocations": list(storage_locations),
        "downloadBytes": str(size_gb * 1024 ** 3 // 7),
        "creationSizeBytes": str(size_gb * 1024 ** 3 // 5),
        "snapshotType": "STANDARD",
        "autoCreated": auto,
        "architecture": "X86_64",
    }
    if kms_key:
        data["snapshotEncryptionKey"] = {"kmsKeyName": kms_key + "/cryptoKeyVersions/1"}
    if labels:
        data["labels"] = dict(labels)
    return gcp_asset(f"//compute.googleapis.com/projects/{project}/global/snapshots/{name}", "compute.googleapis.com/Snapshot",
                     data, project_number=number, ancestors=gcp_ancestors(number), location="global",
                     updated=created + timedelta(minutes=6))


def gcp_resource_policy(project: str, number: str, region: str, name: str, *, created: datetime,
                        schedule: dict, retention_days: int, storage_locations: list) -> dict:
    data = {
        "kind": "compute#resourcePolicy",
        "id": gnum(f"rp/{project}/{name}"),
        "creationTimestamp": gce_ts(created),
        "selfLink": f"{CE}/projects/{project}/regions/{region}/resourcePolicies/{name}",
        "region": f"{CE}/projects/{project}/regions/{region}",
        "name": name,
        "snapshotSchedulePolicy": {
            "schedule": schedule,
            "retentionPolicy": {"maxRetentionDays": float(retention_days), "onSourceDiskDelete": "KEEP_AUTO_SNAPSHOTS"},
            "snapshotProperties": {"storageLocations": list(storage_locations), "guestFlush": False},
        },
        "status": "READY",
    }
    return gcp_asset(f"//compute.googleapis.com/projects/{project}/regions/{region}/resourcePolicies/{name}",
                     "compute.googleapis.com/ResourcePolicy", data, project_number=number,
                     ancestors=gcp_ancestors(number), location=region, updated=created)


def gcp_instance(project: str, number: str, zone: str, name: str, *, machine_type: str, created: datetime,
                 disks: list, network: str = "default", subnet: str | None = None, internal_ip: str = "10.128.0.2",
                 nat_ip: str | None = None, sa_email: str | None = None, labels: dict | None = None,
                 status: str = "RUNNING", mig: str | None = None) -> dict:
    """disks: [(disk_self_link, device_name, boot, size_gb)]"""
    region = zone[:-2]
    nic = {"kind": "compute#networkInterface",
           "network": f"{CE}/projects/{project}/global/networks/{network}",
           "subnetwork": subnet or f"{CE}/projects/{project}/regions/{region}/subnetworks/{network}",
           "networkIP": internal_ip, "name": "nic0", "fingerprint": upper_id("nf" + name, 11) + "=",
           "stackType": "IPV4_ONLY", "nicType": "GVNIC"}
    if nat_ip:
        nic["accessConfigs"] = [{"kind": "compute#accessConfig", "type": "ONE_TO_ONE_NAT", "name": "External NAT",
                                 "natIP": nat_ip, "networkTier": "PREMIUM"}]
    data = {
        "kind": "compute#instance",
        "id": gnum(f"inst/{project}/{name}"),
        "creationTimestamp": gce_ts(created),
        "name": name,
        "tags": {"fingerprint": "42WmSpB8rSM="},
        "machineType": f"{CE}/projects/{project}/zones/{zone}/machineTypes/{machine_type}",
        "status": status,
        "zone": f"{CE}/projects/{project}/zones/{zone}",
        "canIpForward": False,
        "networkInterfaces": [nic],
        "disks": [{"kind": "compute#attachedDisk", "type": "PERSISTENT", "mode": "READ_WRITE", "source": src,
                   "deviceName": dev, "index": float(i), "boot": boot, "autoDelete": boot, "interface": "SCSI",
                   "diskSizeGb": str(size), "architecture": "X86_64"}
                  for i, (src, dev, boot, size) in enumerate(disks)],
        "metadata": {"kind": "compute#metadata", "fingerprint": upper_id("md" + name, 11) + "="},
        "serviceAccounts": ([{"email": sa_email, "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}] if sa_email else []),
        "selfLink": f"{CE}/projects/{project}/zones/{zone}/instances/{name}",
        "scheduling": {"onHostMaintenance": "MIGRATE", "automaticRestart": True, "preemptible": False,
                       "provisioningModel": "STANDARD"},
        "cpuPlatform": "Intel Cascade Lake",
        "labelFingerprint": upper_id("lf" + name, 11) + "=",
        "startRestricted": False,
        "deletionProtection": False,
        "shieldedInstanceConfig": {"enableSecureBoot": False, "enableVtpm": True, "enableIntegrityMonitoring": True},
        "shieldedInstanceIntegrityPolicy": {"updateAutoLearnPolicy": True},
        "fingerprint": upper_id("fp" + name, 11) + "=",
        "lastStartTimestamp": gce_ts(created + timedelta(minutes=1)),
        "satisfiesPzi": True,
    }
    if labels:
        data["labels"] = dict(labels)
    if mig:
        data["metadata"]["items"] = [{"key": "created-by", "value": mig}]
    return gcp_asset(f"//compute.googleapis.com/projects/{project}/zones/{zone}/instances/{name}",
                     "compute.googleapis.com/Instance", data, project_number=number, ancestors=gcp_ancestors(number),
                     location=zone, updated=created + timedelta(minutes=1))


def gcp_igm(project: str, number: str, name: str, *, created: datetime, template: str, target_size: int,
            zone: str | None = None, region: str | None = None, zones: list = (), base: str | None = None) -> dict:
    if region:
        scope = f"regions/{region}"
        atype = "compute.googleapis.com/RegionInstanceGroupManager"
    else:
        scope = f"zones/{zone}"
        atype = "compute.googleapis.com/InstanceGroupManager"
    data = {
        "kind": "compute#instanceGroupManager",
        "id": gnum(f"igm/{project}/{name}"),
        "creationTimestamp": gce_ts(created),
        "name": name,
        "instanceTemplate": f"{CE}/projects/{project}/global/instanceTemplates/{template}",
        "versions": [{"instanceTemplate": f"{CE}/projects/{project}/global/instanceTemplates/{template}",
                      "targetSize": {"calculated": float(target_size)}}],
        "instanceGroup": f"{CE}/projects/{project}/{scope}/instanceGroups/{name}",
        "baseInstanceName": base or name,
        "fingerprint": upper_id("f" + name, 11) + "=",
        "currentActions": {"none": float(target_size), "creating": 0.0, "creatingWithoutRetries": 0.0,
                           "verifying": 0.0, "recreating": 0.0, "deleting": 0.0, "abandoning": 0.0,
                           "restarting": 0.0, "refreshing": 0.0, "suspending": 0.0, "resuming": 0.0,
                           "stopping": 0.0, "starting": 0.0},
        "status": {"isStable": True, "versionTarget": {"isReached": True}, "stateful": {"hasStatefulConfig": False}},
        "targetSize": float(target_size),
        "selfLink": f"{CE}/projects/{project}/{scope}/instanceGroupManagers/{name}",
        "updatePolicy": {"type": "PROACTIVE", "minimalAction": "REPLACE", "maxSurge": {"fixed": 3.0, "calculated": 3.0},
                         "maxUnavailable": {"fixed": 0.0, "calculated": 0.0}, "replacementMethod": "SUBSTITUTE"},
        "instanceLifecyclePolicy": {"forceUpdateOnRepair": "NO", "defaultActionOnFailure": "REPAIR"},
        "listManagedInstancesResults": "PAGELESS",
    }
    if region:
        data["region"] = f"{CE}/projects/{project}/regions/{region}"
        data["distributionPolicy"] = {"zones": [{"zone": f"{CE}/projects/{project}/zones/{z}"} for z in zones],
                                      "targetShape": "EVEN"}
        loc = region
    else:
        data["zone"] = f"{CE}/projects/{project}/zones/{zone}"
        loc = zone
    return gcp_asset(f"//compute.googleapis.com/projects/{project}/{scope}/instanceGroupManagers/{name}", atype, data,
                     project_number=number, ancestors=gcp_ancestors(number), location=loc, updated=created)


def gcp_sql(project: str, number: str, name: str, *, region: str, zone: str, created: datetime, version: str,
            tier: str, availability: str, backups: bool, pitr: bool, require_ssl: bool, ssl_mode: str,
            disk_gb: int, kms_key: str | None = None, secondary_zone: str | None = None,
            master: str | None = None, replicas: list = (), backup_location: str | None = None,
            retained: int = 7, deletion_protection: bool = True, ipv4: bool = False,
            network: str = "default", labels: dict | None = None) -> dict:
    is_replica = master is not None
    backup_cfg = {"kind": "sql#backupConfiguration", "enabled": backups, "startTime": "02:00",
                  "backupRetentionSettings": {"retentionUnit": "COUNT", "retainedBackups": float(retained)},
                  "transactionLogRetentionDays": 7.0, "transactionalLogStorageState": "CLOUD_STORAGE"}
    if "POSTGRES" in version:
        backup_cfg["pointInTimeRecoveryEnabled"] = pitr
    else:
        backup_cfg["binaryLogEnabled"] = pitr
    if backup_location:
        backup_cfg["location"] = backup_location
    settings = {
        "kind": "sql#settings",
        "settingsVersion": str(3 + h("sv" + name) % 40),
        "tier": tier,
        "availabilityType": availability,
        "pricingPlan": "PER_USE",
        "replicationType": "SYNCHRONOUS",
        "activationPolicy": "ALWAYS",
        "ipConfiguration": {"ipv4Enabled": ipv4, "requireSsl": require_ssl, "sslMode": ssl_mode,
                            "privateNetwork": f"projects/{project}/global/networks/{network}",
                            "enablePrivatePathForGoogleCloudServices": True, "serverCaMode": "GOOGLE_MANAGED_INTERNAL_CA"},
        "locationPreference": {"kind": "sql#locationPreference", "zone": zone,
                               **({"secondaryZone": secondary_zone} if secondary_zone else {})},
        "dataDiskSizeGb": str(disk_gb),
        "dataDiskType": "PD_SSD",
        "storageAutoResize": True,
        "storageAutoResizeLimit": "0",
        "backupConfiguration": backup_cfg,
        "maintenanceWindow": {"kind": "sql#maintenanceWindow", "hour": 4.0, "day": 7.0},
        "deletionProtectionEnabled": deletion_protection,
        "connectorEnforcement": "NOT_REQUIRED",
        "edition": "ENTERPRISE",
    }
    if labels:
        settings["userLabels"] = dict(labels)
    data = {
        "kind": "sql#instance",
        "state": "RUNNABLE",
        "databaseVersion": version,
        "settings": settings,
        "etag": hexid("etag" + name, 64),
        "ipAddresses": [{"type": "PRIVATE", "ipAddress": f"10.{20 + h(name) % 200}.0.{3 + h(name) % 250}"}],
        "instanceType": "READ_REPLICA_INSTANCE" if is_replica else "CLOUD_SQL_INSTANCE",
        "project": project,
        "serviceAccountEmailAddress": f"p{number}-{upper_id('sa' + project, 6).lower()}@gcp-sa-cloud-sql.iam.gserviceaccount.com",
        "backendType": "SECOND_GEN",
        "selfLink": f"https://sqladmin.googleapis.com/sql/v1beta4/projects/{project}/instances/{name}",
        "connectionName": f"{project}:{region}:{name}",
        "name": name,
        "region": region,
        "gceZone": zone,
        "databaseInstalledVersion": version + ("_12" if "POSTGRES" in version else "_36"),
        "createTime": iso_ms(created),
        "sqlNetworkArchitecture": "NEW_NETWORK_ARCHITECTURE",
    }
    if secondary_zone:
        data["secondaryGceZone"] = secondary_zone
    if master:
        data["masterInstanceName"] = master
        data["replicaConfiguration"] = {"kind": "sql#replicaConfiguration", "failoverTarget": False}
    if replicas:
        data["replicaNames"] = list(replicas)
    if kms_key:
        data["diskEncryptionConfiguration"] = {"kmsKeyName": kms_key, "kind": "sql#diskEncryptionConfiguration"}
        data["diskEncryptionStatus"] = {"kmsKeyVersionName": kms_key + "/cryptoKeyVersions/1", "kind": "sql#diskEncryptionStatus"}
    return gcp_asset(f"//cloudsql.googleapis.com/projects/{project}/instances/{name}", "sqladmin.googleapis.com/Instance",
                     data, project_number=number, ancestors=gcp_ancestors(number), location=region,
                     updated=created + timedelta(days=1))


def gcp_keyring(project: str, number: str, location: str, ring: str, *, created: datetime) -> dict:
    name = f"projects/{project}/locations/{location}/keyRings/{ring}"
    return gcp_asset(f"//cloudkms.googleapis.com/{name}", "cloudkms.googleapis.com/KeyRing",
                     {"name": name, "createTime": iso_us(created)}, project_number=number,
                     ancestors=gcp_ancestors(number), location=location, updated=created)


def gcp_crypto_key(project: str, number: str, location: str, ring: str, key: str, *, created: datetime,
                   rotation_days: int | None, labels: dict | None = None) -> dict:
    name = f"projects/{project}/locations/{location}/keyRings/{ring}/cryptoKeys/{key}"
    data = {
        "name": name,
        "primary": {"name": name + "/cryptoKeyVersions/1", "state": "ENABLED", "createTime": iso_us(created),
                    "protectionLevel": "SOFTWARE", "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                    "generateTime": iso_us(created)},
        "purpose": "ENCRYPT_DECRYPT",
        "createTime": iso_us(created),
        "versionTemplate": {"protectionLevel": "SOFTWARE", "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION"},
        "destroyScheduledDuration": "2592000s",
    }
    if rotation_days:
        data["rotationPeriod"] = f"{rotation_days * 86400}s"
        nxt = created
        while nxt <= NOW:
            nxt += timedelta(days=rotation_days)
        data["nextRotationTime"] = iso_s(nxt)
    if labels:
        data["labels"] = dict(labels)
    return gcp_asset(f"//cloudkms.googleapis.com/{name}", "cloudkms.googleapis.com/CryptoKey", data,
                     project_number=number, ancestors=gcp_ancestors(number), location=location, updated=created)


def gcp_gke(project: str, number: str, name: str, *, location: str, node_zones: list, created: datetime,
            version: str = "1.30.5-gke.1443001", db_encryption_key: str | None = None, labels: dict | None = None,
            node_count: int = 3) -> dict:
    zonal = location.count("-") == 2
    scope = f"zones/{location}" if zonal else f"locations/{location}"
    data = {
        "name": name,
        "nodePools": [{"name": "default-pool", "config": {"machineType": "e2-standard-4", "diskSizeGb": 100.0,
                                                          "diskType": "pd-balanced", "imageType": "COS_CONTAINERD"},
                       "initialNodeCount": float(node_count), "locations": list(node_zones),
                       "selfLink": f"https://container.googleapis.com/v1/projects/{project}/{scope}/clusters/{name}/nodePools/default-pool",
                       "version": version, "status": "RUNNING",
                       "management": {"autoUpgrade": True, "autoRepair": True}}],
        "loggingService": "logging.googleapis.com/kubernetes",
        "monitoringService": "monitoring.googleapis.com/kubernetes",
        "network": "default",
        "clusterIpv4Cidr": "10.44.0.0/14",
        "subnetwork": "default",
        "locations": list(node_zones),
        "databaseEncryption": ({"state": "ENCRYPTED", "keyName": db_encryption_key} if db_encryption_key
                               else {"state": "DECRYPTED", "currentState": "CURRENT_STATE_DECRYPTED"}),
        "selfLink": f"https://container.googleapis.com/v1/projects/{project}/{scope}/clusters/{name}",
        "zone": location,
        "endpoint": f"34.{h(name) % 200}.{h('x' + name) % 250}.{h('y' + name) % 250}",
        "initialClusterVersion": version,
        "currentMasterVersion": version,
        "currentNodeVersion": version,
        "createTime": iso_s(created),
        "status": "RUNNING",
        "location": location,
        "releaseChannel": {"channel": "REGULAR"},
        "id": hexid("gke" + name, 64),
    }
    if labels:
        data["resourceLabels"] = dict(labels)
    return gcp_asset(f"//container.googleapis.com/projects/{project}/{scope}/clusters/{name}",
                     "container.googleapis.com/Cluster", data, project_number=number,
                     ancestors=gcp_ancestors(number), location=location, updated=created + timedelta(days=2))


def gcp_project(project: str, number: str, *, created: datetime, labels: dict | None = None) -> dict:
    data = {"projectNumber": number, "projectId": project, "lifecycleState": "ACTIVE", "name": project,
            "createTime": iso_ms(created), "parent": {"type": "organization", "id": GCP_ORG.split("/")[1]}}
    if labels:
        data["labels"] = dict(labels)
    return gcp_asset(f"//cloudresourcemanager.googleapis.com/projects/{number}",
                     "cloudresourcemanager.googleapis.com/Project", data, project_number=number,
                     ancestors=gcp_ancestors(number), location="global", updated=created)


def gcp_service_account(project: str, number: str, account_id: str, *, created: datetime, display: str = "",
                        disabled: bool = False) -> dict:
    email = f"{account_id}@{project}.iam.gserviceaccount.com"
    unique = digits("sa" + email, 21).lstrip("0") or "1"
    data = {"name": f"projects/{project}/serviceAccounts/{email}", "projectId": project, "uniqueId": unique,
            "email": email, "displayName": display, "etag": "MDEwMjE5MjA=", "oauth2ClientId": unique}
    if disabled:
        data["disabled"] = True
    return gcp_asset(f"//iam.googleapis.com/projects/{project}/serviceAccounts/{unique}",
                     "iam.googleapis.com/ServiceAccount", data, project_number=number,
                     ancestors=gcp_ancestors(number), location="global", updated=created)


def gcp_sa_unique(project: str, account_id: str) -> str:
    email = f"{account_id}@{project}.iam.gserviceaccount.com"
    return digits("sa" + email, 21).lstrip("0") or "1"


def gcp_sa_key(project: str, number: str, account_id: str, key_id: str, *, valid_after: datetime,
               key_type: str = "USER_MANAGED", disabled: bool = False) -> dict:
    email = f"{account_id}@{project}.iam.gserviceaccount.com"
    unique = gcp_sa_unique(project, account_id)
    data = {"name": f"projects/{project}/serviceAccounts/{email}/keys/{key_id}",
            "validAfterTime": iso_s(valid_after),
            "validBeforeTime": "9999-12-31T23:59:59Z" if key_type == "USER_MANAGED" else iso_s(valid_after + timedelta(days=730)),
            "keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": key_type}
    if disabled:
        data["disabled"] = True
    return gcp_asset(f"//iam.googleapis.com/projects/{project}/serviceAccounts/{unique}/keys/{key_id}",
                     "iam.googleapis.com/ServiceAccountKey", data, project_number=number,
                     ancestors=gcp_ancestors(number), location="global", updated=valid_after)


def gcp_network(project: str, number: str, name: str, *, created: datetime) -> dict:
    data = {"kind": "compute#network", "id": gnum(f"net/{project}/{name}"), "creationTimestamp": gce_ts(created),
            "name": name, "selfLink": f"{CE}/projects/{project}/global/networks/{name}", "autoCreateSubnetworks": False,
            "routingConfig": {"routingMode": "GLOBAL"}, "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL"}
    return gcp_asset(f"//compute.googleapis.com/projects/{project}/global/networks/{name}", "compute.googleapis.com/Network",
                     data, project_number=number, ancestors=gcp_ancestors(number), location="global", updated=created)


def gcp_dns_zone(project: str, number: str, name: str, dns_name: str, *, created: datetime,
                 visibility: str = "public", dnssec: bool = True) -> dict:
    data = {"name": name, "dnsName": dns_name, "description": "", "id": str(h("dz" + name) % 10 ** 19),
            "nameServers": [f"ns-cloud-a{i}.googledomains.com." for i in range(1, 5)] if visibility == "public" else [],
            "creationTime": iso_ms(created), "visibility": visibility,
            "dnssecConfig": {"state": "on" if dnssec else "off", "nonExistence": "nsec3"} if visibility == "public" else {},
            "cloudLoggingConfig": {"enableLogging": False}}
    return gcp_asset(f"//dns.googleapis.com/projects/{project}/managedZones/{name}", "dns.googleapis.com/ManagedZone",
                     data, project_number=number, ancestors=gcp_ancestors(number), location="global", updated=created)


# =========================================================================== Azure

def arm_id(sub: str, rg: str, provider_type: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider_type}/{name}"


def az_row(rid: str, name: str, rtype: str, *, tenant: str, sub: str, rg: str, location: str, properties: dict,
           kind: str = "", sku: dict | None = None, zones: list | None = None, tags: dict | None = None,
           managed_by: str = "", identity: dict | None = None, plan: dict | None = None) -> dict:
    """One row of `az graph query` output (type / resourceGroup / location lower-cased as ARG returns them)."""
    return {
        "id": rid,
        "name": name,
        "type": rtype.lower(),
        "tenantId": tenant,
        "kind": kind,
        "location": location.lower(),
        "resourceGroup": rg.lower(),
        "subscriptionId": sub,
        "managedBy": managed_by,
        "sku": sku,
        "plan": plan,
        "properties": properties,
        "tags": tags if tags is not None else {},
        "identity": identity,
        "zones": zones,
        "extendedLocation": None,
    }


def az_graph_envelope(rows: list, skip_token: str | None = None, total: int | None = None) -> dict:
    return {"count": len(rows), "data": rows, "skip_token": skip_token,
            "total_records": total if total is not None else len(rows)}


def az_storage(sub: str, tenant: str, rg: str, name: str, *, location: str, created: datetime, sku: str,
               tls: str = "TLS1_2", https_only: bool = True, blob_public: bool = False,
               cmk: tuple | None = None, secondary: str | None = None, public_network: str = "Enabled",
               infra_encryption: bool = False, tags: dict | None = None) -> dict:
    """cmk: (vault_uri, key_name, identity_id) or None (Microsoft-managed keys)."""
    rid = arm_id(sub, rg, "Microsoft.Storage/storageAccounts", name)
    enc = {"requireInfrastructureEncryption": infra_encryption,
           "services": {"file": {"keyType": "Account", "enabled": True, "lastEnabledTime": iso_7(created)},
                        "blob": {"keyType": "Account", "enabled": True, "lastEnabledTime": iso_7(created)}},
           "keySource": "Microsoft.Keyvault" if cmk else "Microsoft.Storage"}
    identity = None
    if cmk:
        enc["keyvaultproperties"] = {"keyvaulturi": cmk[0], "keyname": cmk[1], "keyversion": "",
                                     "currentVersionedKeyIdentifier": f"{cmk[0]}keys/{cmk[1]}/{hexid('kv' + name, 32)}",
                                     "lastKeyRotationTimestamp": iso_7(created + timedelta(days=30))}
        enc["identity"] = {"userAssignedIdentity": cmk[2]}
        identity = {"type": "UserAssigned", "userAssignedIdentities": {cmk[2]: {
            "principalId": uuid_from("pi" + cmk[2]), "clientId": uuid_from("ci" + cmk[2])}}}
    geo = sku.split("_")[1] in ("GRS", "RAGRS", "GZRS", "RAGZRS")
    props = {
        "keyCreationTime": {"key1": iso_7(created), "key2": iso_7(created)},
        "allowCrossTenantReplication": False,
        "privateEndpointConnections": [],
        "minimumTlsVersion": tls,
        "allowBlobPublicAccess": blob_public,
        "allowSharedKeyAccess": False,
        "largeFileSharesState": "Enabled" if not geo else None,
        "networkAcls": {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [],
                        "defaultAction": "Deny" if public_network == "Disabled" else "Allow"},
        "supportsHttpsTrafficOnly": https_only,
        "encryption": enc,
        "accessTier": "Hot",
        "provisioningState": "Succeeded",
        "creationTime": iso_7(created),
        "primaryEndpoints": {s: f"https://{name}.{s}.core.windows.net/" for s in ("dfs", "web", "blob", "queue", "table", "file")},
        "primaryLocation": location,
        "statusOfPrimary": "available",
        "publicNetworkAccess": public_network,
    }
    props = {k: v for k, v in props.items() if v is not None}
    if geo:
        props["secondaryLocation"] = secondary
        props["statusOfSecondary"] = "available"
        if sku.startswith("Standard_RA"):
            props["secondaryEndpoints"] = {s: f"https://{name}-secondary.{s}.core.windows.net/" for s in ("blob", "queue", "table", "web", "dfs")}
    return az_row(rid, name, "Microsoft.Storage/storageAccounts", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, kind="StorageV2", sku={"name": sku, "tier": sku.split("_")[0]}, tags=tags,
                  identity=identity)


def az_disk(sub: str, tenant: str, rg: str, name: str, *, location: str, created: datetime, size_gb: int,
            sku: str = "Premium_LRS", zones: list | None = None, managed_by: str = "", os_type: str | None = None,
            des_id: str | None = None, platform_key: bool = False, image: dict | None = None,
            source_id: str | None = None, tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Compute/disks", name)
    if des_id and not platform_key:
        encryption = {"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": des_id}
    else:
        encryption = {"type": "EncryptionAtRestWithPlatformKey"}
    creation = {"createOption": "FromImage", "imageReference": image} if image else {"createOption": "Empty"}
    if source_id:
        creation = {"createOption": "Copy", "sourceResourceId": source_id, "sourceUniqueId": uuid_from("u" + source_id)}
    props = {
        "creationData": creation,
        "diskSizeGB": size_gb,
        "diskIOPSReadWrite": 500 if size_gb <= 128 else 2300,
        "diskMBpsReadWrite": 100 if size_gb <= 128 else 150,
        "encryption": encryption,
        "networkAccessPolicy": "AllowAll",
        "publicNetworkAccess": "Enabled",
        "timeCreated": iso_7(created),
        "provisioningState": "Succeeded",
        "diskState": "Attached" if managed_by else "Unattached",
        "diskSizeBytes": size_gb * 1024 ** 3,
        "uniqueId": uuid_from("disk" + rid),
        "tier": {32: "P4", 64: "P6", 128: "P10", 256: "P15", 512: "P20", 1024: "P30"}.get(size_gb, "P10") if sku.startswith("Premium") else None,
        "supportedCapabilities": {"diskControllerTypes": "SCSI, NVMe", "acceleratedNetwork": True, "architecture": "x64"} if os_type else None,
        "osType": os_type,
        "hyperVGeneration": "V2" if os_type else None,
        "lastOwnershipUpdateTime": iso_7(created + timedelta(minutes=1)) if managed_by else None,
    }
    props = {k: v for k, v in props.items() if v is not None}
    return az_row(rid, name, "Microsoft.Compute/disks", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, sku={"name": sku, "tier": sku.split("_")[0]}, zones=zones, tags=tags,
                  managed_by=managed_by)


def az_snapshot(sub: str, tenant: str, rg: str, name: str, *, location: str, created: datetime,
                source_disk_id: str, size_gb: int, des_id: str | None = None, incremental: bool = True,
                tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Compute/snapshots", name)
    props = {
        "creationData": {"createOption": "Copy", "sourceResourceId": source_disk_id,
                         "sourceUniqueId": uuid_from("disk" + source_disk_id)},
        "diskSizeGB": size_gb,
        "encryption": ({"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": des_id} if des_id
                       else {"type": "EncryptionAtRestWithPlatformKey"}),
        "incremental": incremental,
        "networkAccessPolicy": "AllowAll",
        "publicNetworkAccess": "Enabled",
        "timeCreated": iso_7(created),
        "provisioningState": "Succeeded",
        "diskState": "Unattached",
        "diskSizeBytes": size_gb * 1024 ** 3,
        "uniqueId": uuid_from("snap" + rid),
        "completionPercent": 100.0,
    }
    return az_row(rid, name, "Microsoft.Compute/snapshots", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, sku={"name": "Standard_ZRS" if incremental else "Standard_LRS", "tier": "Standard"},
                  tags=tags)


def az_vm(sub: str, tenant: str, rg: str, name: str, *, location: str, created: datetime, size: str,
          os_disk: tuple, data_disks: list = (), nic_id: str, zones: list | None = None,
          avset_id: str | None = None, encryption_at_host: bool = True, des_id: str | None = None,
          os_disk_ref_id: str | None = None, tags: dict | None = None, power: str = "running",
          identity: dict | None = None) -> dict:
    """os_disk: (disk_id, disk_name, size_gb); data_disks: [(lun, disk_id, disk_name, size_gb)].
    os_disk_ref_id lets the VM reference its OS disk with a differently-cased id, as ARM sometimes does."""
    rid = arm_id(sub, rg, "Microsoft.Compute/virtualMachines", name)

    def md(did):
        m = {"storageAccountType": "Premium_LRS", "id": did}
        if des_id:
            m["diskEncryptionSet"] = {"id": des_id}
        return m

    props = {
        "vmId": uuid_from("vm" + rid),
        "hardwareProfile": {"vmSize": size},
        "storageProfile": {
            "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server",
                               "version": "latest", "exactVersion": "24.04.202410020"},
            "osDisk": {"osType": "Linux", "name": os_disk[1], "createOption": "FromImage", "caching": "ReadWrite",
                       "managedDisk": md(os_disk_ref_id or os_disk[0]), "deleteOption": "Delete", "diskSizeGB": os_disk[2]},
            "dataDisks": [{"lun": lun, "name": dn, "createOption": "Attach", "caching": "ReadOnly",
                           "writeAcceleratorEnabled": False, "managedDisk": md(did), "deleteOption": "Detach",
                           "diskSizeGB": sz, "toBeDetached": False} for lun, did, dn, sz in data_disks],
            "diskControllerType": "SCSI",
        },
        "osProfile": {"computerName": name, "adminUsername": "azureuser",
                      "linuxConfiguration": {"disablePasswordAuthentication": True, "provisionVMAgent": True,
                                             "patchSettings": {"patchMode": "AutomaticByPlatform", "assessmentMode": "AutomaticByPlatform"},
                                             "enableVMAgentPlatformUpdates": False},
                      "secrets": [], "allowExtensionOperations": True, "requireGuestProvisionSignal": True},
        "securityProfile": {"uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True},
                            "securityType": "TrustedLaunch", "encryptionAtHost": encryption_at_host},
        "networkProfile": {"networkInterfaces": [{"id": nic_id, "properties": {"deleteOption": "Delete"}}]},
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": True}},
        "provisioningState": "Succeeded",
        "timeCreated": iso_7(created),
        "extended": {"instanceView": {"computerName": name, "osName": "ubuntu", "osVersion": "24.04",
                                      "hyperVGeneration": "V2",
                                      "powerState": {"code": f"PowerState/{power}", "level": "Info",
                                                     "displayStatus": "VM running" if power == "running" else "VM deallocated"}}},
    }
    if avset_id:
        props["availabilitySet"] = {"id": avset_id}
    return az_row(rid, name, "Microsoft.Compute/virtualMachines", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, zones=zones, tags=tags, identity=identity)


def az_nic(sub: str, tenant: str, rg: str, name: str, *, location: str, vm_id: str, subnet_id: str, ip: str,
           nsg_id: str | None = None, tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Network/networkInterfaces", name)
    props = {
        "provisioningState": "Succeeded",
        "resourceGuid": uuid_from("nic" + rid),
        "ipConfigurations": [{"name": "ipconfig1", "id": rid + "/ipConfigurations/ipconfig1",
                              "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                              "properties": {"provisioningState": "Succeeded", "privateIPAddress": ip,
                                             "privateIPAllocationMethod": "Dynamic", "subnet": {"id": subnet_id},
                                             "primary": True, "privateIPAddressVersion": "IPv4"}}],
        "dnsSettings": {"dnsServers": [], "appliedDnsServers": [],
                        "internalDomainNameSuffix": upper_id("dns" + sub, 26).lower() + ".ax.internal.cloudapp.net"},
        "macAddress": "-".join(hexid("mac" + rid, 12)[i:i + 2].upper() for i in range(0, 12, 2)),
        "vnetEncryptionSupported": False,
        "enableIPForwarding": False,
        "disableTcpStateTracking": False,
        "primary": True,
        "virtualMachine": {"id": vm_id},
        "hostedWorkloads": [],
        "tapConfigurations": [],
        "nicType": "Standard",
        "allowPort25Out": False,
        "auxiliaryMode": "None",
        "auxiliarySku": "None",
        "enableAcceleratedNetworking": True,
    }
    if nsg_id:
        props["networkSecurityGroup"] = {"id": nsg_id}
    return az_row(rid, name, "Microsoft.Network/networkInterfaces", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, tags=tags)


def az_sql_server(sub: str, tenant: str, rg: str, name: str, *, location: str, min_tls: str,
                  public_network: str = "Disabled", tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Sql/servers", name)
    props = {"administratorLogin": "sqladminuser", "version": "12.0", "state": "Ready",
             "fullyQualifiedDomainName": f"{name}.database.windows.net", "privateEndpointConnections": [],
             "minimalTlsVersion": min_tls, "publicNetworkAccess": public_network,
             "restrictOutboundNetworkAccess": "Disabled",
             "administrators": {"administratorType": "ActiveDirectory", "principalType": "Group",
                                "login": "sql-admins", "sid": uuid_from("sqladm" + rid), "tenantId": tenant,
                                "azureADOnlyAuthentication": True}}
    return az_row(rid, name, "Microsoft.Sql/servers", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, kind="v12.0", tags=tags)


def az_sql_db(sub: str, tenant: str, rg: str, server: str, name: str, *, location: str, created: datetime,
              zone_redundant: bool, backup_redundancy: str, max_gb: int = 32, sku: tuple = ("GP_Gen5", "GeneralPurpose", "Gen5", 4),
              secondary_type: str | None = None, source_db_id: str | None = None, default_secondary: str | None = None,
              tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Sql/servers", server) + f"/databases/{name}"
    sku_d = {"name": sku[0], "tier": sku[1], "family": sku[2], "capacity": sku[3]}
    props = {
        "collation": "SQL_Latin1_General_CP1_CI_AS",
        "maxSizeBytes": max_gb * 1024 ** 3,
        "status": "Online",
        "databaseId": uuid_from("db" + rid),
        "creationDate": iso_7(created),
        "currentServiceObjectiveName": f"{sku[0]}_{sku[3]}",
        "requestedServiceObjectiveName": f"{sku[0]}_{sku[3]}",
        "defaultSecondaryLocation": default_secondary,
        "catalogCollation": "SQL_Latin1_General_CP1_CI_AS",
        "zoneRedundant": zone_redundant,
        "licenseType": "LicenseIncluded",
        "maxLogSizeBytes": max_gb * 1024 ** 3 * 3 // 10,
        "readScale": "Disabled",
        "currentSku": sku_d,
        "currentBackupStorageRedundancy": backup_redundancy,
        "requestedBackupStorageRedundancy": backup_redundancy,
        "maintenanceConfigurationId": f"/subscriptions/{sub}/providers/Microsoft.Maintenance/publicMaintenanceConfigurations/SQL_Default",
        "isLedgerOn": False,
        "isInfraEncryptionEnabled": False,
        "availabilityZone": "NoPreference",
    }
    if secondary_type:
        props["secondaryType"] = secondary_type
    if source_db_id:
        props["sourceDatabaseId"] = source_db_id
    return az_row(rid, name, "Microsoft.Sql/servers/databases", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, kind="v12.0,user,vcore", sku=sku_d, tags=tags,
                  managed_by="")


def az_keyvault(sub: str, tenant: str, rg: str, name: str, *, location: str, soft_delete: bool = True,
                purge_protection: bool | None = True, rbac: bool = True, public_network: str = "Disabled",
                tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.KeyVault/vaults", name)
    props = {"sku": {"family": "A", "name": "premium" if purge_protection else "standard"}, "tenantId": tenant,
             "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny" if public_network == "Disabled" else "Allow",
                             "ipRules": [], "virtualNetworkRules": []},
             "accessPolicies": [], "enabledForDeployment": False, "enabledForDiskEncryption": True,
             "enabledForTemplateDeployment": False, "enableSoftDelete": soft_delete, "softDeleteRetentionInDays": 90,
             "enableRbacAuthorization": rbac, "vaultUri": f"https://{name}.vault.azure.net/",
             "provisioningState": "Succeeded", "publicNetworkAccess": public_network}
    if purge_protection:
        props["enablePurgeProtection"] = True
    return az_row(rid, name, "Microsoft.KeyVault/vaults", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, tags=tags)


def az_rsv(sub: str, tenant: str, rg: str, name: str, *, location: str, redundancy: str, immutability: str,
           cross_region_restore: bool, soft_delete: str = "Enabled", tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.RecoveryServices/vaults", name)
    props = {
        "provisioningState": "Succeeded",
        "privateEndpointStateForBackup": "None",
        "privateEndpointStateForSiteRecovery": "None",
        "securitySettings": {"immutabilitySettings": {"state": immutability},
                             "softDeleteSettings": {"softDeleteState": soft_delete, "softDeleteRetentionPeriodInDays": 14,
                                                    "enhancedSecurityState": "Enabled"},
                             "multiUserAuthorization": "Disabled"},
        "redundancySettings": {"standardTierStorageRedundancy": redundancy,
                               "crossRegionRestore": "Enabled" if cross_region_restore else "Disabled"},
        "publicNetworkAccess": "Disabled",
        "restoreSettings": {"crossSubscriptionRestoreSettings": {"crossSubscriptionRestoreState": "Enabled"}},
        "secureScore": "Adequate" if immutability == "Locked" else "Minimum",
        "bcdrSecurityLevel": "Excellent" if immutability == "Locked" else "Poor",
    }
    return az_row(rid, name, "Microsoft.RecoveryServices/vaults", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, sku={"name": "RS0", "tier": "Standard"}, tags=tags,
                  identity={"type": "SystemAssigned", "principalId": uuid_from("rsvpi" + rid), "tenantId": tenant})


def az_backup_policy(sub: str, tenant: str, rg: str, vault: str, name: str, *, location: str, retention_days: int,
                     run_time: str = "2026-01-01T02:00:00Z", protected_count: int = 0) -> dict:
    rid = arm_id(sub, rg, "Microsoft.RecoveryServices/vaults", vault) + f"/backupPolicies/{name}"
    props = {
        "backupManagementType": "AzureIaasVM",
        "policyType": "V2",
        "instantRPDetails": {},
        "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": "Daily",
                           "dailySchedule": {"scheduleRunTimes": [run_time]},
                           "scheduleRunTimes": [run_time]},
        "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy",
                            "dailySchedule": {"retentionTimes": [run_time],
                                              "retentionDuration": {"count": retention_days, "durationType": "Days"}}},
        "tieringPolicy": {"ArchivedRP": {"tieringMode": "DoNotTier", "duration": 0, "durationType": "Invalid"}},
        "instantRpRetentionRangeInDays": 2,
        "timeZone": "UTC",
        "protectedItemsCount": protected_count,
    }
    return az_row(rid, name, "Microsoft.RecoveryServices/vaults/backupPolicies", tenant=tenant, sub=sub, rg=rg,
                  location=location, properties=props)


def az_protected_item(sub: str, tenant: str, rg: str, vault: str, vm_rg: str, vm_name: str, vm_id: str, *,
                      location: str, policy_id: str, policy_name: str, last_backup: datetime,
                      state: str = "Protected", status: str = "Completed") -> dict:
    container = f"IaasVMContainer;iaasvmcontainerv2;{vm_rg.lower()};{vm_name}"
    item = f"VM;iaasvmcontainerv2;{vm_rg.lower()};{vm_name}"
    rid = arm_id(sub, rg, "Microsoft.RecoveryServices/vaults", vault) + \
        f"/backupFabrics/Azure/protectionContainers/{container}/protectedItems/{item}"
    props = {
        "friendlyName": vm_name,
        "virtualMachineId": vm_id,
        "protectionStatus": "Healthy",
        "protectionState": state,
        "healthStatus": "Passed",
        "lastBackupStatus": status,
        "lastBackupTime": iso_7(last_backup),
        "protectedItemDataId": str(h("pid" + rid) % 10 ** 14),
        "protectedItemType": "Microsoft.Compute/virtualMachines",
        "backupManagementType": "AzureIaasVM",
        "workloadType": "VM",
        "containerName": f"iaasvmcontainerv2;{vm_rg.lower()};{vm_name}",
        "sourceResourceId": vm_id,
        "policyId": policy_id,
        "policyName": policy_name,
        "lastRecoveryPoint": iso_7(last_backup + timedelta(minutes=7)),
        "isScheduledForDeferredDelete": False,
        "isRehydrate": False,
        "isArchiveEnabled": False,
        "currentProtectionState": "ProtectionConfigured",
        "policyInfo": {"name": policy_name, "policyId": policy_id},
        "dataSourceInfo": {"resourceID": vm_id, "resourceName": vm_name,
                           "resourceType": "Microsoft.Compute/virtualMachines", "resourceLocation": location,
                           "datasourceType": "Microsoft.Compute/virtualMachines"},
        "primaryBackupStatus": status,
    }
    return az_row(rid, item, "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
                  tenant=tenant, sub=sub, rg=rg, location=location, properties=props)


OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR_ROLE = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
BACKUP_CONTRIBUTOR_ROLE = "5e467623-bb1f-42f4-a55d-6e525e11384b"
KV_CRYPTO_SERVICE_ENCRYPTION_USER_ROLE = "e147488a-f6f5-4113-8e2d-b22465e65bf6"


def az_role_assignment(sub: str, tenant: str, assignment_guid: str, *, role_guid: str, principal_id: str,
                       principal_type: str, scope: str, created: datetime, created_by: str,
                       description: str | None = None) -> dict:
    rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{assignment_guid}"
    rg = ""
    if "/resourceGroups/" in scope:
        rg = scope.split("/resourceGroups/")[1].split("/")[0]
    props = {"roleDefinitionId": f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}",
             "principalId": principal_id, "principalType": principal_type, "scope": scope,
             "condition": None, "conditionVersion": None,
             "createdOn": iso_7(created), "updatedOn": iso_7(created), "createdBy": created_by, "updatedBy": created_by,
             "delegatedManagedIdentityResourceId": None, "description": description}
    return az_row(rid, assignment_guid, "Microsoft.Authorization/roleAssignments", tenant=tenant, sub=sub, rg=rg,
                  location="", properties=props, tags=None)


def az_lb(sub: str, tenant: str, rg: str, name: str, *, location: str, frontend_zones: list | None,
          subnet_id: str | None = None, public_ip_id: str | None = None, sku: str = "Standard",
          backend_nic_ipconfigs: list = (), tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Network/loadBalancers", name)
    fe_props = {"provisioningState": "Succeeded", "privateIPAllocationMethod": "Dynamic",
                "loadBalancingRules": [{"id": rid + "/loadBalancingRules/https"}]}
    if public_ip_id:
        fe_props["publicIPAddress"] = {"id": public_ip_id}
    else:
        fe_props["subnet"] = {"id": subnet_id}
        fe_props["privateIPAddress"] = "10.20.1.10"
        fe_props["privateIPAddressVersion"] = "IPv4"
    fe = {"name": "frontend", "id": rid + "/frontendIPConfigurations/frontend",
          "type": "Microsoft.Network/loadBalancers/frontendIPConfigurations", "properties": fe_props}
    if frontend_zones:
        fe["zones"] = list(frontend_zones)
    props = {
        "provisioningState": "Succeeded",
        "resourceGuid": uuid_from("lb" + rid),
        "frontendIPConfigurations": [fe],
        "backendAddressPools": [{"name": "web", "id": rid + "/backendAddressPools/web",
                                 "properties": {"provisioningState": "Succeeded",
                                                "backendIPConfigurations": [{"id": i} for i in backend_nic_ipconfigs],
                                                "loadBalancingRules": [{"id": rid + "/loadBalancingRules/https"}]}}],
        "loadBalancingRules": [{"name": "https", "id": rid + "/loadBalancingRules/https",
                                "properties": {"provisioningState": "Succeeded", "frontendPort": 443, "backendPort": 443,
                                               "enableFloatingIP": False, "idleTimeoutInMinutes": 4, "protocol": "Tcp",
                                               "loadDistribution": "Default", "disableOutboundSnat": True,
                                               "enableTcpReset": True,
                                               "frontendIPConfiguration": {"id": fe["id"]},
                                               "backendAddressPool": {"id": rid + "/backendAddressPools/web"},
                                               "probe": {"id": rid + "/probes/https"}}}],
        "probes": [{"name": "https", "id": rid + "/probes/https",
                    "properties": {"provisioningState": "Succeeded", "protocol": "Https", "port": 443,
                                   "requestPath": "/healthz", "intervalInSeconds": 5, "numberOfProbes": 1,
                                   "probeThreshold": 1}}],
        "inboundNatRules": [], "outboundRules": [], "inboundNatPools": [],
    }
    return az_row(rid, name, "Microsoft.Network/loadBalancers", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, sku={"name": sku, "tier": "Regional"}, tags=tags)


def az_public_ip(sub: str, tenant: str, rg: str, name: str, *, location: str, ip: str, zones: list | None,
                 tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Network/publicIPAddresses", name)
    props = {"provisioningState": "Succeeded", "resourceGuid": uuid_from("pip" + rid), "ipAddress": ip,
             "publicIPAddressVersion": "IPv4", "publicIPAllocationMethod": "Static", "idleTimeoutInMinutes": 4,
             "ipTags": [], "ddosSettings": {"protectionMode": "VirtualNetworkInherited"}}
    return az_row(rid, name, "Microsoft.Network/publicIPAddresses", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, sku={"name": "Standard", "tier": "Regional"}, zones=zones, tags=tags)


def az_traffic_manager(sub: str, tenant: str, rg: str, name: str, *, routing: str, ttl: int, endpoints: list,
                       interval: int = 30, failures: int = 3, tags: dict | None = None) -> dict:
    """endpoints: [(name, target_fqdn, location_display, priority)] (external endpoints)."""
    rid = arm_id(sub, rg, "Microsoft.Network/trafficManagerProfiles", name)
    props = {
        "profileStatus": "Enabled",
        "trafficRoutingMethod": routing,
        "dnsConfig": {"relativeName": name, "fqdn": f"{name}.trafficmanager.net", "ttl": ttl},
        "monitorConfig": {"profileMonitorStatus": "Online", "protocol": "HTTPS", "port": 443, "path": "/healthz",
                          "intervalInSeconds": interval, "toleratedNumberOfFailures": failures, "timeoutInSeconds": 10,
                          "customHeaders": [], "expectedStatusCodeRanges": []},
        "endpoints": [{"id": f"{rid}/externalEndpoints/{en}", "name": en,
                       "type": "Microsoft.Network/trafficManagerProfiles/externalEndpoints",
                       "properties": {"endpointStatus": "Enabled", "endpointMonitorStatus": "Online", "target": tgt,
                                      "weight": 1, "priority": prio, "endpointLocation": loc,
                                      "alwaysServe": "Disabled"}}
                      for en, tgt, loc, prio in endpoints],
        "trafficViewEnrollmentStatus": "Disabled",
        "maxReturn": 0,
        "allowedEndpointRecordTypes": [],
    }
    return az_row(rid, name, "Microsoft.Network/trafficManagerProfiles", tenant=tenant, sub=sub, rg=rg,
                  location="global", properties=props, tags=tags)


def az_nsg(sub: str, tenant: str, rg: str, name: str, *, location: str, rules: list, tags: dict | None = None) -> dict:
    """rules: [(name, priority, access, port, source_prefix)]"""
    rid = arm_id(sub, rg, "Microsoft.Network/networkSecurityGroups", name)
    props = {"provisioningState": "Succeeded", "resourceGuid": uuid_from("nsg" + rid),
             "securityRules": [{"name": rn, "id": f"{rid}/securityRules/{rn}",
                                "type": "Microsoft.Network/networkSecurityGroups/securityRules",
                                "properties": {"provisioningState": "Succeeded", "protocol": "Tcp", "sourcePortRange": "*",
                                               "destinationPortRange": str(port), "sourceAddressPrefix": src,
                                               "destinationAddressPrefix": "*", "access": access, "priority": prio,
                                               "direction": "Inbound", "sourcePortRanges": [],
                                               "destinationPortRanges": [], "sourceAddressPrefixes": [],
                                               "destinationAddressPrefixes": []}}
                               for rn, prio, access, port, src in rules],
             "defaultSecurityRules": []}
    return az_row(rid, name, "Microsoft.Network/networkSecurityGroups", tenant=tenant, sub=sub, rg=rg,
                  location=location, properties=props, tags=tags)


def az_flow_log(sub: str, tenant: str, location: str, name: str, *, target_id: str, storage_id: str,
                retention_days: int, enabled: bool = True, workspace_id: str | None = None,
                tags: dict | None = None) -> dict:
    watcher = f"NetworkWatcher_{location}"
    rid = arm_id(sub, "NetworkWatcherRG", "Microsoft.Network/networkWatchers", watcher) + f"/flowLogs/{name}"
    props = {
        "provisioningState": "Succeeded",
        "targetResourceId": target_id,
        "targetResourceGuid": uuid_from("nsg" + target_id),
        "storageId": storage_id,
        "enabled": enabled,
        "flowAnalyticsConfiguration": ({"networkWatcherFlowAnalyticsConfiguration": {
            "enabled": True, "workspaceId": uuid_from("ws" + workspace_id), "workspaceRegion": location,
            "workspaceResourceId": workspace_id, "trafficAnalyticsInterval": 10}} if workspace_id else {}),
        "retentionPolicy": {"days": retention_days, "enabled": retention_days > 0},
        "format": {"type": "JSON", "version": 2},
    }
    return az_row(rid, name, "Microsoft.Network/networkWatchers/flowLogs", tenant=tenant, sub=sub,
                  rg="NetworkWatcherRG", location=location, properties=props, tags=tags)


def az_network_watcher(sub: str, tenant: str, location: str) -> dict:
    name = f"NetworkWatcher_{location}"
    rid = arm_id(sub, "NetworkWatcherRG", "Microsoft.Network/networkWatchers", name)
    return az_row(rid, name, "Microsoft.Network/networkWatchers", tenant=tenant, sub=sub, rg="NetworkWatcherRG",
                  location=location, properties={"provisioningState": "Succeeded", "runningOperationIds": []})


def az_vnet(sub: str, tenant: str, rg: str, name: str, *, location: str, cidr: str, subnets: list,
            tags: dict | None = None) -> dict:
    """subnets: [(name, cidr, nsg_id|None)]"""
    rid = arm_id(sub, rg, "Microsoft.Network/virtualNetworks", name)
    props = {"provisioningState": "Succeeded", "resourceGuid": uuid_from("vnet" + rid),
             "addressSpace": {"addressPrefixes": [cidr]},
             "subnets": [{"name": sn, "id": f"{rid}/subnets/{sn}", "type": "Microsoft.Network/virtualNetworks/subnets",
                          "properties": {"provisioningState": "Succeeded", "addressPrefix": sc,
                                         **({"networkSecurityGroup": {"id": nsg}} if nsg else {}),
                                         "delegations": [], "privateEndpointNetworkPolicies": "Disabled",
                                         "privateLinkServiceNetworkPolicies": "Enabled"}}
                         for sn, sc, nsg in subnets],
             "virtualNetworkPeerings": [], "enableDdosProtection": False}
    return az_row(rid, name, "Microsoft.Network/virtualNetworks", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, tags=tags)


def az_disk_encryption_set(sub: str, tenant: str, rg: str, name: str, *, location: str, key_url: str,
                           vault_id: str, tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Compute/diskEncryptionSets", name)
    props = {"activeKey": {"sourceVault": {"id": vault_id}, "keyUrl": key_url},
             "encryptionType": "EncryptionAtRestWithCustomerKey", "rotationToLatestKeyVersionEnabled": True,
             "provisioningState": "Succeeded", "lastKeyRotationTimestamp": iso_7(ago(days=40))}
    return az_row(rid, name, "Microsoft.Compute/diskEncryptionSets", tenant=tenant, sub=sub, rg=rg, location=location,
                  properties=props, tags=tags,
                  identity={"type": "SystemAssigned", "principalId": uuid_from("despi" + rid), "tenantId": tenant})


def az_dns_zone(sub: str, tenant: str, rg: str, name: str, *, tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.Network/dnszones", name)
    props = {"maxNumberOfRecordSets": 10000, "numberOfRecordSets": 6, "zoneType": "Public",
             "nameServers": [f"ns{i}-0{i}.azure-dns.{tld}." for i, tld in enumerate(["com", "net", "org", "info"], 1)]}
    return az_row(rid, name, "Microsoft.Network/dnszones", tenant=tenant, sub=sub, rg=rg, location="global",
                  properties=props, tags=tags)


def az_user_identity(sub: str, tenant: str, rg: str, name: str, *, location: str, tags: dict | None = None) -> dict:
    rid = arm_id(sub, rg, "Microsoft.ManagedIdentity/userAssignedIdentities", name)
    props = {"tenantId": tenant, "principalId": uuid_from("pi" + rid), "clientId": uuid_from("ci" + rid)}
    return az_row(rid, name, "Microsoft.ManagedIdentity/userAssignedIdentities", tenant=tenant, sub=sub, rg=rg,
                  location=location, properties=props, tags=tags)
