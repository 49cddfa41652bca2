"""Terraform AWS provider values (hashicorp/aws 4.x-6.x, plan `after` or state `values`) ->
the normalized attributes drscan/normalize/aws.py gives the same resources from AWS Config.

Each transform takes a TerraformValues view (drscan/normalize/terraform_values.py) and returns a Shape.
`v.value(path)` is v.UNKNOWN when Terraform learns the value only at apply (or the provider
version has no such attribute), None when null. UNKNOWN attributes are left out of the Resource,
so a rule reading them reports NOT_ASSESSED. Where the provider itself applies a documented
default to an omitted argument, that default is used and the comment says so.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from drscan.normalize.aws import backup_vault_arn, kms_arn, rds_arn
from drscan.normalize.aws_access import ADMIN_PORTS, SERVICE_LINKED_PATH, WORLD, allows_full_admin
from drscan.normalize.lookup import UNSEEN, as_int
from drscan.normalize.shape import Shape

if TYPE_CHECKING:
    from drscan.normalize.terraform_values import TerraformValues

SSE_DEFAULT = "rule.0.apply_server_side_encryption_by_default.0."


def _unknown(v: "TerraformValues", *values: Any) -> bool:
    return any(x is v.UNKNOWN for x in values)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _kms(v: "TerraformValues", key: Any) -> Any:
    """A key id or alias as the ARN Config reports, when the account is known (state)."""
    if not isinstance(key, str) or v.is_address(key) or key.startswith("arn:") or not v.account.isdigit():
        return key
    return kms_arn(key, v.account, v.region)


def _rds(v: "TerraformValues", identifier: Any, kind: str = "db") -> Any:
    if not isinstance(identifier, str) or v.is_address(identifier):
        return identifier
    return rds_arn(identifier, v.account, v.region, kind)


def _lifecycle(v: "TerraformValues", rules: Any) -> dict:
    if rules is v.UNKNOWN:
        return dict(lifecycle_rule_count=v.UNKNOWN, lifecycle_to_glacier=v.UNKNOWN)
    text = json.dumps(rules or [], default=str).upper()
    return dict(lifecycle_rule_count=len(rules or []), lifecycle_to_glacier="GLACIER" in text or "DEEP_ARCHIVE" in text)


def _replication(v: "TerraformValues", rules: Any, destination: str) -> tuple[Any, Any]:
    """(any rule enabled, destination buckets) of S3 replication rules."""
    if rules is v.UNKNOWN:
        return v.UNKNOWN, v.UNKNOWN
    statuses = [rule.value("status") for rule in rules]
    if _unknown(v, *statuses):
        return v.UNKNOWN, v.UNKNOWN
    enabled = [rule for rule, status in zip(rules, statuses) if status != "Disabled"]
    destinations = [rule.ref(destination) for rule in enabled]
    if _unknown(v, *destinations):
        return bool(enabled), v.UNKNOWN
    return bool(enabled), [d for d in destinations if d]


def _replication_refs(v: "TerraformValues", shape: Shape) -> None:
    for destination in shape.attrs.get("replication_destinations") or []:
        shape.ref("replicates_to", destination if destination.startswith("arn:") or v.is_address(destination)
                  else f"arn:aws:s3:::{destination}")


def s3_bucket(v: "TerraformValues") -> Shape:
    # Since provider 4.0 the inline blocks are read-only mirrors of the bucket's settings; the
    # split resources below (folded in afterwards) override them.
    sse = "server_side_encryption_configuration.0." + SSE_DEFAULT
    algorithm = v.value(sse + "sse_algorithm", null="none")
    key = v.ref(sse + "kms_master_key_id")
    enabled = v.flag("versioning.0.enabled")
    replicating, destinations = _replication(v, v.blocks("replication_configuration.0.rules"), "destination.0.bucket")
    logging = v.value("logging.0.target_bucket")
    shape = Shape(attrs=dict(
        encryption_algorithm=algorithm,
        encryption_kms_key_id=v.UNKNOWN if algorithm is v.UNKNOWN else key,
        # false cannot tell "Suspended" from never enabled; both fail the versioning rule
        versioning=v.UNKNOWN if enabled is v.UNKNOWN else ("Enabled" if enabled else "Off"),
        mfa_delete=v.flag("versioning.0.mfa_delete", default=False),
        replication_enabled=replicating,
        replication_destinations=destinations,
        logging_enabled=v.UNKNOWN if logging is v.UNKNOWN else bool(logging),
        logging_target=logging,
        object_lock_enabled=v.flag("object_lock_enabled", default=False),
        **_lifecycle(v, v.value("lifecycle_rule")),
    ), name=_text(v.value("bucket")))
    if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
        shape.ref("encrypted_by", _kms(v, key))
    _replication_refs(v, shape)
    return shape


def s3_encryption(v: "TerraformValues") -> Shape:
    """aws_s3_bucket_server_side_encryption_configuration."""
    algorithm = v.value(SSE_DEFAULT + "sse_algorithm", null="none")
    key = v.ref(SSE_DEFAULT + "kms_master_key_id")
    shape = Shape(attrs=dict(encryption_algorithm=algorithm, encryption_kms_key_id=key))
    if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
        shape.ref("encrypted_by", _kms(v, key))
    return shape


def s3_versioning(v: "TerraformValues") -> Shape:
    """aws_s3_bucket_versioning: status Enabled, Suspended, or Disabled (never enabled, create only)."""
    status = v.value("versioning_configuration.0.status")
    mfa = v.value("versioning_configuration.0.mfa_delete")
    return Shape(attrs=dict(
        versioning={"Disabled": "Off"}.get(status, status) if isinstance(status, str) else status,
        mfa_delete=mfa if mfa is v.UNKNOWN else mfa == "Enabled",
    ))


def s3_public_access_block(v: "TerraformValues") -> Shape:
    names = {"blockPublicAcls": "block_public_acls", "ignorePublicAcls": "ignore_public_acls",
             "blockPublicPolicy": "block_public_policy", "restrictPublicBuckets": "restrict_public_buckets"}
    flags = {camel: v.flag(snake, default=False) for camel, snake in names.items()}  # provider default: false
    if _unknown(v, *flags.values()):
        return Shape(attrs=dict(public_access_block=v.UNKNOWN, public_access_blocked=v.UNKNOWN))
    return Shape(attrs=dict(public_access_block=flags, public_access_blocked=all(flags.values())))


def s3_replication(v: "TerraformValues") -> Shape:
    replicating, destinations = _replication(v, v.blocks("rule"), "destination.0.bucket")
    shape = Shape(attrs=dict(replication_enabled=replicating, replication_destinations=destinations))
    _replication_refs(v, shape)
    return shape


def s3_logging(v: "TerraformValues") -> Shape:
    target = v.ref("target_bucket")
    return Shape(attrs=dict(logging_enabled=v.UNKNOWN if target is v.UNKNOWN else bool(target), logging_target=target))


def s3_lifecycle(v: "TerraformValues") -> Shape:
    return Shape(attrs=_lifecycle(v, v.value("rule")))


def ec2_instance(v: "TerraformValues") -> Shape:
    zone = v.value("availability_zone")
    devices = v.blocks("ebs_block_device")
    volumes = [v.value("root_block_device.0.volume_id")]
    volumes += [v.UNKNOWN] if devices is v.UNKNOWN else [d.value("volume_id") for d in devices]
    return Shape(attrs=dict(
        instance_type=v.value("instance_type"),
        state=v.value("instance_state"),
        availability_zone=zone,
        volume_ids=v.UNKNOWN if _unknown(v, *volumes) else [x for x in volumes if x],
        imds_tokens=v.value("metadata_options.0.http_tokens"),
        public_ip=v.value("public_ip"),
        iam_instance_profile=v.value("iam_instance_profile"),
    ), zones=(zone,) if _text(zone) else ())


def ebs_volume(v: "TerraformValues") -> Shape:
    zone = v.value("availability_zone")
    key = v.ref("kms_key_id")
    shape = Shape(attrs=dict(
        size_gb=v.number("size"),
        encrypted=v.flag("encrypted"),  # omitted: the account's EBS encryption-by-default decides, unknown until apply
        kms_key_id=key,
        volume_type=v.value("type"),
        attached_instance_ids=v.UNKNOWN,  # attachments: aws_volume_attachment resources, folded in
        snapshot_id=v.value("snapshot_id"),
    ), zones=(zone,) if _text(zone) else ())
    shape.ref("encrypted_by", _kms(v, key))
    return shape


def volume_attachment(v: "TerraformValues") -> Shape:
    instance = v.ref("instance_id")
    shape = Shape(attrs=dict(attached_instance_ids=[instance] if isinstance(instance, str) else v.UNKNOWN))
    shape.ref("attached_to", instance)
    return shape


def _ingress(v: "TerraformValues", protocol: Any, low: Any, high: Any, cidrs: list) -> Any:
    """(open to the world, admin ports it opens) of one ingress rule, or UNKNOWN."""
    if _unknown(v, protocol, low, high, *cidrs):
        return v.UNKNOWN
    world = bool({c for group in cidrs for c in (group or [])} & WORLD)
    if not world:
        return False, []
    if str(protocol) in ("-1", "all"):
        return True, list(ADMIN_PORTS)
    low, high = as_int(low), as_int(high)
    if str(protocol) not in ("tcp", "6") or low is None or high is None:
        return True, []
    return True, [p for p in ADMIN_PORTS if low <= p <= high]


def _ingress_attrs(v: "TerraformValues", hits: list) -> dict:
    if _unknown(v, *hits):
        return dict(world_ingress_rules=v.UNKNOWN, admin_ports_open_to_world=v.UNKNOWN)
    return dict(world_ingress_rules=sum(1 for world, _ in hits if world),
                admin_ports_open_to_world=sorted({p for _, ports in hits for p in ports}))


def ec2_security_group(v: "TerraformValues") -> Shape:
    rules = v.blocks("ingress")
    hits = [v.UNKNOWN] if rules is v.UNKNOWN else [
        _ingress(v, r.value("protocol"), r.value("from_port"), r.value("to_port"),
                 [r.value("cidr_blocks"), r.value("ipv6_cidr_blocks")]) for r in rules]
    return Shape(attrs=dict(group_name=v.value("name"), vpc_id=v.value("vpc_id"), **_ingress_attrs(v, hits)))


def security_group_rule(v: "TerraformValues") -> Shape:
    """aws_security_group_rule (type ingress or egress)."""
    kind = v.value("type")
    if kind is v.UNKNOWN:
        return Shape()
    if kind != "ingress":
        return Shape(attrs=dict(world_ingress_rules=0, admin_ports_open_to_world=[]))
    hit = _ingress(v, v.value("protocol"), v.value("from_port"), v.value("to_port"),
                   [v.value("cidr_blocks"), v.value("ipv6_cidr_blocks")])
    return Shape(attrs=_ingress_attrs(v, [hit]))


def vpc_ingress_rule(v: "TerraformValues") -> Shape:
    """aws_vpc_security_group_ingress_rule: one CIDR per rule; ports are null for protocol -1."""
    cidrs = [[v.value("cidr_ipv4")], [v.value("cidr_ipv6")]]
    hit = _ingress(v, v.value("ip_protocol"), v.value("from_port", null=0), v.value("to_port", null=65535),
                   [c if c[0] is not v.UNKNOWN else v.UNKNOWN for c in cidrs])
    return Shape(attrs=_ingress_attrs(v, [hit]))


def rds_db_instance(v: "TerraformValues") -> Shape:
    zone = v.value("availability_zone")
    source = v.ref("replicate_source_db")
    key = v.ref("kms_key_id")
    shape = Shape(attrs=dict(
        identifier=v.value("identifier"),
        engine=v.value("engine"),
        instance_class=v.value("instance_class"),
        multi_az=v.flag("multi_az"),
        storage_encrypted=v.flag("storage_encrypted", default=False),        # provider default: false
        kms_key_id=key,
        backup_retention_days=v.number("backup_retention_period"),
        backup_window=v.value("backup_window"),
        deletion_protection=v.flag("deletion_protection", default=False),    # provider default: false
        publicly_accessible=v.flag("publicly_accessible", default=False),    # provider default: false
        allocated_storage_gb=v.number("allocated_storage"),
        read_replica_ids=v.value("replicas", null=[]),
        is_read_replica=source if source is v.UNKNOWN else bool(source),
        replica_source=source,
        cluster_id=None,  # Aurora members are aws_rds_cluster_instance
        iam_auth=v.flag("iam_database_authentication_enabled", default=False),
    ), zones=(zone,) if _text(zone) else ())
    shape.ref("replica_of", _rds(v, source))
    shape.ref("encrypted_by", _kms(v, key))
    return shape


def rds_cluster_instance(v: "TerraformValues") -> Shape:
    zone = v.value("availability_zone")
    cluster = v.ref("cluster_identifier")
    shape = Shape(attrs=dict(
        identifier=v.value("identifier"), engine=v.value("engine"), instance_class=v.value("instance_class"),
        publicly_accessible=v.flag("publicly_accessible", default=False),
        is_read_replica=False, replica_source=None, cluster_id=cluster,
    ), zones=(zone,) if _text(zone) else ())
    shape.ref("member_of", _rds(v, cluster, "cluster"))
    return shape


def rds_cluster(v: "TerraformValues") -> Shape:
    zones = v.value("availability_zones")
    members = v.value("cluster_members")
    source = v.ref("replication_source_identifier")
    key = v.ref("kms_key_id")
    shape = Shape(attrs=dict(
        identifier=v.value("cluster_identifier"),
        engine=v.value("engine"),
        multi_az=v.UNKNOWN if _unknown(v, zones, members) else len(zones or []) > 1 and len(members or []) > 1,
        storage_encrypted=v.flag("storage_encrypted"),
        kms_key_id=key,
        backup_retention_days=v.number("backup_retention_period"),
        deletion_protection=v.flag("deletion_protection", default=False),  # provider default: false
        member_ids=members,
        is_read_replica=source if source is v.UNKNOWN else bool(source),
        replica_source=source,
        allocated_storage_gb=v.number("allocated_storage"),
    ), zones=tuple(zones) if isinstance(zones, list) else ())
    shape.ref("replica_of", _rds(v, source, "cluster"))
    shape.ref("encrypted_by", _kms(v, key))
    return shape


def dynamodb_table(v: "TerraformValues") -> Shape:
    sse = v.flag("server_side_encryption.0.enabled", default=False)
    key = v.ref("server_side_encryption.0.kms_key_arn")
    replicas = v.blocks("replica")
    regions = v.UNKNOWN if replicas is v.UNKNOWN else [r.value("region_name") for r in replicas]
    shape = Shape(attrs=dict(
        # without server_side_encryption enabled, DynamoDB encrypts with an AWS owned key
        sse_type=sse if sse is v.UNKNOWN else ("KMS" if sse else "AWS_OWNED"),
        kms_key_arn=key,
        pitr_enabled=v.flag("point_in_time_recovery.0.enabled", default=False),  # AWS default: off
        replica_regions=v.UNKNOWN if regions is v.UNKNOWN or _unknown(v, *regions) else [r for r in regions if r],
        deletion_protection=v.flag("deletion_protection_enabled", default=False),
    ))
    shape.ref("encrypted_by", key)
    return shape


def efs_file_system(v: "TerraformValues") -> Shape:
    zone = v.value("availability_zone_name")
    key = v.ref("kms_key_id")
    shape = Shape(attrs=dict(
        encrypted=v.flag("encrypted"),
        kms_key_id=key,
        one_zone=zone if zone is v.UNKNOWN else bool(zone),
    ), zones=(zone,) if _text(zone) else ())
    shape.ref("encrypted_by", _kms(v, key))
    return shape


def efs_backup_policy(v: "TerraformValues") -> Shape:
    return Shape(attrs=dict(backup_policy_status=v.value("backup_policy.0.status")))


def efs_replication(v: "TerraformValues") -> Shape:
    destinations = v.blocks("destination")
    regions = v.UNKNOWN if destinations is v.UNKNOWN else [d.value("region") for d in destinations]
    return Shape(attrs=dict(replication_regions=v.UNKNOWN if regions is v.UNKNOWN or _unknown(v, *regions) else regions))


def kms_key(v: "TerraformValues") -> Shape:
    enabled = v.flag("is_enabled", default=True)  # provider default: true
    return Shape(attrs=dict(
        key_id=v.value("key_id"),
        key_state=enabled if enabled is v.UNKNOWN else ("Enabled" if enabled else "Disabled"),
        key_manager="CUSTOMER",  # every aws_kms_key is customer managed
        key_usage=v.value("key_usage", null="ENCRYPT_DECRYPT"),               # provider default
        key_spec=v.value("customer_master_key_spec", null="SYMMETRIC_DEFAULT"),  # provider default
        multi_region=v.flag("multi_region"),
        rotation_enabled=v.flag("enable_key_rotation", default=False),        # provider default: false
    ))


def elbv2_load_balancer(v: "TerraformValues") -> Shape:
    # The plan does not say which zone a subnet is in: one subnet per Availability Zone is
    # assumed, as the load balancer API allows at most one.
    subnets, mapping = v.refs("subnets"), v.blocks("subnet_mapping")
    mapped = [] if mapping is v.UNKNOWN else [m.ref("subnet_id") for m in mapping]
    internal = v.flag("internal", default=False)
    known = subnets is not v.UNKNOWN and not _unknown(v, *mapped)
    return Shape(attrs=dict(
        scheme=internal if internal is v.UNKNOWN else ("internal" if internal else "internet-facing"),
        type=v.value("load_balancer_type", null="application"),  # provider default
        dns_name=v.value("dns_name"),
        az_count=len(set(subnets) | {m for m in mapped if m}) if known else v.UNKNOWN,
    ))


def elbv2_listener(v: "TerraformValues") -> Shape:
    protocol = v.value("protocol")
    actions = v.blocks("default_action")
    redirect = v.UNKNOWN if actions is v.UNKNOWN else any(
        a.value("type") == "redirect" and str(a.value("redirect.0.protocol")).upper() in {"HTTPS", "#{PROTOCOL}"}
        for a in actions)
    encrypted = v.UNKNOWN if _unknown(v, protocol, redirect) else str(protocol).upper() in {"HTTPS", "TLS"} or redirect
    shape = Shape(attrs=dict(port=v.number("port"), protocol=protocol, ssl_policy=v.value("ssl_policy"),
                             redirects_to_https=redirect, encrypted_in_transit=encrypted))
    shape.ref("listener_of", v.ref("load_balancer_arn"))
    return shape


def cloudtrail(v: "TerraformValues") -> Shape:
    bucket = v.ref("s3_bucket_name")
    shape = Shape(attrs=dict(
        multi_region=v.flag("is_multi_region_trail", default=False),                 # provider default: false
        log_file_validation=v.flag("enable_log_file_validation", default=False),     # provider default: false
        kms_key_id=v.ref("kms_key_id"),
        s3_bucket=bucket,
        include_global_events=v.flag("include_global_service_events", default=True),  # provider default: true
        is_logging=v.flag("enable_logging", default=True),                           # provider default: true
        home_region=v.value("home_region"),
    ))
    if isinstance(bucket, str):
        shape.ref("logs_to", bucket if v.is_address(bucket) else f"arn:aws:s3:::{bucket}")
    return shape


def _vault(v: "TerraformValues", name: Any) -> Any:
    return name if not isinstance(name, str) or v.is_address(name) or name.startswith("arn:") \
        else backup_vault_arn(name, v.account, v.region)


def backup_plan(v: "TerraformValues") -> Shape:
    blocks = v.blocks("rule")
    if blocks is v.UNKNOWN:
        return Shape(attrs=dict(rules=v.UNKNOWN, plan_name=v.value("name")))
    rules = []
    for rule in blocks:
        copies = rule.blocks("copy_action")
        rules.append(dict(
            name=rule.value("rule_name"), schedule=rule.value("schedule"), target_vault=rule.ref("target_vault_name"),
            retention_days=rule.number("lifecycle.0.delete_after"),
            continuous=rule.flag("enable_continuous_backup", default=False),
            copy_destinations=v.UNKNOWN if copies is v.UNKNOWN else [c.ref("destination_vault_arn") for c in copies],
        ))
    destinations = [d for r in rules for d in (r["copy_destinations"] or [])] if not _unknown(
        v, *[r["copy_destinations"] for r in rules]) else v.UNKNOWN
    retentions = [r["retention_days"] for r in rules]
    regions = [] if destinations is v.UNKNOWN else [v.region_of(d) for d in destinations]
    if destinations is v.UNKNOWN or _unknown(v, *destinations):
        cross_region = v.UNKNOWN
    elif any(r and r != v.region for r in regions) and v.region != "unknown":
        cross_region = True
    else:
        cross_region = False if all(regions) and v.region != "unknown" else v.UNKNOWN
    shape = Shape(attrs=dict(
        plan_name=v.value("name"),
        rules=v.UNKNOWN if any(_unknown(v, *r.values()) for r in rules) else rules,
        schedules=[r["schedule"] for r in rules if isinstance(r["schedule"], str)],
        min_retention_days=v.UNKNOWN if _unknown(v, *retentions) else min((d for d in retentions if d is not None), default=None),
        expires=v.UNKNOWN if _unknown(v, *retentions) else any(d is not None for d in retentions),
        copy_destinations=destinations,
        has_cross_region_copy=cross_region,
    ), name=_text(v.value("name")))
    if v.account.isdigit() and destinations is not v.UNKNOWN:
        shape.attrs["has_cross_account_copy"] = any(
            isinstance(d, str) and d.startswith("arn:") and d.split(":")[4] != v.account for d in destinations)
    for rule in rules:
        shape.ref("stores_in", _vault(v, rule["target_vault"]))
    for destination in destinations or []:
        shape.ref("copies_to", destination)
    return shape


CONDITION_OPERATORS = ("string_equals", "string_not_equals", "string_like", "string_not_like")


def _selection_conditions(v: "TerraformValues") -> Any:
    """The `condition` block as the normalized Conditions ({"string_equals": [{"key", "value"}], ...}),
    None when unknown until apply (the graph stage then matches nothing rather than everything)."""
    blocks = v.blocks("condition")
    if blocks is v.UNKNOWN:
        return None
    out: dict[str, list[dict]] = {name: [] for name in CONDITION_OPERATORS}
    for block in blocks:
        for name in CONDITION_OPERATORS:
            entries = block.blocks(name)
            if entries is v.UNKNOWN:
                return None
            for entry in entries:
                key, value = entry.value("key"), entry.value("value")
                if _unknown(v, key, value):
                    return None
                out[name].append({"key": str(key).removeprefix("aws:ResourceTag/"), "value": value})
    return out


def backup_selection(v: "TerraformValues") -> Shape:
    plan = v.ref("plan_id")
    resources = v.refs("resources")
    not_resources = v.refs("not_resources")
    tags = v.blocks("selection_tag")
    tag_conditions = v.UNKNOWN if tags is v.UNKNOWN else [{"key": t.value("key"), "value": t.value("value")} for t in tags]
    if tag_conditions is not v.UNKNOWN and any(_unknown(v, *t.values()) for t in tag_conditions):
        tag_conditions = v.UNKNOWN
    conditions = _selection_conditions(v)
    shape = Shape(attrs=dict(
        plan_id=plan,
        # A list the plan leaves null is empty once applied; one unknown until apply stays unknown
        # (None here), so the graph stage assigns nothing rather than guessing.
        resources=None if resources is v.UNKNOWN else resources or [],
        tag_conditions=None if tag_conditions is v.UNKNOWN else tag_conditions,
        not_resources=None if not_resources is v.UNKNOWN else not_resources or [],
        conditions=conditions,
    ), name=_text(v.value("name")))
    if isinstance(plan, str):
        shape.ref("selection_of", plan if v.is_address(plan) else f"arn:aws:backup:{v.region}:{v.account}:backup-plan:{plan}")
    # With conditions or NotResources a listed resource is only a candidate; the graph stage decides.
    if not (conditions and any(conditions.values())) and not (not_resources and not_resources is not v.UNKNOWN):
        for resource in resources if isinstance(resources, list) else []:
            if "*" not in resource:
                shape.ref("protects", resource)
    return shape


def backup_vault(v: "TerraformValues") -> Shape:
    # Vault Lock is the aws_backup_vault_lock_configuration resource, folded in; without it the
    # lock state is not in the plan (it may be set outside Terraform), so `locked` stays out.
    return Shape(attrs=dict(vault_name=v.value("name"), encryption_key_arn=v.ref("kms_key_arn")),
                 name=_text(v.value("name")))


def backup_vault_lock(v: "TerraformValues") -> Shape:
    return Shape(attrs=dict(locked=True, min_retention_days=v.number("min_retention_days")))


def autoscaling_group(v: "TerraformValues") -> Shape:
    zones = v.value("availability_zones")
    subnets = v.refs("vpc_zone_identifier")
    if isinstance(zones, list) and zones:
        count: Any = len(zones)
    else:  # one subnet per zone assumed, as for load balancers
        count = v.UNKNOWN if subnets is v.UNKNOWN else len(subnets)
    return Shape(attrs=dict(
        availability_zones=sorted(zones) if isinstance(zones, list) else zones,
        az_count=count,
        min_size=v.number("min_size"),
        max_size=v.number("max_size"),
        target_group_arns=v.refs("target_group_arns"),
    ), zones=tuple(sorted(zones)) if isinstance(zones, list) else ())


def _iam_path(v: "TerraformValues") -> Any:
    return v.value("path", null="/")  # provider default: "/"


def iam_user(v: "TerraformValues") -> Shape:
    return Shape(attrs=dict(user_name=v.value("name"), path=_iam_path(v)), name=_text(v.value("name")))


def iam_group(v: "TerraformValues") -> Shape:
    return Shape(attrs=dict(group_name=v.value("name"), path=_iam_path(v)), name=_text(v.value("name")))


def iam_role(v: "TerraformValues") -> Shape:
    path = _iam_path(v)
    return Shape(attrs=dict(role_name=v.value("name"), path=path,
                            service_linked=path if path is v.UNKNOWN else str(path).startswith(SERVICE_LINKED_PATH)),
                 name=_text(v.value("name")))


def iam_policy(v: "TerraformValues") -> Shape:
    document = v.value("policy")
    try:
        parsed = json.loads(document) if isinstance(document, str) else None
    except ValueError:
        parsed = None
    return Shape(attrs=dict(
        policy_name=v.value("name"), path=_iam_path(v),
        allows_full_admin=document if document is v.UNKNOWN else _admin(parsed),
    ), name=_text(v.value("name")))


def _admin(document: Any) -> bool | None:
    """Whether a planned policy document allows "*" on "*"; None when it cannot be told."""
    admin = allows_full_admin(document) if isinstance(document, dict) else None
    return None if admin is UNSEEN else admin


Transform = Callable[["TerraformValues"], Shape]

# Terraform resource type -> (drscan kind, transform)
TERRAFORM_TYPES: dict[str, tuple[str, Transform]] = {
    "aws_s3_bucket": ("aws.s3.bucket", s3_bucket),
    "aws_instance": ("aws.ec2.instance", ec2_instance),
    "aws_ebs_volume": ("aws.ec2.volume", ebs_volume),
    "aws_security_group": ("aws.ec2.security_group", ec2_security_group),
    "aws_db_instance": ("aws.rds.db_instance", rds_db_instance),
    "aws_rds_cluster_instance": ("aws.rds.db_instance", rds_cluster_instance),
    "aws_rds_cluster": ("aws.rds.db_cluster", rds_cluster),
    "aws_dynamodb_table": ("aws.dynamodb.table", dynamodb_table),
    "aws_efs_file_system": ("aws.efs.file_system", efs_file_system),
    "aws_kms_key": ("aws.kms.key", kms_key),
    "aws_lb": ("aws.elbv2.load_balancer", elbv2_load_balancer),
    "aws_alb": ("aws.elbv2.load_balancer", elbv2_load_balancer),
    "aws_lb_listener": ("aws.elbv2.listener", elbv2_listener),
    "aws_alb_listener": ("aws.elbv2.listener", elbv2_listener),
    "aws_cloudtrail": ("aws.cloudtrail.trail", cloudtrail),
    "aws_backup_plan": ("aws.backup.plan", backup_plan),
    "aws_backup_selection": ("aws.backup.selection", backup_selection),
    "aws_backup_vault": ("aws.backup.vault", backup_vault),
    "aws_autoscaling_group": ("aws.autoscaling.group", autoscaling_group),
    "aws_iam_user": ("aws.iam.user", iam_user),
    "aws_iam_group": ("aws.iam.group", iam_group),
    "aws_iam_role": ("aws.iam.role", iam_role),
    "aws_iam_policy": ("aws.iam.policy", iam_policy),
}

# Settings resources folded into the resource they configure:
# type -> (parent types, attribute naming the parent, transform, additive)
FOLDED_TYPES: dict[str, tuple[tuple[str, ...], str, Transform, bool]] = {
    "aws_s3_bucket_server_side_encryption_configuration": (("aws_s3_bucket",), "bucket", s3_encryption, False),
    "aws_s3_bucket_versioning": (("aws_s3_bucket",), "bucket", s3_versioning, False),
    "aws_s3_bucket_public_access_block": (("aws_s3_bucket",), "bucket", s3_public_access_block, False),
    "aws_s3_bucket_replication_configuration": (("aws_s3_bucket",), "bucket", s3_replication, False),
    "aws_s3_bucket_logging": (("aws_s3_bucket",), "bucket", s3_logging, False),
    "aws_s3_bucket_lifecycle_configuration": (("aws_s3_bucket",), "bucket", s3_lifecycle, False),
    "aws_volume_attachment": (("aws_ebs_volume",), "volume_id", volume_attachment, True),
    "aws_security_group_rule": (("aws_security_group",), "security_group_id", security_group_rule, True),
    "aws_vpc_security_group_ingress_rule": (("aws_security_group",), "security_group_id", vpc_ingress_rule, True),
    "aws_efs_backup_policy": (("aws_efs_file_system",), "file_system_id", efs_backup_policy, False),
    "aws_efs_replication_configuration": (("aws_efs_file_system",), "source_file_system_id", efs_replication, False),
    "aws_backup_vault_lock_configuration": (("aws_backup_vault",), "backup_vault_name", backup_vault_lock, False),
}

# (type, normalized attribute) -> the Terraform argument, for regression reasons
TERRAFORM_ARGUMENTS: dict[tuple[str, str], str] = {
    ("aws_dynamodb_table", "pitr_enabled"): "point_in_time_recovery.enabled",
    ("aws_dynamodb_table", "replica_regions"): "replica.region_name",
    ("aws_dynamodb_table", "deletion_protection"): "deletion_protection_enabled",
    ("aws_s3_bucket_versioning", "versioning"): "versioning_configuration.status",
    ("aws_s3_bucket", "versioning"): "versioning.enabled",
    ("aws_s3_bucket", "replication_enabled"): "replication_configuration.rules.status",
    ("aws_s3_bucket_replication_configuration", "replication_enabled"): "rule.status",
    ("aws_db_instance", "backup_retention_days"): "backup_retention_period",
    ("aws_rds_cluster", "backup_retention_days"): "backup_retention_period",
    ("aws_db_instance", "replica_source"): "replicate_source_db",
    ("aws_rds_cluster", "replica_source"): "replication_source_identifier",
    ("aws_backup_plan", "copy_destinations"): "rule.copy_action.destination_vault_arn",
    ("aws_efs_replication_configuration", "replication_regions"): "destination.region",
}


def cloud_id(type_: str, v: "TerraformValues", others: dict[str, list[dict]]) -> str | None:
    """The ARN AWS Config reports for the resource: the state's `arn`, else built from its name."""
    arn = v.value("arn")
    if isinstance(arn, str) and arn.startswith("arn:"):
        return arn
    name, region, account = v.value("name"), v.region, v.account
    if type_ == "aws_s3_bucket" and _text(v.value("bucket")):
        return f"arn:aws:s3:::{v.value('bucket')}"
    if type_ == "aws_db_instance" and _text(v.value("identifier")):
        return rds_arn(v.value("identifier"), account, region)
    if type_ == "aws_rds_cluster" and _text(v.value("cluster_identifier")):
        return rds_arn(v.value("cluster_identifier"), account, region, "cluster")
    if type_ == "aws_dynamodb_table" and _text(name):
        return f"arn:aws:dynamodb:{region}:{account}:table/{name}"
    if type_ == "aws_backup_vault" and _text(name):
        return backup_vault_arn(name, account, region)
    if type_ == "aws_backup_selection" and _text(v.value("id")):
        plan = next((p for p in others.get("aws_backup_plan", []) if p.get("id") == v.value("plan_id")), None)
        if plan and _text(plan.get("arn")):  # Config names a selection plan-ARN/selection/id
            return f"{plan['arn']}/selection/{v.value('id')}"
    return None


def account_of(resource_id: str, v: "TerraformValues") -> str | None:
    parts = resource_id.split(":")
    return parts[4] or None if resource_id.startswith("arn:") and len(parts) > 5 else None
