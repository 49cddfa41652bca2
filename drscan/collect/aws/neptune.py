"""Amazon Neptune clusters in one region (the RDS API, filtered to engine neptune): encryption,
backup retention, deletion protection, instances in more than one zone, audit log export, IAM
database authentication."""

from __future__ import annotations

from drscan.collect.aws.base import ServiceSpec, TaskContext
from drscan.collect.aws.docdb import collect_engine

KIND = "aws.neptune.cluster"
ENGINE = "neptune"

# Neptune's management API is RDS's: the IAM actions are rds:*.
OPERATIONS = {"neptune:DescribeDBClusters": "rds:DescribeDBClusters"}


def collect(ctx: TaskContext) -> None:
    collect_engine(ctx, "neptune", ENGINE, KIND)


SPEC = ServiceSpec(name="neptune", collect=collect, operations=OPERATIONS, kinds=(KIND,))
