"""Collection: the I/O edge that turns exports (and, later, live APIs) into an Inventory."""
