"""`manage.py keygen`: the field-encryption key file, created once (0600 in a 0700 directory),
never over an existing key, with the fingerprint `backup` prints."""

from __future__ import annotations

import base64
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from dangjian.core import crypto
from dangjian.core.backup import key_fingerprints, short


@pytest.fixture
def key_file(settings: Any, tmp_path: Path) -> Path:
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_KEY_FILE = tmp_path / "keys" / "field.key"
    return settings.FIELD_ENCRYPTION_KEY_FILE


def keygen() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("keygen", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_keygen_writes_a_private_key_in_a_private_directory(key_file):
    out, err = keygen()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    assert len(base64.urlsafe_b64decode(key_file.read_bytes())) == 32
    assert "与数据库备份分开备份" in out and err == ""
    assert list(key_file.parent.iterdir()) == [key_file]  # no temporary file left


def test_keygen_prints_the_fingerprint_backup_prints(key_file):
    out, _ = keygen()
    assert f"字段加密密钥指纹：{short(key_fingerprints()['field_key'])}" in out


def test_keygen_refuses_to_overwrite_a_key(key_file):
    keygen()
    before = key_file.read_bytes()
    with pytest.raises(CommandError, match="已经存在，不能覆盖"):
        keygen()
    assert key_file.read_bytes() == before


def test_keygen_refuses_even_an_empty_file(key_file):
    key_file.parent.mkdir()
    key_file.touch()
    with pytest.raises(CommandError, match="不能覆盖"):
        keygen()
    assert key_file.read_bytes() == b""


def test_keygen_refuses_when_the_key_comes_from_the_environment(key_file, settings):
    settings.FIELD_ENCRYPTION_KEY = "k" * 44
    with pytest.raises(CommandError, match="DANGJIAN_FIELD_KEY"):
        keygen()
    assert not key_file.exists()


def test_keygen_warns_about_a_directory_others_can_enter(key_file):
    key_file.parent.mkdir(mode=0o755)
    key_file.parent.chmod(0o755)
    _, err = keygen()
    assert "chmod 700" in err and key_file.stat().st_mode & 0o777 == 0o600


def test_production_without_a_key_names_keygen_then_reads_the_new_key(key_file, settings):
    settings.PRODUCTION = True
    crypto.reset_key_cache()
    try:
        with pytest.raises(ImproperlyConfigured, match=r"manage\.py keygen"):
            crypto.encrypt("x")
        keygen()
        assert crypto.decrypt(crypto.encrypt("110105199001011234")) == "110105199001011234"
    finally:
        crypto.reset_key_cache()


@pytest.mark.parametrize("content", [b"", b"\n  \n"])
def test_an_empty_key_file_is_refused_at_run_time_not_used(key_file, content):
    """A truncated key file must stop encryption, not derive every key from nothing."""
    key_file.parent.mkdir(mode=0o700)
    key_file.write_bytes(content)
    crypto.reset_key_cache()
    try:
        with pytest.raises(ImproperlyConfigured, match="is empty"):
            crypto.encrypt("110101199003074514")
    finally:
        crypto.reset_key_cache()
