"""AWS edge and front-door services (CloudFront, Global Accelerator, API Gateway) and EKS
clusters as API or AWS Config JSON -> normalized attributes. Same contract as
drscan.normalize.aws: (configuration, supplementary, account, region) -> Shape, absent stays absent."""

from __future__ import annotations

from typing import Any

from drscan.normalize.aws_data import flag, names
from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field, text
from drscan.normalize.shape import Shape

SECURE_VIEWER_POLICIES = {"https-only", "redirect-to-https"}


def _items(value: Any) -> list:
    """CloudFront's {"Quantity": n, "Items": [...]} lists (Config keeps the same nesting)."""
    if isinstance(value, dict):
        return as_list(field(value, "Items"))
    return as_list(value)


def cloudfront_distribution(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # ListDistributions items are the config flattened; GetDistribution and Config nest it.
    config = field(conf, "DistributionConfig")
    config = config if isinstance(config, dict) else conf
    groups = field(config, "OriginGroups")
    group_ids = {str(field(g, "Id")) for g in _items(groups)}
    default = field(config, "DefaultCacheBehavior") or {}
    behaviors = [default, *_items(field(config, "CacheBehaviors"))]
    # Every cache behavior (the default one included) has a ViewerProtocolPolicy; one without it
    # was not read and could be the one that allows plain HTTP.
    policies = [text(field(b, "ViewerProtocolPolicy")) for b in behaviors]
    policies = None if None in policies else policies
    logging = field(config, "Logging")
    certificate = field(config, "ViewerCertificate")
    web_acl = field(config, "WebACLId")
    if web_acl is None:
        web_acl = field(conf, "WebACLId")
    shape = Shape(
        attrs=dict(
            domain_name=field(conf, "DomainName"),
            enabled=flag(config, "Enabled"),
            origin_count=len(_items(field(config, "Origins"))) if field(config, "Origins") is not None else None,
            origin_group_count=None if groups is None else len(group_ids),
            default_origin_is_group=(None if groups is None or not field(default, "TargetOriginId")
                                     else str(field(default, "TargetOriginId")) in group_ids),
            viewer_protocol_policies=sorted(set(policies)) if policies is not None else None,
            viewer_https_only=None if not policies else all(p in SECURE_VIEWER_POLICIES for p in policies),
            minimum_tls_version=field(certificate, "MinimumProtocolVersion") if certificate else None,
            default_certificate=flag(certificate, "CloudFrontDefaultCertificate") if certificate else None,
            logging_enabled=flag(logging, "Enabled") if logging is not None else None,
            logging_bucket=(field(logging, "Bucket") or None) if logging is not None else None,
            web_acl_id=web_acl,
        ),
        name=field(conf, "Id"),
    )
    return shape


def globalaccelerator_accelerator(conf: dict, supp: dict, account: str, region: str) -> Shape:
    groups = field(supp, "EndpointGroups") if supp else None
    attributes = field(supp, "AcceleratorAttributes") if supp else None
    endpoints = [e for g in as_list(groups) for e in as_list(field(g, "EndpointDescriptions"))]
    # DescribeEndpointGroup always lists EndpointDescriptions, each with its HealthState: a group
    # or an endpoint without them was not read, and the unread one could be the unhealthy one.
    health_read = isinstance(groups, list) and all(isinstance(field(g, "EndpointDescriptions"), list) for g in groups) \
        and all(text(field(e, "HealthState")) for e in endpoints)
    return Shape(
        attrs=dict(
            enabled=flag(conf, "Enabled"),
            status=field(conf, "Status"),
            dns_name=field(conf, "DnsName"),
            ip_address_type=field(conf, "IpAddressType"),
            endpoint_group_regions=None if groups is None else sorted({str(field(g, "EndpointGroupRegion"))
                                                                        for g in as_list(groups) if field(g, "EndpointGroupRegion")}),
            endpoint_count=None if groups is None else len(endpoints),
            unhealthy_endpoint_count=None if not health_read else sum(
                1 for e in endpoints if str(field(e, "HealthState")).upper() == "UNHEALTHY"),
            flow_logs_enabled=flag(attributes, "FlowLogsEnabled") if attributes is not None else None,
        ),
        name=field(conf, "Name"),
    )


def globalaccelerator_endpoint_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    listener = str(field(conf, "ListenerArn") or "")
    shape = Shape(attrs=dict(
        endpoint_group_region=field(conf, "EndpointGroupRegion"),
        endpoint_ids=(names([field(e, "EndpointId") for e in field(conf, "EndpointConfigurations")])
                      if isinstance(field(conf, "EndpointConfigurations"), list) else None),
        health_check_protocol=field(conf, "HealthCheckProtocol"),
        traffic_dial_percentage=field(conf, "TrafficDialPercentage"),
    ))
    shape.ref("serves", listener.split("/listener/")[0] if "/listener/" in listener else None)
    return shape


def apigateway_rest_api(conf: dict, supp: dict, account: str, region: str) -> Shape:
    return Shape(attrs=dict(
        api_name=field(conf, "name"),
        endpoint_types=names(dig(conf, "endpointConfiguration.types")),
        api_key_source=field(conf, "apiKeySource"),
        disable_execute_api_endpoint=flag(conf, "disableExecuteApiEndpoint"),
    ), name=field(conf, "name"))


def apigateway_stage(conf: dict, supp: dict, account: str, region: str) -> Shape:
    settings = field(conf, "methodSettings")
    everything = field(settings, "*/*") if isinstance(settings, dict) else None
    access_log = field(conf, "accessLogSettings")
    caching = flag(conf, "cacheClusterEnabled")
    shape = Shape(
        attrs=dict(
            stage_name=field(conf, "stageName"),
            rest_api_id=field(conf, "restApiId"),
            tracing_enabled=flag(conf, "tracingEnabled"),
            web_acl_arn=field(conf, "webAclArn"),
            # GetStages omits accessLogSettings when access logging is off.
            access_log_destination=(field(access_log, "destinationArn") if access_log is not None
                                    else ("" if field(conf, "deploymentId") and settings is not None else None)),
            # No "*/*" entry in methodSettings: no stage-wide override, so the service defaults
            # (loggingLevel OFF, cacheDataEncrypted false) apply; an entry without the field was not read.
            execution_logging_level=(None if settings is None else
                                     text(field(everything, "loggingLevel")) if everything is not None else "OFF"),
            cache_enabled=caching,
            cache_encrypted=(None if settings is None else as_bool(field(everything, "cacheDataEncrypted"))
                             if everything is not None else False) if caching else None,
            client_certificate_id=field(conf, "clientCertificateId"),
        ),
        name=field(conf, "stageName"),
    )
    return shape


def _open_to_internet(public: bool | None, cidrs: Any) -> bool | None:
    if not public:
        return public
    if cidrs is None:
        return None
    return not as_list(cidrs) or any(str(c) in ("0.0.0.0/0", "::/0") for c in as_list(cidrs))


def eks_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """EKS cluster (DescribeCluster's `cluster`, or Config's AWS::EKS::Cluster). Kept in step with
    the Kubernetes linking (issue #14): name, arn, endpoint, version, logging, vpc config."""
    vpc = field(conf, "ResourcesVpcConfig")
    logging = field(conf, "Logging")
    enabled_types: list[str] | None = None
    if logging is not None:
        enabled_types = []
        for setup in as_list(field(logging, "ClusterLogging")):
            types = [field(t, "Type") if isinstance(t, dict) else t for t in as_list(field(setup, "Types") or field(setup, "EnabledTypes"))]
            if field(setup, "EnabledTypes") is not None:  # Config lists only the enabled types
                enabled_types.extend(str(t) for t in types if t)
                continue
            enabled = as_bool(field(setup, "Enabled"))  # DescribeCluster: {types, enabled} per setup
            if enabled is None and types:
                enabled_types = None  # a setup whose on/off was not read
                break
            if enabled:
                enabled_types.extend(str(t) for t in types if t)
        enabled_types = None if enabled_types is None else sorted(set(enabled_types))
    encryption = field(conf, "EncryptionConfig")
    secrets_key = None
    if encryption is not None:
        secrets_key = next((dig(e, "Provider.KeyArn") for e in as_list(encryption)
                            if "secrets" in [str(r) for r in as_list(field(e, "Resources"))]), None)
        secrets_key = secrets_key or field(conf, "EncryptionConfigKeyArn")
    cidrs = field(vpc, "PublicAccessCidrs") if vpc is not None else None
    vpc_config = None if vpc is None else dict(
        vpc_id=field(vpc, "VpcId"), subnet_ids=names(field(vpc, "SubnetIds")),
        security_group_ids=names(field(vpc, "SecurityGroupIds")),
        cluster_security_group_id=field(vpc, "ClusterSecurityGroupId"),
        endpoint_public_access=flag(vpc, "EndpointPublicAccess"), endpoint_private_access=flag(vpc, "EndpointPrivateAccess"),
        public_access_cidrs=names(cidrs))
    public = flag(vpc, "EndpointPublicAccess") if vpc is not None else None
    shape = Shape(
        attrs=dict(
            name=field(conf, "Name"),
            arn=field(conf, "Arn"),
            endpoint=field(conf, "Endpoint"),
            version=field(conf, "Version"),
            platform_version=field(conf, "PlatformVersion"),
            status=field(conf, "Status") or field(conf, "ClusterStatus"),
            logging=enabled_types,
            audit_logging_enabled=None if enabled_types is None else "audit" in enabled_types,
            vpc_config=vpc_config,
            endpoint_public_access=public,
            # Public and reachable from anywhere: no CIDR allow-list narrower than the internet.
            endpoint_open_to_internet=_open_to_internet(public, names(cidrs)),
            secrets_encrypted=None if encryption is None and field(conf, "Status") is None and field(conf, "ClusterStatus") is None
            else bool(secrets_key),
            secrets_kms_key_arn=secrets_key,
        ),
        name=field(conf, "Name"),
    )
    shape.ref("encrypted_by", secrets_key)
    return shape
