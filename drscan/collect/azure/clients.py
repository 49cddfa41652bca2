"""Credentials and read-only SDK clients for Azure Resource Manager and Resource Graph.

The SDKs' default pipelines include ARMAutoResourceProviderRegistrationPolicy, which answers
a 409 MissingSubscriptionRegistration by POSTing a provider registration: a write. drscan
builds its own pipeline without it, so the collector only ever reads."""

from __future__ import annotations

import os
import time
from typing import Any

from azure.core.credentials import AccessToken
from azure.core.pipeline import policies
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

PUBLIC_ENDPOINT = "https://management.azure.com"
TOKEN_ENV = "DRSCAN_AZURE_TOKEN"
USER_AGENT = "drscan"
RETRY_AFTER_CAP_S = 60.0  # never sleep longer than this on one Retry-After header
CONNECTION_TIMEOUT_S = 10
READ_TIMEOUT_S = 120


def arm_endpoint(endpoint: str | None) -> str:
    return (endpoint or PUBLIC_ENDPOINT).rstrip("/")


def authority_for(endpoint: str | None) -> str | None:
    """The Entra ID authority host of a known sovereign cloud, None for public/unknown endpoints."""
    from azure.identity import AzureAuthorityHosts

    return {
        "https://management.chinacloudapi.cn": AzureAuthorityHosts.AZURE_CHINA,
        "https://management.usgovcloudapi.net": AzureAuthorityHosts.AZURE_GOVERNMENT,
    }.get(arm_endpoint(endpoint).lower())


def credential_scopes(endpoint: str | None) -> list[str]:
    """The token audience follows the ARM endpoint: https://management.chinacloudapi.cn/.default, ..."""
    return [f"{arm_endpoint(endpoint)}/.default"]


class StaticTokenCredential:
    """A TokenCredential that returns one bearer token obtained elsewhere (air-gapped runners)."""

    def __init__(self, token: str, lifetime_s: int = 3600) -> None:
        self._token = token
        self._lifetime_s = lifetime_s

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + self._lifetime_s)

    def __repr__(self) -> str:  # never show the token
        return "StaticTokenCredential(<redacted>)"


def resolve_credential(endpoint: str | None) -> Any:
    """DRSCAN_AZURE_TOKEN if set (a static bearer token), else DefaultAzureCredential with the
    authority of the sovereign cloud that `endpoint` names."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return StaticTokenCredential(token)
    from azure.identity import DefaultAzureCredential

    authority = authority_for(endpoint)
    return DefaultAzureCredential(authority=authority) if authority else DefaultAzureCredential()


class CappedRetryPolicy(policies.RetryPolicy):
    """azure-core's retry (exponential backoff; honours Retry-After on 429/503), with the
    server-requested wait capped so one header cannot stall a scan."""

    def get_retry_after(self, response):  # type: ignore[override]
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, RETRY_AFTER_CAP_S)


def read_only_policies(credential: Any, endpoint: str | None, retry_total: int) -> list:
    """The mgmt SDKs' default pipeline minus provider auto-registration."""
    return [
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.UserAgentPolicy(user_agent=USER_AGENT),
        policies.ProxyPolicy(),
        policies.ContentDecodePolicy(),
        policies.RedirectPolicy(),
        CappedRetryPolicy(retry_total=retry_total, retry_backoff_factor=0.8, retry_backoff_max=30),
        ARMChallengeAuthenticationPolicy(credential, *credential_scopes(endpoint)),
        policies.CustomHookPolicy(),
        policies.NetworkTraceLoggingPolicy(),
        policies.DistributedTracingPolicy(),
        policies.SensitiveHeaderCleanupPolicy(),
        ARMHttpLoggingPolicy(),
    ]


def _transport_options() -> dict:
    # TLS trust: requests' default (certifi) or REQUESTS_CA_BUNDLE, which requests reads itself.
    return {"connection_timeout": CONNECTION_TIMEOUT_S, "read_timeout": READ_TIMEOUT_S}


def graph_client(credential: Any, endpoint: str | None, retry_total: int):
    from azure.mgmt.resourcegraph import ResourceGraphClient

    return ResourceGraphClient(credential, base_url=arm_endpoint(endpoint), credential_scopes=credential_scopes(endpoint),
                               policies=read_only_policies(credential, endpoint, retry_total), **_transport_options())


def subscription_client(credential: Any, endpoint: str | None, retry_total: int):
    # azure-mgmt-resource 26 moved SubscriptionClient into the azure-mgmt-resource-subscriptions
    # distribution; the import path stayed azure.mgmt.resource.subscriptions.
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    return SubscriptionClient(credential, base_url=arm_endpoint(endpoint), credential_scopes=credential_scopes(endpoint),
                              policies=read_only_policies(credential, endpoint, retry_total), **_transport_options())


def arm_client(credential: Any, endpoint: str | None, retry_total: int) -> ARMPipelineClient:
    """A bare ARM pipeline for GETs of child resources no typed client here covers (SQL details)."""
    return ARMPipelineClient(base_url=arm_endpoint(endpoint), policies=read_only_policies(credential, endpoint, retry_total),
                             **_transport_options())
