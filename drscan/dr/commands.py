"""The concrete recovery command for each runbook action, per resource kind and cloud (AWS CLI,
gcloud, az). Placeholders in <angle brackets> are what the inventory cannot know."""

from __future__ import annotations

import re

from drscan.dr.kubernetes import velero_restore_command, workload_command
from drscan.model import Resource

_AZ_RG = re.compile(r"/resourcegroups/([^/]+)", re.IGNORECASE)
_AZ_SERVER = re.compile(r"/servers/([^/]+)", re.IGNORECASE)
_AZ_VAULT = re.compile(r"/vaults/([^/]+)", re.IGNORECASE)
_GCP_PROJECT = re.compile(r"projects/([^/]+)")


def short(resource_id: str) -> str:
    """Last segment of an ARN / resource name: 'arn:aws:rds:...:db:payments-db' -> 'payments-db'."""
    text = str(resource_id).rstrip("/")
    for sep in ("/", ":"):
        text = text.rsplit(sep, 1)[-1] if sep in text else text
    return text


def azure_rg(resource_id: str) -> str:
    match = _AZ_RG.search(resource_id)
    return match.group(1) if match else "<resource-group>"


def azure_server(resource_id: str) -> str:
    match = _AZ_SERVER.search(resource_id)
    return match.group(1) if match else "<server>"


def azure_vault(resource_id: str) -> str:
    match = _AZ_VAULT.search(resource_id)
    return match.group(1) if match else "<vault>"


def gcp_project(resource: Resource) -> str:
    match = _GCP_PROJECT.search(resource.id)
    return match.group(1) if match else resource.account or "<project>"


