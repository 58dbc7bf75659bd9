"""Every tunable of vaultbrowser, in one declarative place (Qt-free).

Persisted user state (connections, window layout) goes through Qt's ``QSettings`` in the UI
layer; these are the defaults and the knobs the services and models read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """HTTP behaviour of every SDK client. An interactive tool gives up sooner than the SDK's
    defaults (10 retries) so that a failure reaches the user while it still matters."""

    retry_total: int = 4
    retry_backoff_factor: float = 0.5
    retry_backoff_max: float = 8.0
    connection_timeout: float = 10.0
    read_timeout: float = 60.0

    def client_options(self) -> dict[str, float | int]:
        return {
            "retry_total": self.retry_total,
            "retry_backoff_factor": self.retry_backoff_factor,
            "retry_backoff_max": self.retry_backoff_max,
            "connection_timeout": self.connection_timeout,
            "read_timeout": self.read_timeout,
        }


@dataclass(frozen=True, slots=True)
class PagingSettings:
    """Small first pages put rows on screen at once; later pages amortise round trips."""

    first_page_keyvault: int = 25
    next_page_keyvault: int = 25  # the service's maximum
    first_page_blobs: int = 100
    next_page_blobs: int = 2_000
    load_all_page_blobs: int = 5_000  # the service's maximum: "Load all" wants round trips few


@dataclass(frozen=True, slots=True)
class Settings:
    network: NetworkSettings = NetworkSettings()
    paging: PagingSettings = PagingSettings()
    clipboard_clear_seconds: int = 30


DEFAULT_SETTINGS = Settings()
