"""AWS account guardrails and detection (Organizations, GuardDuty, Security Hub, AWS Config
recorders, VPC flow logs, IAM role trust, Lambda runtime support) as API or AWS Config JSON ->
normalized attributes. Same contract as drscan.normalize.aws; absent stays absent."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from drscan.normalize.aws_access import iam_role as access_iam_role
from drscan.normalize.aws_data import flag, names
from drscan.normalize.aws_policies import parse_policy, trust_facts
from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field, iso_time, text
from drscan.normalize.shape import Shape

LAMBDA_RUNTIMES = Path(__file__).resolve().parents[1] / "data" / "lambda_runtimes.yaml"
SECURITY_SERVICES = ("guardduty.amazonaws.com", "securityhub.amazonaws.com", "config.amazonaws.com",
                     "access-analyzer.amazonaws.com")


def organization(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """DescribeOrganization's Organization, with `supp` holding what only the management account
    (or a delegated administrator) may read: Roots, Policies, DelegatedAdministrators."""
    roots = field(supp, "Roots") if supp else None
    policies = field(supp, "Policies") if supp else None
    delegated = field(supp, "DelegatedAdministrators") if supp else None
    scp_enabled = None
    if roots is not None:
        scp_enabled = any(str(field(t, "Type")) == "SERVICE_CONTROL_POLICY" and str(field(t, "Status")) == "ENABLED"
                          for r in as_list(roots) for t in as_list(field(r, "PolicyTypes")))
    services = None if delegated is None else sorted({str(s) for d in as_list(delegated)
                                                      for s in as_list(field(d, "Services"))})
    feature_set = field(conf, "FeatureSet")
    admins = None if delegated is None else names([field(d, "Id") for d in as_list(delegated)])  # an unread Id: unknown
    return Shape(
        attrs=dict(
            organization_id=field(conf, "Id"),
            feature_set=feature_set,
            all_features=None if feature_set is None else str(feature_set) == "ALL",
            management_account=field(conf, "MasterAccountId"),
            scp_enabled=scp_enabled,
            # ListPolicies names every policy's AwsManaged; one without it could be the AWS-managed FullAWSAccess.
            custom_scp_count=None if policies is None or any(as_bool(field(p, "AwsManaged")) is None for p in as_list(policies))
            else sum(1 for p in as_list(policies) if as_bool(field(p, "AwsManaged")) is False),
            delegated_administrators=None if admins is None else sorted(admins),
            delegated_services=services,
            security_services_delegated=None if services is None else sorted(set(services) & set(SECURITY_SERVICES)),
        ),
        name=field(conf, "Id"),
    )


def guardduty_detector(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """GetDetector's answer (Status ENABLED/DISABLED) or Config's AWS::GuardDuty::Detector (Enable)."""
    status = field(conf, "Status")
    enabled = as_bool(field(conf, "Enable")) if field(conf, "Enable") is not None else (
        None if status is None else str(status).upper() == "ENABLED")
    features = field(conf, "Features")
    # A feature without its Name was not read: the list is unknown rather than holding "None".
    enabled_features = None if features is None else names(
        [field(f, "Name") for f in as_list(features) if str(field(f, "Status")).upper() == "ENABLED"])
    return Shape(attrs=dict(
        enabled=enabled,
        detector_id=field(conf, "Id") or field(conf, "DetectorId"),
        finding_publishing_frequency=field(conf, "FindingPublishingFrequency"),
        s3_protection=(flag(conf, "DataSources.S3Logs.Enable") if dig(conf, "DataSources.S3Logs.Enable") is not None
                       else None if dig(conf, "DataSources.S3Logs.Status") is None
                       else str(dig(conf, "DataSources.S3Logs.Status")).upper() == "ENABLED"),
        features_enabled=None if enabled_features is None else sorted(enabled_features),
    ))


def securityhub_hub(conf: dict, supp: dict, account: str, region: str) -> Shape:
    standards = field(supp, "StandardsSubscriptions") if supp else None
    # GetEnabledStandards names each subscription's StandardsArn and StandardsStatus; one without
    # them was not read (it could be FAILED or DELETING), so the list is unknown.
    readable = isinstance(standards, list) and all(
        text(field(s, "StandardsArn")) and text(field(s, "StandardsStatus")) for s in standards)
    enabled_standards = None if not readable else sorted(
        str(field(s, "StandardsArn")).split(":", 5)[-1] for s in standards
        if str(field(s, "StandardsStatus")) in ("READY", "PENDING", "INCOMPLETE"))
    return Shape(attrs=dict(
        enabled=as_bool(field(conf, "Enabled")) if field(conf, "Enabled") is not None else (
            True if field(conf, "HubArn") else None),
        subscribed_at=iso_time(field(conf, "SubscribedAt")),
        auto_enable_controls=flag(conf, "AutoEnableControls"),
        standards=enabled_standards,
    ))


def config_recorder(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """DescribeConfigurationRecorders' entry plus its status (supp: recording, lastStatus), or
    Config's own AWS::Config::ConfigurationRecorder item (Recording inline)."""
    group = field(conf, "RecordingGroup") or field(conf, "recordingGroup")
    recording = field(conf, "Recording")
    if recording is None and supp:
        recording = field(supp, "recording")
    strategy = dig(group, "RecordingStrategy.UseOnly")
    all_supported = flag(group, "AllSupported") if group is not None else None
    if strategy is not None and all_supported is None:
        all_supported = str(strategy) == "ALL_SUPPORTED_RESOURCE_TYPES"
    return Shape(attrs=dict(
        exists=True,
        recording=as_bool(recording),
        all_supported=all_supported,
        include_global_resource_types=flag(group, "IncludeGlobalResourceTypes") if group is not None else None,
        last_status=field(supp, "lastStatus") if supp else None,
        role_arn=field(conf, "RoleARN"),
    ), name=field(conf, "Name"))


