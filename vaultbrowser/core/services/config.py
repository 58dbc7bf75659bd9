"""Every tunable of vaultbrowser, in one declarative place (Qt-free).

Persisted user state (connections, window layout) goes through Qt's ``QSettings`` in the UI
layer; these are the defaults and the knobs the services and models read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NetworkSettings:
    """HTTP behaviour of every SDK client. An interactive tool gives up sooner than the SDK's
    defaults (10 retries, storage backoffs of 15 s and more, a minute per silent read) so that
    a failure reaches the user while it still matters.

    - Key Vault (azure-core's RetryPolicy) retries 408/429/500/502/503/504 and connection or
      read errors, waiting ``retry_backoff_factor * 2**n`` (at most ``retry_backoff_max``) or
      the service's Retry-After; at most ``retry_total`` retries, of which at most
      ``retry_status`` for statuses and ``retry_read`` for broken or silent answers.
    - Blob Storage (its own ExponentialRetry) waits ``storage_initial_backoff``, then
      ``storage_initial_backoff + storage_increment_base**n``, each ± ``storage_jitter``.
    - ``read_timeout`` is the longest silence while an answer is awaited or read (a page that
      never finishes fails after it); ``connection_timeout`` bounds connecting.

    A stalled answer therefore fails after at most ``(retry_read + 1) * read_timeout`` plus
    the backoffs. Every option is accepted by both kinds of client (each ignores the other's).
    """

    retry_total: int = 4
    retry_status: int = 3
    retry_read: int = 1
    retry_backoff_factor: float = 0.5
    retry_backoff_max: float = 8.0
    storage_initial_backoff: float = 2.0
    storage_increment_base: float = 2.0
    storage_jitter: float = 1.0
    connection_timeout: float = 10.0
    read_timeout: float = 30.0

    def client_options(self) -> dict[str, float | int]:
        return {
            "retry_total": self.retry_total,
            "retry_status": self.retry_status,
            "retry_read": self.retry_read,
            "retry_backoff_factor": self.retry_backoff_factor,
            "retry_backoff_max": self.retry_backoff_max,
            "initial_backoff": self.storage_initial_backoff,
            "increment_base": self.storage_increment_base,
            "random_jitter_range": self.storage_jitter,
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
class LimitSettings:
    """What one response may cost, whatever the server (or a proxy on the way) sends. Going
    past one is a ``LimitExceeded`` error naming the setting; the node shows it with Retry.

    - ``response_deadline``: seconds from sending a request to the last byte of its answer (a
      body that trickles in beats ``read_timeout``, which bounds silences only). A request that
      uploads a body gets one second more per ``min_upload_rate`` bytes of it (8 MiB blocks go
      four at a time: a slow uplink must not fail them).
    - ``max_body_bytes``: one response body, as received and again once decompressed (a gzip
      bomb is stopped at this size). Blob downloads ask for 8 MiB ranges, whole-blob GETs for
      up to 32 MiB.
    - ``max_page_bytes``: the same for one listing page (a 5,000-blob page is ~3 MB; Key Vault
      pages of 25 items a few KB).
    - ``max_page_items``: items in one listing page (the services' maxima are 25 and 5,000).
    - ``max_empty_pages``: listing pages in a row on which the service sent no item but still
      a continuation. A continuation token that comes back a second time is always an error.
    """

    response_deadline: float = 120.0
    min_upload_rate: int = 16 * 1024
    max_body_bytes: int = 64 * 1024 * 1024
    max_page_bytes: int = 32 * 1024 * 1024
    max_page_items: int = 10_000
    max_empty_pages: int = 50


@dataclass(frozen=True, slots=True)
class Settings:
    network: NetworkSettings = NetworkSettings()
    paging: PagingSettings = PagingSettings()
    limits: LimitSettings = LimitSettings()
    clipboard_clear_seconds: int = 30
    # Blob preview: the first bytes read of a selected blob; "Load all" reads up to the second.
    preview_bytes: int = 4 * 1024 * 1024
    preview_load_all_bytes: int = 32 * 1024 * 1024


DEFAULT_SETTINGS = Settings()
