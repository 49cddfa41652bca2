"""Offline importers: exports users already have (AWS Config, IAM credential report,
GCP Cloud Asset Inventory, Azure Resource Graph) -> drscan Resources."""
