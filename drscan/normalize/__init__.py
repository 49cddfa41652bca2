"""Pure transforms from a cloud's native resource JSON to drscan's normalized attributes.
Importers (offline exports) and live collectors both call these, so a rule sees the same
attributes whichever way the data arrived."""
