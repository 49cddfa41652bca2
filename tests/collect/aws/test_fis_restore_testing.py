"""DR tests from AWS: FIS experiments (moto serves ListExperiments/GetExperiment; a failed
experiment, which moto cannot produce, is an API-reference-shaped fixture) and AWS Backup restore
testing (moto lacks it: API-reference-shaped restore jobs through the collector's transforms)."""

from __future__ import annotations

import json

import boto3
from moto.moto_api import state_manager

from drscan.collect.aws import backup, fis
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.drtests.adapters import fis_tests, restore_job_tests
from drscan.graph.build import build_graph
from drscan.config import App
from drscan.model import Inventory, Reference, Resource
from tests.collect.aws.conftest import ACCOUNT, task

INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0a1b2c3d4e5f60718"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/payments-ledger"


def _graph(extra: list[Resource], references=()):
    members = [Resource(kind="aws.ec2.instance", id=INSTANCE, name="payments-api-1", provider="aws", account=ACCOUNT,
                        region="us-east-1", tags={"app": "payments"}),
               Resource(kind="aws.dynamodb.table", id=TABLE, name="payments-ledger", provider="aws", account=ACCOUNT,
                        region="us-east-1", tags={"app": "payments"})]
    return build_graph(Inventory(resources=tuple(members + extra), references=tuple(references)),
                       (App(name="payments", member_tags={"app": "payments"}),))


