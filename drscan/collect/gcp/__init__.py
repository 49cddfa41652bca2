"""Live GCP collection with Cloud Asset Inventory (google-cloud-asset, REST): (scope, asset group) tasks."""
