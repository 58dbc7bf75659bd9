"""The Cosmos DB audit's options and their command-line arguments (light: the kind's
``add_arguments`` adds them to ``vaultbrowser`` and ``vaultbrowser audit`` without loading the
SDK).

- ``--cosmos-ttl-containers GLOB`` (repeatable): the containers expected to have a default TTL,
  as ``fnmatch`` globs over ``<database>/<container>`` (``sessions/*``, ``*/cache-*``); those
  without one are a finding. None given: no container is expected to have one.
- ``--cosmos-item-size-kib N``: an item of the sample over N KiB (default 100) is a finding.
- ``--cosmos-sample-items N``: items read per container for the size sample (default 100: one
  query page, ``SELECT * FROM c``; at most 1,000).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from fnmatch import fnmatchcase

DEFAULT_ITEM_KIB = 100
DEFAULT_SAMPLE_ITEMS = 100
MAX_SAMPLE_ITEMS = 1000  # one query page: the service answers at most this many per page


@dataclass(frozen=True)
class CosmosAuditOptions:
    """What the audit checks beyond ARM's view: see the module docstring."""

    ttl_containers: tuple[str, ...] = ()
    item_bytes: int = DEFAULT_ITEM_KIB * 1024
    sample_items: int = DEFAULT_SAMPLE_ITEMS

    def expects_ttl(self, database: str, container: str) -> bool:
        """Whether a glob names ``database/container`` (case-sensitive, as Cosmos ids are)."""
        path = f"{database}/{container}"
        return any(fnmatchcase(path, glob) for glob in self.ttl_containers)


def _positive(text: str, maximum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= maximum:
        raise argparse.ArgumentTypeError(f"must be between 1 and {maximum:,}")
    return value


def add_audit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cosmos-ttl-containers", action="append", default=[], metavar="GLOB",
                        help="audit: Cosmos DB containers (database/container glob, e.g. "
                             "'sessions/*') expected to have a default TTL; repeatable")
    parser.add_argument("--cosmos-item-size-kib", type=lambda t: _positive(t, 2048),
                        default=DEFAULT_ITEM_KIB, metavar="N",
                        help=f"audit: report sampled Cosmos DB items over N KiB (default "
                             f"{DEFAULT_ITEM_KIB})")
    parser.add_argument("--cosmos-sample-items", type=lambda t: _positive(t, MAX_SAMPLE_ITEMS),
                        default=DEFAULT_SAMPLE_ITEMS, metavar="N",
                        help=f"audit: items sampled per Cosmos DB container for their size "
                             f"(default {DEFAULT_SAMPLE_ITEMS})")


def audit_options(arguments: argparse.Namespace) -> CosmosAuditOptions:
    """The options in parsed arguments; the defaults for those absent (the window's audit)."""
    globs = getattr(arguments, "cosmos_ttl_containers", None) or ()
    kib = getattr(arguments, "cosmos_item_size_kib", None) or DEFAULT_ITEM_KIB
    sample = getattr(arguments, "cosmos_sample_items", None) or DEFAULT_SAMPLE_ITEMS
    return CosmosAuditOptions(tuple(str(glob) for glob in globs), int(kib) * 1024,
                              min(int(sample), MAX_SAMPLE_ITEMS))
