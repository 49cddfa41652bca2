"""Azure web tier (ARM bodies) -> normalized attributes: App Service plans (zone redundancy,
instance count), App Service apps (HTTPS only, TLS, FTPS, remote debugging, health check; the
site configuration comes from the app's `config/web` child when Resource Graph leaves it empty)
and Front Door (classic) WAF policy links, added to drscan.normalize.azure.front_door."""

from __future__ import annotations

from drscan.normalize.azure import arm_id
from drscan.normalize.azure_aks import on
from drscan.normalize.azure_data import TLS12
from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field
from drscan.normalize.shape import Shape

SECURE_FTP_STATES = ("ftpsonly", "disabled")


def app_service_plan(row: dict, props: dict) -> Shape:
    if not props:
        return Shape()
    return Shape(attrs=dict(
        sku_tier=dig(row, "sku.tier"),
        worker_count=as_int(dig(row, "sku.capacity")) or as_int(field(props, "numberOfWorkers")),
        zone_redundant=on(props, "zoneRedundant"),
        status=field(props, "status"),
    ))


def site_config_attrs(config: dict) -> dict:
    """Attributes of an app's siteConfig (Resource Graph) or config/web properties (ARM); a value
    Resource Graph leaves null stays unknown."""
    tls = field(config, "minTlsVersion")
    ftps = field(config, "ftpsState")
    debugging = field(config, "remoteDebuggingEnabled")
    attrs: dict = {}
    if tls is not None:
        attrs.update(min_tls_version=str(tls), tls12=str(tls).lower() in TLS12)
    if ftps is not None:
        attrs.update(ftps_state=str(ftps), ftp_secure=str(ftps).lower() in SECURE_FTP_STATES)
    if debugging is not None:
        attrs["remote_debugging"] = as_bool(debugging)
    if field(config, "http20Enabled") is not None:
        attrs["http2"] = as_bool(field(config, "http20Enabled"))
    if field(config, "healthCheckPath") is not None:  # null: unset in ARM, unknown in Resource Graph
        attrs["health_check"] = bool(field(config, "healthCheckPath"))
    if field(config, "alwaysOn") is not None:
        attrs["always_on"] = as_bool(field(config, "alwaysOn"))
    return attrs


def app_service_site(row: dict, props: dict) -> Shape:
    if not props:
        return Shape()
    https = field(props, "httpsOnly")
    shape = Shape(attrs=dict(
        app_kind=field(row, "kind"),
        state=field(props, "state"),
        https_only=as_bool(https) if https is not None else None,
        public_network_access=field(props, "publicNetworkAccess"),
        client_cert_enabled=as_bool(field(props, "clientCertEnabled")),
        # Set from config/web by the live collector; unknown from Resource Graph when null there.
        min_tls_version=None, tls12=None, ftps_state=None, ftp_secure=None, remote_debugging=None, health_check=None,
    ))
    shape.attrs.update(site_config_attrs(field(props, "siteConfig") or {}))
    shape.ref("runs_on", arm_id(field(props, "serverFarmId")))
    return shape


def front_door_waf(row: dict, props: dict) -> Shape:
    """Every frontend endpoint of a classic Front Door linked to a WAF policy."""
    endpoints = [e for e in as_list(field(props, "frontendEndpoints")) if isinstance(e, dict)]
    linked = [bool(dig(e, "properties.webApplicationFirewallPolicyLink.id") or dig(e, "webApplicationFirewallPolicyLink.id"))
              for e in endpoints]
    return Shape(attrs=dict(
        frontend_endpoint_count=len(endpoints) if "frontendEndpoints" in props else None,
        waf_enabled=bool(linked) and all(linked) if "frontendEndpoints" in props else None,
    ))
