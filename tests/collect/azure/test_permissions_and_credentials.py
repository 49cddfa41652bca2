"""The custom role is generated from the same declarations the collector runs; credentials and
token audiences follow the endpoint (sovereign clouds) or DRSCAN_AZURE_TOKEN."""

from __future__ import annotations

import json
import subprocess
import sys

from azure.identity import AzureAuthorityHosts, DefaultAzureCredential

from drscan.collect.azure import clients
from drscan.collect.azure.clients import StaticTokenCredential, credential_scopes, read_only_policies, resolve_credential
from drscan.collect.azure.permissions import permissions_document
from drscan.collect.azure.queries import GRAPH_QUERIES, SQL_DATABASE_READS, SQL_SERVER_READS, all_kinds


def test_every_query_and_child_read_is_allowed_by_the_role():
    document = permissions_document()
    actions = set(document["Actions"])
    for query in GRAPH_QUERIES:
        assert set(query.permissions) <= actions, query.name
    for read in SQL_DATABASE_READS + SQL_SERVER_READS:
        assert read.permission in actions, read.name
    assert {"Microsoft.Resources/subscriptions/read", "Microsoft.ResourceGraph/resources/read",
            "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/read"} <= actions


def test_role_is_read_only_and_names_the_built_in_alternative():
    document = permissions_document()
    assert all(action.endswith("/read") for action in document["Actions"])
    assert document["NotActions"] == [] and document["DataActions"] == [] and document["NotDataActions"] == []
    assert len(document["Actions"]) == len(set(document["Actions"]))
    assert document["IsCustom"] is True and document["AssignableScopes"]
    assert document["drscan"]["recommendedBuiltInRole"] == "Reader"


def test_cli_prints_the_azure_role():
    result = subprocess.run([sys.executable, "-c", "from drscan.cli import main; main()", "permissions", "azure"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == permissions_document()


def test_every_query_declares_kinds_the_rules_can_use():
    kinds = all_kinds()
    assert "azure.recoveryservices.replicated_item" in kinds and "azure.sql.failover_group" in kinds
    assert not [k for k in kinds if k.count(".") != 2 or not k.startswith("azure.")]


def test_static_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("DRSCAN_AZURE_TOKEN", "air-gapped-token")
    credential = resolve_credential("https://management.usgovcloudapi.net")
    assert isinstance(credential, StaticTokenCredential)
    assert credential.get_token("https://management.usgovcloudapi.net/.default").token == "air-gapped-token"
    assert "air-gapped-token" not in repr(credential)


def test_default_credential_when_no_token(monkeypatch):
    monkeypatch.delenv("DRSCAN_AZURE_TOKEN", raising=False)
    assert isinstance(resolve_credential(None), DefaultAzureCredential)  # built lazily: no network until get_token


def test_sovereign_clouds_get_their_authority_and_audience():
    assert clients.authority_for("https://management.chinacloudapi.cn/") == AzureAuthorityHosts.AZURE_CHINA
    assert clients.authority_for("https://management.usgovcloudapi.net") == AzureAuthorityHosts.AZURE_GOVERNMENT
    assert clients.authority_for(None) is None and clients.authority_for("https://127.0.0.1:8443") is None
    assert credential_scopes("https://management.chinacloudapi.cn/") == ["https://management.chinacloudapi.cn/.default"]
    assert credential_scopes(None) == ["https://management.azure.com/.default"]


def test_pipeline_has_no_provider_auto_registration():
    names = [type(p).__name__ for p in read_only_policies(StaticTokenCredential("t"), None, 0)]
    assert "ARMAutoResourceProviderRegistrationPolicy" not in names
    assert "ARMChallengeAuthenticationPolicy" in names and "CappedRetryPolicy" in names