def data_command(action: str, store: Resource, target: Resource | None, target_id: str | None, region: str) -> str:
    """The command for recovering data store `store` with mechanism action `action`."""
    name = short(store.id)
    target_name = short(target.id) if target else short(target_id) if target_id else "<replica>"
    target_region = target.region if target else region
    project = gcp_project(store) if store.provider == "gcp" else ""
    commands = {
        "verify_automatic_failover": {
            "aws.rds.db_instance": f"aws rds describe-db-instances --db-instance-identifier {name} --region {store.region} "
                                   "--query 'DBInstances[0].[DBInstanceStatus,AvailabilityZone]'  # failover is automatic; confirm",
            "aws.rds.db_cluster": f"aws rds describe-db-clusters --db-cluster-identifier {name} --region {store.region}  # confirm the new writer",
            "gcp.sql.instance": f"gcloud sql instances describe {name} --project {project} --format='value(state,gceZone)'  # automatic failover; confirm",
            "azure.sql.database": f"az sql db show --name {name} --server {azure_server(store.id)} --resource-group {azure_rg(store.id)} --query status",
        }.get(store.kind, "No action: the service keeps serving from its other zones (confirm its health)"),
        "rds_promote_replica": f"aws rds promote-read-replica --db-instance-identifier {target_name} --region {target_region}",
        "aurora_failover_global": f"aws rds failover-global-cluster --global-cluster-identifier <global-cluster-id> "
                                  f"--target-db-cluster-identifier {target.id if target else '<replica-cluster-arn>'} --allow-data-loss",
        "rds_pitr": f"aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier {name} "
                    f"--target-db-instance-identifier {name}-restored --restore-time <UTC time before the incident> --region {store.region}",
        "rds_pitr_replicated": f"aws rds restore-db-instance-to-point-in-time --source-db-instance-automated-backups-arn "
                               f"<replicated automated backup ARN of {name}> --target-db-instance-identifier {name} "
                               f"--use-latest-restorable-time --region {region}",
        "rds_cluster_pitr": f"aws rds restore-db-cluster-to-point-in-time --source-db-cluster-identifier {name} "
                            f"--db-cluster-identifier {name}-restored --restore-to-time <UTC time before the incident> --region {store.region}",
        "aws_backup_restore": f"aws backup start-restore-job --recovery-point-arn {target_id or '<latest recovery point ARN>'} "
                              f"--iam-role-arn arn:aws:iam::<account>:role/<backup-restore-role> "
                              f"--metadata file://{name}-restore-metadata.json --region {region}",
        "restore_snapshot": _snapshot_command(store, target_id, region),
        "dynamodb_global_table": f"aws dynamodb describe-table --table-name {name} --region {target_region} --query Table.TableStatus"
                                 "  # the replica accepts writes: point the app at this region",
        "dynamodb_pitr": f"aws dynamodb restore-table-to-point-in-time --source-table-name {name} --target-table-name {name}-restored "
                         f"--restore-date-time <UTC time before the incident> --region {store.region}",
        "s3_use_replica": f"aws s3api head-bucket --bucket {target_name}  # then point clients at bucket {target_name} ({target_region})",
        "s3_restore_versions": f"aws s3api list-object-versions --bucket {name} --prefix <prefix>  # then copy the last good "
                               f"version back: aws s3api copy-object --bucket {name} --key <key> --copy-source {name}/<key>?versionId=<id>",
        "efs_failover": f"aws efs delete-replication-configuration --source-file-system-id {name} --region {target_region}"
                        "  # the destination file system becomes writable",
        "cloudsql_promote_replica": f"gcloud sql instances promote-replica {target_name} --project {project}",
        "cloudsql_pitr": f"gcloud sql instances clone {name} {name}-restored --point-in-time '<UTC time before the incident>' --project {project}",
        "cloudsql_restore_backup": f"gcloud sql backups list --instance {name} --project {project} && gcloud sql backups restore "
                                   f"<BACKUP_ID> --restore-instance=<target-instance> --backup-instance={name} --project {project}",
        "gcp_force_attach": f"gcloud compute instances attach-disk <instance> --disk {name} --disk-scope regional --force-attach "
                            "--zone <surviving zone>",
        "gcs_multi_region": f"gcloud storage buckets describe gs://{name}  # no action: the bucket serves from its other region",
        "gcs_restore_versions": f"gcloud storage ls --all-versions gs://{name}/<prefix>  # then: gcloud storage cp "
                                f"gs://{name}/<object>#<generation> gs://{name}/<object>",
        "azure_sql_geo_failover": f"az sql db replica set-primary --name {name} --resource-group "
                                  f"{azure_rg(target.id) if target else '<secondary-rg>'} --server "
                                  f"{azure_server(target.id) if target else '<secondary-server>'}  # or, in a failover group: "
                                  "az sql failover-group set-primary --name <failover-group> --resource-group <rg> --server <secondary-server>",
        "azure_sql_pitr": f"az sql db restore --resource-group {azure_rg(store.id)} --server {azure_server(store.id)} --name {name} "
                          f"--dest-name {name}-restored --time '<UTC time before the incident>'",
        "azure_sql_geo_restore": f"az sql db geo-backup restore --dest-database {name} --dest-server <server in the recovery region> "
                                 f"--resource-group <rg> --geo-backup-id <geo backup id of {name}>",
        "azure_storage_failover": f"az storage account failover --name {name} --resource-group {azure_rg(store.id)}",
        "azure_backup_restore": _azure_backup(store, target_id, secondary=False),
        "azure_backup_restore_secondary": _azure_backup(store, target_id, secondary=True),
        "velero_restore": velero_restore_command(store, target, region),
    }
    commands["database_backup_restore"] = (  # drscan.dr.database_backups: the rehearsed restore of a database backup
        f"Restore {name} from backup source {target_id or '<backup source>'} (pgbackrest restore / pg_restore / "
        f"mysql < dump / the Veeam or Bacula restore job), as rehearsed by `drscan drill restore`")
    return commands.get(action, f"Recover {name} (no command known for action {action!r})")


def _snapshot_command(store: Resource, target_id: str | None, region: str) -> str:
    snapshot = short(target_id) if target_id else "<latest snapshot>"
    name = short(store.id)
    if store.kind == "aws.rds.db_instance":
        return (f"aws rds restore-db-instance-from-db-snapshot --db-instance-identifier {name}-restored "
                f"--db-snapshot-identifier {target_id or '<snapshot>'} --region {region}")
    if store.provider == "gcp":
        return f"gcloud compute disks create {name}-restored --source-snapshot {snapshot} --zone <zone in {region}>"
    if store.provider == "azure":
        return (f"az disk create --resource-group {azure_rg(store.id)} --name {name}-restored "
                f"--source {target_id or '<snapshot id>'}")
    return f"aws ec2 create-volume --snapshot-id {snapshot} --availability-zone <zone in {region}> --region {region}"