def test_fis_experiments_become_dr_tests(aws):
    state_manager.set_transition(model_name="fis::experiment", transition={"progression": "immediate"})
    client = boto3.client("fis", region_name="us-east-1")
    template = client.create_experiment_template(
        clientToken="t1", description="AZ power interruption for payments", roleArn=f"arn:aws:iam::{ACCOUNT}:role/fis",
        stopConditions=[{"source": "aws:cloudwatch:alarm", "value": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:payments-5xx"}],
        targets={"instances": {"resourceType": "aws:ec2:instance", "resourceArns": [INSTANCE], "selectionMode": "ALL"}},
        actions={"stop": {"actionId": "aws:ec2:stop-instances", "targets": {"Instances": "instances"},
                          "parameters": {"startInstancesAfterDuration": "PT5M"}}},
        tags={"drscan:disruption": "zone"})["experimentTemplate"]
    done = client.start_experiment(clientToken="run-1", experimentTemplateId=template["id"], tags={"app": "payments"})
    spec_task = task("fis")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    try:
        fis.collect(ctx)
    finally:
        state_manager.unset_transition("fis::experiment")
    assert not ctx.out.gaps and ctx.out.calls["fis:GetExperiment"] == 1
    found = {r.name: r for r in ctx.out.resources}
    completed = found[done["experiment"]["id"]]
    assert completed.kind == "aws.fis.experiment" and completed.attrs["status"] == "completed"
    assert completed.attrs["action_ids"] == ["aws:ec2:stop-instances"] and completed.attrs["target_arns"] == [INSTANCE]
    assert completed.attrs["ended_at"] and completed.tags == {"app": "payments"}
    graph = _graph(list(ctx.out.resources))
    (test,) = fis_tests(completed, graph, {"payments"})
    assert (test.app, test.disruption, test.kind, test.outcome) == ("payments", "zone", "chaos", "pass")
    stopped = Resource(kind=completed.kind, id=completed.id + "-2", name="stopped", provider="aws", account=ACCOUNT,
                       region="us-east-1", attrs={**completed.attrs, "status": "stopped", "reason": "Experiment stopped"})
    (manual,) = fis_tests(stopped, graph, {"payments"})  # stopped by hand, attributed through its target ARN
    assert manual.outcome == "inconclusive" and manual.app == "payments"


def test_failed_experiment_from_the_api_reference_shape():
    item = {"id": "EXP7x9Yq2Lm4Np6R", "arn": f"arn:aws:fis:us-east-1:{ACCOUNT}:experiment/EXP7x9Yq2Lm4Np6R",
            "experimentTemplateId": "EXT1a2B3c4D5e6F7", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/fis",
            "state": {"status": "stopped", "reason": "Experiment stopped by stop condition aws:cloudwatch:alarm"},
            "targets": {"Clusters": {"resourceType": "aws:rds:cluster", "resourceTags": {"app": "payments"},
                                     "selectionMode": "ALL"}},
            "actions": {"failover": {"actionId": "aws:rds:failover-db-cluster", "targets": {"Clusters": "Clusters"},
                                     "state": {"status": "stopped", "reason": "stopped"},
                                     "startTime": "2026-11-05T10:00:00Z", "endTime": "2026-11-05T10:02:00Z"}},
            "stopConditions": [{"source": "aws:cloudwatch:alarm", "value": "arn:aws:cloudwatch:us-east-1:1:alarm:x"}],
            "creationTime": "2026-11-05T09:59:58Z", "startTime": "2026-11-05T10:00:00Z", "endTime": "2026-11-05T10:02:05Z",
            "tags": {}}
    record = fis.experiment_record(item, ACCOUNT, "us-east-1")
    resource = Resource(kind=record.kind, id=record.id, name=record.name, provider="aws", account=ACCOUNT, region="us-east-1",
                        attrs=dict(record.shape.attrs), tags=dict(record.tags))
    (test,) = fis_tests(resource, _graph([resource]), {"payments"})  # app from the target's resourceTags
    assert (test.outcome, test.disruption, test.date.isoformat()) == ("fail", "zone", "2026-11-05T10:02:05+00:00")


RESTORE_TEST_JOBS = json.loads("""{"RestoreJobs": [
 {"AccountId": "123456789012", "RestoreJobId": "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
  "RecoveryPointArn": "arn:aws:backup:us-east-1:123456789012:recovery-point:5bbbe0e6-d387-484c-a199-0ac46458d936",
  "SourceResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/payments-ledger",
  "CreationDate": "2026-11-16T03:10:00Z", "CompletionDate": "2026-11-16T03:52:00Z", "Status": "COMPLETED",
  "PercentDone": "100.00%", "BackupSizeInBytes": 21474836480, "ResourceType": "DynamoDB",
  "RecoveryPointCreationDate": "2026-11-15T05:00:00Z",
  "CreatedResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/payments-ledger-restore-test",
  "CreatedBy": {"RestoreTestingPlanArn": "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:payments_weekly_restore_test-a1b2c3"},
  "ValidationStatus": "SUCCESSFUL", "ValidationStatusMessage": "ledger row counts match", "DeletionStatus": "SUCCESSFUL"},
 {"AccountId": "123456789012", "RestoreJobId": "7a1d2e3f-4b5c-4d6e-9f0a-1b2c3d4e5f60",
  "RecoveryPointArn": "arn:aws:backup:us-east-1:123456789012:recovery-point:5bbbe0e6-d387-484c-a199-0ac46458d936",
  "SourceResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/payments-ledger",
  "CreationDate": "2026-11-09T03:10:00Z", "CompletionDate": "2026-11-09T03:50:00Z", "Status": "COMPLETED",
  "ResourceType": "DynamoDB", "RecoveryPointCreationDate": "2026-11-08T05:00:00Z",
  "CreatedBy": {"RestoreTestingPlanArn": "arn:aws:backup:us-east-1:123456789012:restore-testing-plan:payments_weekly_restore_test-a1b2c3"},
  "ValidationStatus": "FAILED", "ValidationStatusMessage": "ledger checksum mismatch"}]}""")


def test_restore_testing_jobs_become_restore_tests_with_measured_times():
    resources, references = [], []
    for item in RESTORE_TEST_JOBS["RestoreJobs"]:
        record = backup.restore_job_record(item, ACCOUNT, "us-east-1")
        resources.append(Resource(kind=record.kind, id=record.id, name=record.name, provider="aws", account=ACCOUNT,
                                  region="us-east-1", attrs=dict(record.shape.attrs)))
        references.extend(Reference(record.id, target, relation) for relation, target in record.shape.refs)
    graph = _graph(resources, references)
    passed, failed = (restore_job_tests(r, graph, {"payments"})[0] for r in resources)
    assert (passed.kind, passed.disruption, passed.outcome) == ("restore", "data_corruption", "pass")
    assert passed.measured_rto_seconds == 42 * 60  # completion - creation, validation succeeded
    assert passed.measured_rpo_seconds == 22 * 3600 + 10 * 60  # creation - recovery point creation
    assert "restore testing plan payments_weekly_restore_test" in passed.detail
    assert failed.outcome == "fail" and failed.measured_rto_seconds is None and "checksum mismatch" in failed.detail
    plan = backup.restore_testing_plan_record(json.loads(
        (__import__("pathlib").Path(__file__).resolve().parents[2] / "fixtures/aws_api/backup/list_restore_testing_plans.json")
        .read_text())["RestoreTestingPlans"][0], ACCOUNT, "us-east-1")
    assert plan.kind == "aws.backup.restore_testing_plan" and plan.shape.attrs["schedule"] == "cron(0 3 ? * SUN *)"
    assert any(r == ("created_by", plan.id) for r in references and [(x.type, x.target) for x in references])
