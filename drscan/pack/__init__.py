"""The signed evidence pack: after a scan is stored, `drscan pack` zips its evidence with a
manifest (SHA-256 and size per file) signed with Ed25519, and `drscan verify` checks it.

keys.py makes and loads the signing keys, archive.py writes the pack, verify.py checks one."""
