"""Static files for production (issue 16): `collectstatic` copies, hashes and compresses every
file it finds on every start, so it should find only what the pages load. The npm front-end files
are found one by one (settings.DANGJIAN_VENDOR_STATIC), not as whole `dist` folders (ECharts'
holds 51 MB of builds we never load); source maps and ReDoc are left out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files = {name: Path(src) for name, src in settings.DANGJIAN_VENDOR_STATIC.items()}
        self.storages = {}
        for name, src in self.files.items():
            storage = FileSystemStorage(location=src.parent)
            storage.prefix = str(Path(name).parent)  # type: ignore[attr-defined]
            self.storages[name] = storage

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return [
            Error(f"{src} is missing (npm ci installs it)", id="dangjian.E_VENDOR")
            for src in self.files.values()
            if not src.is_file()
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        src = self.files.get(path)
        found = [str(src)] if src is not None and src.is_file() else []
        if find_all or kwargs.get("all"):
            return found
        return found[0] if found else None

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for name, src in self.files.items():
            if src.is_file():
                yield src.name, self.storages[name]


class StaticFilesConfig(DjangoStaticFilesConfig):
    """django.contrib.staticfiles, collecting neither source maps (megabytes each, for
    debugging minified code, and compressed twice on every start) nor the ReDoc bundle (the API
    docs are Swagger UI)."""

    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "*.map", "redoc"]


def _without_source_maps(patterns: Any) -> tuple[Any, ...]:
    return tuple(
        (glob, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for glob, rules in patterns
    )


class ManifestStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed storage, leaving `sourceMappingURL` comments alone: the
    maps are not collected (above), and the manifest would refuse a reference to a missing file."""

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

    def create_compressor(self, **kwargs: Any) -> Compressor:
        # gzip only: brotli at its best level takes ~15 s of CPU for our 3 MB of scripts on every
        # `make serve` start, to save ~15 % on files every browser then keeps a year.
        return super().create_compressor(**{**kwargs, "use_brotli": False})
