"""contract-version: what this host speaks (imports nothing but the envelope constants)."""

from __future__ import annotations

from typing import Any

from ._envelope import CONTRACT_VERSION, MIN_PROVIDER_VERSION
from .errors import ContractVersionMismatchError


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = text.strip().split(".")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def contract_version(provider_version: str | None = None) -> dict[str, Any]:
    """api_version and min_supported_provider_version; checks --provider-version if given."""
    if provider_version is not None:
        given = _version_tuple(provider_version)
        minimum = _version_tuple(MIN_PROVIDER_VERSION)
        if given is None or minimum is None or given < minimum:
            raise ContractVersionMismatchError(
                f"Provider version {provider_version!r} is invalid or below the minimum "
                f"{MIN_PROVIDER_VERSION}",
                details={
                    "provider_version": provider_version,
                    "min_supported_provider_version": MIN_PROVIDER_VERSION,
                    "api_version": CONTRACT_VERSION,
                },
            )
    return {"api_version": CONTRACT_VERSION, "min_supported_provider_version": MIN_PROVIDER_VERSION}
