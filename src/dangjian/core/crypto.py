"""Encryption at rest for personal data (ID numbers), with the key kept outside the database.

One master secret (env DANGJIAN_FIELD_KEY or the key file) is stretched with HKDF into two keys:
one for Fernet (AES-128-CBC + HMAC-SHA256) and one for the keyed hash used for exact look-up and
uniqueness, so the database never holds a value that can be reversed without the key file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _read_or_create_master() -> bytes:
    if settings.FIELD_ENCRYPTION_KEY:
        return settings.FIELD_ENCRYPTION_KEY.encode()
    path = settings.FIELD_ENCRYPTION_KEY_FILE
    if path.exists():
        return _read_key_file(path)
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            f"no field encryption key: set DANGJIAN_FIELD_KEY or create {path} once with "
            "`manage.py keygen` (`dangjian keygen`), and back it up apart from the database"
        )
    try:
        return create_key_file(path)
    except FileExistsError:  # another process (a parallel test worker) created it first
        return _read_key_file(path)


def _read_key_file(path: Path) -> bytes:
    # An empty file (a truncated copy, a failed restore of the key) would derive keys from b""
    # and write records nobody can read with the real key later: refuse it.
    master = path.read_bytes().strip()
    if not master:
        raise ImproperlyConfigured(
            f"the field encryption key file {path} is empty: restore it from its backup "
            "(each backup's manifest names the fingerprint of the key it needs)"
        )
    return master


def create_key_file(path: Path) -> bytes:
    """A new master secret (32 random bytes, URL-safe base64) written to `path` with mode 0600,
    its directory created with mode 0700 when missing; returns the secret.

    Never overwrites: FileExistsError when `path` exists, even empty (the old key, or a file
    someone meant as one: losing the key loses every encrypted ID number). The secret is written
    to a temporary file and hard-linked into place, so no reader ever sees a half-written key and
    two processes creating it at once end with one key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(os.urandom(32))
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return key


@cache
def _keys() -> tuple[Fernet, bytes]:
    master = _read_or_create_master()
    fernet = Fernet(base64.urlsafe_b64encode(_derive(master, b"dangjian field encryption")))
    return fernet, _derive(master, b"dangjian lookup hash")


def reset_key_cache() -> None:
    """Forget the loaded keys (tests that switch keys)."""
    _keys.cache_clear()
    _seal_key.cache_clear()
    _envelope_key.cache_clear()
    _document_key.cache_clear()


def encrypt(plaintext: str) -> str:
    return _keys()[0].encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys()[0].decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "encrypted field cannot be read with the configured key (wrong or rotated key file?)"
        ) from exc


def lookup_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256) for exact search and uniqueness without storing the value."""
    return hmac.new(_keys()[1], value.encode(), hashlib.sha256).hexdigest()


def encrypt_bytes(data: bytes) -> bytes:
    """Files kept for later (an import's roster, an export) hold full ID numbers: encrypt them."""
    return _keys()[0].encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _keys()[0].decrypt(bytes(token))
    except InvalidToken as exc:
        raise ImproperlyConfigured("encrypted file cannot be read with the configured key") from exc


@cache
def _seal_key() -> bytes:
    return _derive(_read_or_create_master(), b"dangjian record seal")


def seal(message: str) -> str:
    """A keyed hash (HMAC-SHA256) that shows a stored record was not altered: whoever can write
    the database but not read the key file cannot make a changed record's seal match."""
    return hmac.new(_seal_key(), message.encode(), hashlib.sha256).hexdigest()


# ---- sealed envelopes (secret ballots while a poll is open) -----------------------------------

ENVELOPE_SIZE = 1024  # plaintext is padded to a multiple of this, so lengths tell nothing


@cache
def _envelope_key() -> bytes:
    return _derive(_read_or_create_master(), b"dangjian ballot envelopes")


def _poll_cipher(poll_id: int) -> AESGCM:
    """AES-256-GCM under a key of its own per poll, derived from the master secret."""
    return AESGCM(_derive(_envelope_key(), b"poll %d" % poll_id))


def seal_envelope(poll_id: int, content: str) -> bytes:
    """Encrypt a ballot's content for `poll_id`: random nonce, no timestamp (unlike Fernet), the
    poll as associated data (an envelope moved to another poll does not open), padded with
    spaces to a multiple of ENVELOPE_SIZE so every ballot of a poll has the same length."""
    data = content.encode()
    padded = data.ljust(-(-max(len(data), 1) // ENVELOPE_SIZE) * ENVELOPE_SIZE, b" ")
    nonce = os.urandom(12)
    return nonce + _poll_cipher(poll_id).encrypt(nonce, padded, b"poll %d" % poll_id)


def open_envelope(poll_id: int, sealed: bytes | memoryview) -> str:
    """The content `seal_envelope` encrypted, padding removed (JSON ignores trailing spaces, but
    the caller gets exactly what was sealed)."""
    sealed = bytes(sealed)
    try:
        data = _poll_cipher(poll_id).decrypt(sealed[:12], sealed[12:], b"poll %d" % poll_id)
    except InvalidTag as exc:
        raise ImproperlyConfigured(
            "a sealed ballot cannot be opened with the configured key (wrong or rotated key "
            "file, or an envelope altered or moved from another poll)"
        ) from exc
    return data.decode().rstrip(" ")


# ---- documents (scanned files attached to records) --------------------------------------------


@cache
def _document_key() -> bytes:
    return _derive(_read_or_create_master(), b"dangjian documents")


def seal_document(name: str, data: bytes) -> bytes:
    """Encrypt a stored document with AES-256-GCM: random nonce, the storage name as associated
    data (a file copied over another document's name does not open), no base64 (files are large).
    """
    nonce = os.urandom(12)
    return nonce + AESGCM(_document_key()).encrypt(nonce, data, name.encode())


def open_document(name: str, sealed: bytes) -> bytes:
    try:
        return AESGCM(_document_key()).decrypt(sealed[:12], sealed[12:], name.encode())
    except InvalidTag as exc:
        raise ImproperlyConfigured(
            "a stored document cannot be opened with the configured key (wrong or rotated key "
            "file, or the file was altered or moved from another document)"
        ) from exc
