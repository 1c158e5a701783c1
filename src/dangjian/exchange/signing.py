"""This installation's signing key (Ed25519) and the canonical bytes a signature covers.

The private key lives in a PEM file outside the database (`DANGJIAN_SIGNING_KEY_FILE`),
created with mode 0600 on first use or by `manage.py exchange_signing_key`. Other installations
trust it by its fingerprint: SHA-256 of the raw 32-byte public key, read aloud in groups of 4.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from dangjian.core.exceptions import DomainError


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no spaces, UTF-8 (RFC 8785-like for
    the strings, integers and lists a packet holds; no floats are ever put in one)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_path() -> Path:
    return Path(settings.DANGJIAN_SIGNING_KEY_FILE)


def create_key_file(path: Path | None = None) -> bool:
    """Create the key file (0600) if it does not exist; True when it was created now."""
    path = path or key_path()
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return True


@cache
def _private_key(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    create_key_file(file)
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError(f"签名密钥文件 {file} 不是 Ed25519 私钥。")
    return key


def private_key() -> Ed25519PrivateKey:
    return _private_key(str(key_path()))


def reset_key_cache() -> None:
    """Forget the loaded key (tests that switch key files)."""
    _private_key.cache_clear()


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def own_public_key() -> str:
    """This installation's public key as text to hand to another installation (base64)."""
    return base64.b64encode(public_key_bytes(private_key().public_key())).decode()


def fingerprint_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def own_fingerprint() -> str:
    """SHA-256 of this installation's raw public key, 64 hex digits."""
    return fingerprint_of(public_key_bytes(private_key().public_key()))


def grouped(fingerprint: str) -> str:
    """A fingerprint as people compare it over the phone: groups of four."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def installation_name() -> str:
    return str(settings.DANGJIAN_INSTALLATION_NAME)


def sign(message: bytes) -> bytes:
    return private_key().sign(message)


def parse_public_key(text: str) -> bytes:
    """The raw public key from what an administrator pastes: the base64 key this software
    shows, or a PEM public key. Raises DomainError naming the field."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not Ed25519")
            return public_key_bytes(key)
        raw = base64.b64decode(text, validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise DomainError(
            "公钥格式不正确：请粘贴对方系统“跨系统转接 → 受信任的系统”页面显示的公钥。",
            field="public_key",
        ) from exc
    return raw


def verify(raw_public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(raw_public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
