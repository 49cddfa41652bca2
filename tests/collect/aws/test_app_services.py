"""Application-service collectors against moto: ECR (with registry replication), Secrets Manager
(rotation, replicas), SQS, SNS, CloudFront (origin failover groups), API Gateway stages, ACM and
EKS; the repo's rules judged on the result; honest gaps.

moto 5.2 does not implement Global Accelerator at all, so botocore's Stubber answers its four
operations from tests/fixtures/aws_api/globalaccelerator/*.json (shaped as in the Global
Accelerator API reference)."""

from __future__ import annotations

import json

import boto3

from drscan.collect.aws import acm, apigateway, cloudfront, ecr, eks, globalaccelerator, secretsmanager, sns, sqs
from tests.collect.aws.conftest import ACCOUNT
from tests.collect.aws.test_ec2 import collect_stubbed, Error, load_fixture, status, verdicts

EAST = "us-east-1"



def test_ecr_replication_rules_reach_matching_repositories(aws):
    client = boto3.client("ecr", region_name=EAST)
    client.create_repository(repositoryName="payments/api", imageTagMutability="IMMUTABLE",
                             imageScanningConfiguration={"scanOnPush": True})
    client.create_repository(repositoryName="scratch/tools")
    client.put_replication_configuration(replicationConfiguration={"rules": [{
        "destinations": [{"region": "us-west-2", "registryId": ACCOUNT}],
        "repositoryFilters": [{"filter": "payments/", "filterType": "PREFIX_MATCH"}]}]})
    out = collect_stubbed(ecr, "ecr")
    by_name = {r.name: r for r in out.resources}
    api, tools = by_name["payments/api"], by_name["scratch/tools"]
    assert api.attrs["replication_regions"] == ["us-west-2"] and tools.attrs["replication_regions"] == []
    assert api.attrs["scan_on_push"] is True and api.attrs["tags_immutable"] is True
    found = verdicts(out)
    assert status(found, "aws-ecr-repository-scan-on-push", tools.id) == "FAIL"
    assert status(found, "aws-ecr-repository-immutable-tags", api.id) == "PASS"
    assert not out.gaps


def test_ecr_registry_denied_leaves_replication_unknown(aws):
    boto3.client("ecr", region_name=EAST).create_repository(repositoryName="web")
    out = collect_stubbed(ecr, "ecr", {"DescribeRegistry": lambda p: Error("AccessDeniedException", "no", 403)})
    repo, = out.resources
    assert repo.attrs["replication_regions"] is None and [g.operation for g in out.gaps] == ["DescribeRegistry"]


def test_ecr_empty_region_costs_one_call(aws):
    out = collect_stubbed(ecr, "ecr")
    assert dict(out.calls) == {"ecr:DescribeRepositories": 1}


def test_secrets_rotation_key_and_replicas(aws):
    client = boto3.client("secretsmanager", region_name=EAST)
    key = boto3.client("kms", region_name=EAST).create_key()["KeyMetadata"]["Arn"]
    client.create_secret(Name="payments/db", SecretString="s3cr3t-value", KmsKeyId=key,
                         AddReplicaRegions=[{"Region": "us-west-2"}], Tags=[{"Key": "app", "Value": "payments"}])
    client.create_secret(Name="legacy/api-key", SecretString="another-value")
    out = collect_stubbed(secretsmanager, "secretsmanager")
    by_name = {r.name: r for r in out.resources}
    db, legacy = by_name["payments/db"], by_name["legacy/api-key"]
    assert db.attrs["replica_regions"] == ["us-west-2"] and db.attrs["customer_managed_key"] is True
    assert legacy.attrs["replica_regions"] == [] and legacy.attrs["customer_managed_key"] is False
    assert legacy.attrs["rotation_enabled"] is False
    assert "s3cr3t-value" not in json.dumps([r.attrs for r in out.resources])  # values are never read
    assert "secretsmanager:GetSecretValue" not in out.calls
    found = verdicts(out)
    assert status(found, "aws-secretsmanager-secret-replicated", db.id) == "PASS"
    assert status(found, "aws-secretsmanager-secret-rotation", legacy.id) == "FAIL"


def test_sqs_queues_encryption_redrive_and_policy(aws):
    client = boto3.client("sqs", region_name=EAST)
    dlq = client.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client.create_queue(QueueName="orders", tags={"app": "orders"}, Attributes={
        "SqsManagedSseEnabled": "true", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})})
    open_queue = client.create_queue(QueueName="open", tags={"app": "orders"}, Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]
    client.set_queue_attributes(QueueUrl=open_queue, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}]})})
    out = collect_stubbed(sqs, "sqs")
    by_name = {r.name: r for r in out.resources}
    orders, opened = by_name["orders"], by_name["open"]
    assert orders.attrs["dead_letter_target_arn"] == dlq_arn and orders.tags == {"app": "orders"}
    assert orders.attrs["policy_public"] is False and opened.attrs["policy_public"] is True
    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (orders.id, "dead_letters_to", dlq_arn) in refs
    found = verdicts(out)
    assert status(found, "aws-sqs-queue-dead-letter-queue", opened.id) == "FAIL"
    assert status(found, "aws-sqs-queue-not-public", opened.id) == "FAIL"
    assert status(found, "aws-sqs-queue-encrypted", orders.id) == "PASS"


