"""EC2 facts the original transforms in drscan.normalize.aws do not derive: which EBS volume is
an instance's root device, the devices a volume is attached as, and how many rules a security
group has. API or AWS Config JSON (field names read case-insensitively); absent stays absent."""

from __future__ import annotations

from typing import Any

from drscan.normalize.lookup import as_list, dig, field


def root_device_facts(instance: dict) -> dict[str, Any]:
    name = field(instance, "RootDeviceName")
    device_type = field(instance, "RootDeviceType")
    mappings = field(instance, "BlockDeviceMappings")
    root = None
    if name is not None and mappings is not None:
        root = next((dig(m, "Ebs.VolumeId") for m in as_list(mappings) if field(m, "DeviceName") == name), None)
    return dict(root_device_name=name, root_device_type=device_type, root_volume_id=root)


def volume_device_facts(volume: dict) -> dict[str, Any]:
    attachments = field(volume, "Attachments")
    return dict(volume_id=field(volume, "VolumeId"),
                attached_devices=None if attachments is None else sorted(
                    str(field(a, "Device")) for a in as_list(attachments) if field(a, "Device")))


def security_group_rule_counts(group: dict) -> dict[str, Any]:
    """Rule counts (a permission with several ranges counts once per range, as the console lists them)."""
    def count(permissions: Any) -> int | None:
        if permissions is None:
            return None
        total = 0
        for permission in as_list(permissions):
            ranges = (as_list(field(permission, "IpRanges")) + as_list(field(permission, "Ipv6Ranges"))
                      + as_list(field(permission, "Ipv4Ranges")) + as_list(field(permission, "UserIdGroupPairs"))
                      + as_list(field(permission, "PrefixListIds")))
            total += max(1, len(ranges))
        return total

    return dict(ingress_rule_count=count(field(group, "IpPermissions")),
                egress_rule_count=count(field(group, "IpPermissionsEgress")))
