"""GuardDuty in one region: the detector (enabled, finding frequency, protection plans). A
region without a detector is recorded as such (enabled false), since "GuardDuty is off here" is
the finding an auditor wants, not an empty list."""

from __future__ import annotations

from drscan.collect.aws.base import Record, ServiceSpec, TaskContext
from drscan.normalize.aws_governance import guardduty_detector
from drscan.normalize.shape import Shape

KIND = "aws.guardduty.detector"

OPERATIONS = {
    "guardduty:ListDetectors": "guardduty:ListDetectors",
    "guardduty:GetDetector": "guardduty:GetDetector",
}


def detector_record(item: dict, account: str, region: str, detector_id: str) -> Record:
    return Record(kind=KIND, id=f"arn:aws:guardduty:{region}:{account}:detector/{detector_id}",
                  name=f"GuardDuty {region}", shape=guardduty_detector({**item, "Id": detector_id}, {}, account, region),
                  region=region)


def no_detector_record(account: str, region: str) -> Record:
    return Record(kind=KIND, id=f"arn:aws:guardduty:{region}:{account}:detector", name=f"GuardDuty {region} (no detector)",
                  shape=Shape(attrs=dict(enabled=False, detector_id=None)), region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("guardduty")
    detectors = ctx.pages(client, "ListDetectors", "DetectorIds", kinds=(KIND,))
    if detectors is None:
        return
    if not detectors:
        ctx.add(no_detector_record(ctx.account, ctx.region), "guardduty:ListDetectors")
    for detector_id in detectors:
        arn = f"arn:aws:guardduty:{ctx.region}:{ctx.account}:detector/{detector_id}"
        answer = ctx.call(client, "GetDetector", kinds=(KIND,), resource_id=arn, DetectorId=detector_id)
        ctx.add(detector_record(answer or {}, ctx.account, ctx.region, detector_id), "guardduty:GetDetector")


SPEC = ServiceSpec(name="guardduty", collect=collect, operations=OPERATIONS, kinds=(KIND,))