def test_sns_topics(aws):
    client = boto3.client("sns", region_name=EAST)
    encrypted = client.create_topic(Name="alerts", Attributes={"KmsMasterKeyId": "alias/aws/sns"})["TopicArn"]
    plain = client.create_topic(Name="plain")["TopicArn"]
    out = collect_stubbed(sns, "sns")
    by_id = {r.id: r for r in out.resources}
    assert by_id[encrypted].attrs["encrypted"] is True and by_id[plain].attrs["encrypted"] is False
    assert by_id[plain].attrs["policy_public"] is False  # SNS's default policy names the owner account
    assert status(verdicts(out), "aws-sns-topic-encrypted", plain) == "FAIL"


def _distribution_config(reference: str, with_group: bool) -> dict:
    origin = lambda name: {"Id": name, "DomainName": f"{name}.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    config = {
        "CallerReference": reference, "Comment": reference, "Enabled": True,
        "Origins": {"Quantity": 2, "Items": [origin("primary"), origin("secondary")]},
        "DefaultCacheBehavior": {"TargetOriginId": "failover" if with_group else "primary", "ViewerProtocolPolicy": "allow-all",
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "MinTTL": 0},
        "Logging": {"Enabled": with_group, "IncludeCookies": False, "Bucket": "logs.s3.amazonaws.com" if with_group else "",
                    "Prefix": ""},
    }
    if with_group:
        config["OriginGroups"] = {"Quantity": 1, "Items": [{
            "Id": "failover", "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 503]}},
            "Members": {"Quantity": 2, "Items": [{"OriginId": "primary"}, {"OriginId": "secondary"}]}}]}
    return config


def _summary(config: dict, distribution_id: str) -> dict:
    """A ListDistributions item (DistributionSummary) for `config`, as the CloudFront API reference shows it."""
    from datetime import datetime, timezone

    return {"Id": distribution_id, "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{distribution_id}",
            "Status": "Deployed", "LastModifiedTime": datetime(2026, 10, 1, tzinfo=timezone.utc),
            "DomainName": f"{distribution_id.lower()}.cloudfront.net", "Aliases": {"Quantity": 0},
            "Origins": config["Origins"], "OriginGroups": config.get("OriginGroups", {"Quantity": 0}),
            "DefaultCacheBehavior": config["DefaultCacheBehavior"], "CacheBehaviors": {"Quantity": 0},
            "CustomErrorResponses": {"Quantity": 0}, "Comment": config["Comment"], "PriceClass": "PriceClass_All",
            "Enabled": True, "ViewerCertificate": {"CloudFrontDefaultCertificate": True},
            "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}}, "WebACLId": "",
            "HttpVersion": "http2", "IsIPV6Enabled": True, "Staging": False}


def test_cloudfront_origin_failover_and_logging(aws):
    """moto 5.2 refuses a default behaviour that targets an origin group (NoSuchOrigin), so the
    listing and configs are API-reference-shaped Stubber answers here; moto serves the next test."""
    configs = {"E1RESILIENT": _distribution_config("resilient", True), "E2SINGLE": _distribution_config("single", False)}
    out = collect_stubbed(cloudfront, "cloudfront", {
        "ListDistributions": lambda p: {"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 2,
                                                             "Items": [_summary(c, i) for i, c in configs.items()]}},
        "GetDistributionConfig": lambda p: {"DistributionConfig": configs[p["Id"]], "ETag": "E2QWRUHEXAMPLE"}}, "global")
    by_id = {r.id.rsplit("/", 1)[-1]: r for r in out.resources}
    good, bad = by_id["E1RESILIENT"], by_id["E2SINGLE"]
    assert good.region == "global" and good.attrs["default_origin_is_group"] is True and good.attrs["origin_group_count"] == 1
    assert bad.attrs["default_origin_is_group"] is False and bad.attrs["viewer_https_only"] is False
    assert good.attrs["logging_enabled"] is True and bad.attrs["logging_enabled"] is False
    found = verdicts(out)
    assert status(found, "aws-cloudfront-distribution-origin-failover", good.id) == "PASS"
    assert status(found, "aws-cloudfront-distribution-origin-failover", bad.id) == "FAIL"
    assert status(found, "aws-cloudfront-distribution-https", bad.id) == "FAIL"


def test_cloudfront_against_moto_and_config_denied(aws):
    created = boto3.client("cloudfront", region_name=EAST).create_distribution(
        DistributionConfig=_distribution_config("single", False))["Distribution"]
    dist, = collect_stubbed(cloudfront, "cloudfront", scope="global").resources
    assert dist.id == created["ARN"] and dist.attrs["logging_enabled"] is False
    assert dist.attrs["default_origin_is_group"] is False
    out = collect_stubbed(cloudfront, "cloudfront", {"GetDistributionConfig": lambda p: Error("AccessDenied", "no", 403)}, "global")
    dist, = out.resources
    assert dist.attrs["logging_enabled"] is None
    assert verdicts(out)[("aws-cloudfront-distribution-logging", dist.id)].status.value == "NOT_ASSESSED"


