"""Ed25519 signing keys for the evidence pack: `drscan keygen` writes a pair, `drscan pack`
signs with the private key and `drscan verify` checks with the public one."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from drscan.errors import InputError

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"


def public_key_path(private_path: Path) -> Path:
    """drscan-signing.key -> drscan-signing.pub, in the same directory."""
    return Path(private_path).with_suffix(PUBLIC_SUFFIX)


def generate_keypair(private_path: Path) -> tuple[Path, Path]:
    """Write a new Ed25519 key pair: <name>.key (PKCS8 PEM, mode 0600) and <name>.pub
    (SubjectPublicKeyInfo PEM). Never overwrites either file."""
    private_path = Path(private_path)
    if private_path.suffix != PRIVATE_SUFFIX:
        raise InputError(f"{private_path}: a private key file must end in {PRIVATE_SUFFIX}")
    public_path = public_key_path(private_path)
    for path in (private_path, public_path):
        if os.path.lexists(path):
            raise InputError(f"{path} already exists; refusing to overwrite a signing key")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_new_file(private_path, private_pem, 0o600)
    try:
        _write_new_file(public_path, public_pem, 0o644)
    except BaseException:
        private_path.unlink(missing_ok=True)  # never leave half a pair behind
        raise
    return private_path, public_path


def _write_new_file(path: Path, data: bytes, mode: int) -> None:
    # O_EXCL: creation fails rather than following a symlink or replacing a file that
    # appeared after the existence check above.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as exc:
        raise InputError(f"{path} already exists; refusing to overwrite a signing key") from exc
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)  # the umask may have narrowed it; never widens 0600
            handle.write(data)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _read_key_file(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in an unencrypted PEM file; InputError naming the file otherwise."""
    data = _read_key_file(path, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError(f"{path}: not an unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: is a {type(key).__name__}, not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file; InputError naming the file otherwise."""
    data = _read_key_file(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InputError(f"{path}: not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"{path}: is a {type(key).__name__}, not an Ed25519 public key")
    return key


def fingerprint(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The key's id: "SHA256:" + unpadded base64 of the SHA-256 of the raw 32-byte public key.
    OpenSSH's format, but ssh-keygen hashes its own wire encoding, so the values differ."""
    if isinstance(public_key, Ed25519PrivateKey):
        public_key = public_key.public_key()
    if not isinstance(public_key, Ed25519PublicKey):
        raise TypeError(f"expected an Ed25519 key, got {type(public_key).__name__}")
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")
