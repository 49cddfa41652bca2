"""ACM certificates in one region: status, expiry, whether in use, renewal eligibility and key
algorithm (ListCertificates' summaries carry all of them: one call per region)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import acm_certificate

KIND = "aws.acm.certificate"

OPERATIONS = {"acm:ListCertificates": "acm:ListCertificates"}
# Without Includes, ListCertificates returns only RSA_1024/RSA_2048 certificates.
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


def certificate_record(item: dict, account: str, region: str) -> Record:
    return Record(kind=KIND, id=item["CertificateArn"], name=item.get("DomainName") or item["CertificateArn"],
                  shape=acm_certificate(item, {}, account, region), region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("acm")
    for item in ctx.pages(client, "ListCertificates", "CertificateSummaryList", kinds=(KIND,),
                          Includes={"keyTypes": KEY_TYPES}) or []:
        ctx.add(certificate_record(item, ctx.account, ctx.region), "acm:ListCertificates")


DUMPS = (DumpShape(key="CertificateSummaryList", item_field="CertificateArn", to_record=certificate_record),)

SPEC = ServiceSpec(name="acm", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