def test_global_accelerator_regions_health_and_flow_logs(aws):
    answers = {name: (lambda p, n=name: load_fixture("globalaccelerator", n)) for name in (
        "list_accelerators", "list_listeners", "list_endpoint_groups", "describe_accelerator_attributes")}
    out = collect_stubbed(globalaccelerator, "globalaccelerator", {
        "ListAccelerators": answers["list_accelerators"], "ListListeners": answers["list_listeners"],
        "ListEndpointGroups": answers["list_endpoint_groups"],
        "DescribeAcceleratorAttributes": answers["describe_accelerator_attributes"]}, "global")
    accelerator, = out.resources
    assert accelerator.name == "payments-edge" and accelerator.region == "global"
    assert accelerator.attrs["endpoint_group_regions"] == ["eu-west-1", "us-east-1"]
    assert accelerator.attrs["unhealthy_endpoint_count"] == 1 and accelerator.attrs["flow_logs_enabled"] is False
    found = verdicts(out)
    assert status(found, "aws-globalaccelerator-multi-region", accelerator.id) == "PASS"
    assert status(found, "aws-globalaccelerator-endpoints-healthy", accelerator.id) == "FAIL"
    assert set(out.calls) <= set(globalaccelerator.OPERATIONS)


def test_global_accelerator_listener_denied_is_not_assessed(aws):
    out = collect_stubbed(globalaccelerator, "globalaccelerator", {
        "ListAccelerators": lambda p: load_fixture("globalaccelerator", "list_accelerators"),
        "DescribeAcceleratorAttributes": lambda p: load_fixture("globalaccelerator", "describe_accelerator_attributes"),
        "ListListeners": lambda p: Error("AccessDeniedException", "no", 403)}, "global")
    accelerator, = out.resources
    assert accelerator.attrs["endpoint_group_regions"] is None
    assert verdicts(out)[("aws-globalaccelerator-multi-region", accelerator.id)].status.value == "NOT_ASSESSED"


def test_apigateway_stages(aws):
    client = boto3.client("apigateway", region_name=EAST)
    api = client.create_rest_api(name="payments")["id"]
    root = client.get_resources(restApiId=api)["items"][0]["id"]
    client.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = client.create_deployment(restApiId=api)["id"]
    client.create_stage(restApiId=api, stageName="prod", deploymentId=deployment, tracingEnabled=True)
    out = collect_stubbed(apigateway, "apigateway")
    stage = next(r for r in out.resources if r.kind == "aws.apigateway.stage")
    assert stage.id == f"arn:aws:apigateway:{EAST}::/restapis/{api}/stages/prod"
    assert stage.attrs["tracing_enabled"] is True
    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (stage.id, "stage_of", f"arn:aws:apigateway:{EAST}::/restapis/{api}") in refs
    found = verdicts(out)
    assert status(found, "aws-apigateway-stage-tracing", stage.id) == "PASS"
    assert status(found, "aws-apigateway-stage-waf", stage.id) in ("FAIL", "NOT_ASSESSED")


def test_acm_certificates(aws):
    client = boto3.client("acm", region_name=EAST)
    arn = client.request_certificate(DomainName="pay.example.com", ValidationMethod="DNS")["CertificateArn"]
    out = collect_stubbed(acm, "acm")
    cert, = out.resources
    assert cert.id == arn and cert.attrs["domain_name"] == "pay.example.com"
    assert "acm:ListCertificates" in out.calls and not out.gaps


def test_eks_cluster_attributes_the_kubernetes_linking_reads(aws):
    iam = boto3.client("iam", region_name=EAST)
    role = iam.create_role(RoleName="eks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("eks", region_name=EAST)
    client.create_cluster(name="prod", roleArn=role, version="1.30",
                          resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"], "endpointPublicAccess": True,
                                              "endpointPrivateAccess": False},
                          logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": True}]})
    out = collect_stubbed(eks, "eks")
    cluster, = out.resources
    assert cluster.kind == "aws.eks.cluster" and cluster.id == cluster.attrs["arn"]
    for attr in ("name", "arn", "endpoint", "version", "logging", "vpc_config"):
        assert attr in cluster.attrs, attr
    assert cluster.attrs["name"] == "prod" and cluster.attrs["version"] == "1.30"
    assert cluster.attrs["audit_logging_enabled"] is True
    assert cluster.attrs["vpc_config"]["subnet_ids"] == ["subnet-1", "subnet-2"]
    found = verdicts(out)
    assert status(found, "aws-eks-cluster-audit-logging", cluster.id) == "PASS"
    assert status(found, "aws-eks-cluster-secrets-encrypted", cluster.id) == "FAIL"