def ec2_vpc(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """A VPC; `supp` carries its FlowLogs when they were read (the live collector), so an export
    without them leaves flow_logs_enabled absent and the rule looks for flow-log resources instead."""
    flow_logs = field(supp, "FlowLogs") if supp else None
    # DescribeFlowLogs names every flow log's FlowLogStatus; one without it was not read.
    statuses = None if not isinstance(flow_logs, list) else [text(field(f, "FlowLogStatus")) for f in flow_logs]
    active = None if statuses is None else [f for f, status in zip(flow_logs, statuses)
                                             if str(status or "").upper() == "ACTIVE"]
    unread = statuses is not None and None in statuses
    return Shape(attrs=dict(
        vpc_id=field(conf, "VpcId"),
        is_default=flag(conf, "IsDefault"),
        cidr_block=field(conf, "CidrBlock"),
        state=field(conf, "State") if not isinstance(field(conf, "State"), dict) else dig(conf, "State.value"),
        flow_logs_enabled=None if active is None else (True if active else (None if unread else False)),
        flow_log_traffic_types=None if active is None or unread else sorted(
            {str(field(f, "TrafficType")) for f in active if field(f, "TrafficType")}),
    ))


def vpc_arn(vpc_id: str, account: str, region: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:vpc/{vpc_id}"


def ec2_flow_log(conf: dict, supp: dict, account: str, region: str) -> Shape:
    target = str(field(conf, "ResourceId") or "")
    shape = Shape(attrs=dict(
        flow_log_status=field(conf, "FlowLogStatus"),
        deliver_logs_status=field(conf, "DeliverLogsStatus"),
        traffic_type=field(conf, "TrafficType"),
        destination_type=field(conf, "LogDestinationType"),
        destination=field(conf, "LogDestination") or field(conf, "LogGroupName"),
        resource_id=target or None,
    ))
    if target.startswith("vpc-"):
        shape.ref("logs_traffic_of", vpc_arn(target, account, region))
    return shape


def iam_role(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """GetAccountAuthorizationDetails' RoleDetailList entry or Config's AWS::IAM::Role (whose
    assumeRolePolicyDocument is URL-encoded JSON): drscan.normalize.aws_access's facts plus when
    the role was last used, its session limit and who its trust policy lets in."""
    shape = access_iam_role(conf, supp, account, region)
    policy = parse_policy(field(conf, "AssumeRolePolicyDocument"))
    shape.attrs.update(
        last_used_at=iso_time(dig(conf, "RoleLastUsed.LastUsedDate")),
        max_session_seconds=as_int(field(conf, "MaxSessionDuration")),
        **trust_facts(policy, account),
    )
    shape.name = text(field(conf, "RoleName"))
    return shape


@lru_cache(maxsize=1)
def lambda_runtime_table() -> dict[str, str]:
    """drscan/data/lambda_runtimes.yaml: runtime identifier -> deprecation date (ISO)."""
    from drscan.yamlfile import load_yaml

    data = load_yaml(LAMBDA_RUNTIMES).data
    return {str(k): (v.isoformat() if isinstance(v, date) else str(v)) for k, v in data["runtimes"].items()}


def lambda_runtime_facts(runtime: Any, package_type: Any = None) -> dict[str, Any]:
    """runtime_deprecation_date: when Lambda deprecates the function's runtime (from the data
    file), None when the runtime is unknown to it or not collected. Container images have none."""
    if runtime is None or runtime == "":
        if str(package_type or "") == "Image":
            return dict(runtime_deprecation_date=None, runtime_known=None)
        return {}
    table = lambda_runtime_table()
    known = str(runtime) in table
    return dict(runtime_deprecation_date=f"{table[str(runtime)]}T00:00:00Z" if known else None, runtime_known=known)
