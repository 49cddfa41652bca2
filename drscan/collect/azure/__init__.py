"""Live Azure collector: subscriptions (ARM) and Azure Resource Graph queries -> Inventory."""