def _azure_backup(store: Resource, item_id: str | None, secondary: bool) -> str:
    vm = short(str(item_id).split(";")[-1]) if item_id else "<vm name>"
    vault = azure_vault(item_id or "")
    rg = azure_rg(item_id or store.id)
    return (f"az backup restore restore-disks --resource-group {rg} --vault-name {vault} --container-name {vm} "
            f"--item-name {vm} --rp-name <recovery point> --storage-account <staging storage account> "
            f"--target-resource-group <target rg>" + (" --use-secondary-region" if secondary else ""))


def compute_command(resource: Resource, mode: str, capacity: float, region: str) -> str:
    """mode: scale_out | launch | provision | replace | verify."""
    name = short(resource.id)
    size = max(1, int(round(capacity)))
    if resource.kind.startswith("k8s."):
        return workload_command(resource, mode, capacity, region)
    if mode == "verify" and resource.kind != "aws.lambda.function":
        return f"Confirm {resource.name} is healthy and taking traffic in {resource.region} (target health, instance status)"
    if mode == "provision":
        return f"Deploy the compute stack of this tier in {region} from infrastructure as code (e.g. terraform apply -var region={region})"
    if resource.kind == "aws.autoscaling.group":
        return (f"aws autoscaling update-auto-scaling-group --auto-scaling-group-name {resource.name} --min-size {size} "
                f"--desired-capacity {size} --region {resource.region}")
    if resource.kind == "aws.ec2.instance":
        if mode == "launch":
            return f"aws ec2 start-instances --instance-ids {name} --region {resource.region}  # then launch the rest from its launch template"
        if mode == "replace":
            return (f"aws ec2 run-instances --launch-template LaunchTemplateName=<template of {resource.tags.get('Name', name)}> "
                    f"--placement AvailabilityZone=<surviving zone> --region {resource.region}")
        return (f"aws ec2 run-instances --launch-template LaunchTemplateName=<template of {resource.tags.get('Name', name)}> "
                f"--count {size} --region {resource.region}")
    if resource.kind == "aws.lambda.function":
        return f"aws lambda get-function --function-name {name} --region {resource.region}  # deployed: nothing to start"
    if resource.kind == "gcp.compute.instance_group_manager":
        return f"gcloud compute instance-groups managed resize {name} --size {size} --region {resource.region}"
    if resource.kind == "gcp.compute.instance":
        return f"gcloud compute instances start {name} --zone {resource.zones[0] if resource.zones else '<zone>'} --project {gcp_project(resource)}"
    if resource.kind == "azure.compute.virtual_machine":
        return f"az vm start --name {name} --resource-group {azure_rg(resource.id)}"
    if resource.kind == "azure.compute.vm_scale_set":
        return f"az vmss scale --name {name} --resource-group {azure_rg(resource.id)} --new-capacity {size}"
    return f"Bring {name} ({resource.kind}) up in {region}"


def traffic_command(entry: Resource, automatic: bool, target_hint: str) -> str:
    if entry.kind == "azure.network.traffic_manager_profile":
        verb = "Traffic Manager fails over on its own; to force it: " if automatic else ""
        return (f"{verb}az network traffic-manager endpoint update --resource-group {azure_rg(entry.id)} --profile-name {entry.name} "
                "--name <primary endpoint> --type externalEndpoints --endpoint-status Disabled")
    if entry.kind == "aws.route53.record":
        zone = entry.attrs.get("zone_id") or "<hosted zone id>"
        record = entry.attrs.get("name") or entry.name
        if automatic:
            check = entry.attrs.get("health_check_id") or "<health check id>"
            return (f"aws route53 get-health-check-status --health-check-id {check}  # Route 53 fails {record} over on its own; "
                    "confirm the SECONDARY answers")
        return (f"aws route53 change-resource-record-sets --hosted-zone-id {zone} --change-batch file://failover-{short(record)}.json"
                f"  # UPSERT {record} -> {target_hint}; lower the TTL to 60 s first")
    dns = entry.attrs.get("dns_name") or entry.name
    return f"Update the DNS record that points at {dns} to {target_hint} (Route 53 / Cloud DNS / Azure DNS), TTL 60 s"
