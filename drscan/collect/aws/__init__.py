"""Live AWS collection with boto3: one module per service, run as (account, region, service) tasks."""
