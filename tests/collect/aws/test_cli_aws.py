"""`drscan scan --aws` options through the CLI (in-process moto): regions from drscan.yaml when
no --regions is given, and clear errors for flags that need --aws."""

from __future__ import annotations

import json

import boto3
from typer.testing import CliRunner

from drscan.cli import app


def test_regions_come_from_drscan_yaml_when_not_given(aws, tmp_path):
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="acme-config-regions", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    config = tmp_path / "drscan.yaml"
    config.write_text("aws:\n  regions: [eu-west-1, us-east-1]\n")
    result = CliRunner().invoke(app, ["scan", "--aws", "--aws-services", "s3", "--config", str(config), "--out", str(tmp_path),
                                      "--format", "json", "--fail-on", "none", "-q"])
    assert result.exit_code == 0, result.output
    findings = json.loads((tmp_path / "findings.json").read_text())
    assert findings["scan"]["scope"]["aws"]["regions"] == ["eu-west-1", "us-east-1"]
    assert {f["resource_name"] for f in findings["findings"]} == {"acme-config-regions"}


def test_aws_flags_without_aws_are_usage_errors(tmp_path):
    result = CliRunner().invoke(app, ["scan", "--import", str(tmp_path), "--regions", "us-east-1"])
    assert result.exit_code != 0 and "--regions needs --aws" in str(result.exception or result.output)
