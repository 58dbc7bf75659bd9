"""The Redis kind's audit collector (``ServiceKind.audit``): findings over a bounded sample of
a database's keys, and over what Resource Manager says of it.

- Keys without a TTL, counted per namespace (first segment before ``:``) in a SCAN sample of at
  most ``SAMPLE_KEYS`` keys (in a cluster, an equal share from every primary). SCAN's order is
  the hash table's, so the sample is spread over the key space; the finding says it is a sample,
  its size and the database's size (DBSIZE).
- The biggest keys of that sample by ``MEMORY USAGE`` (its default ``SAMPLES 5``: bounded work
  per key, however big the key).
- From Resource Manager, only for a connection discovery made (``Connection.
  resource_properties``; unknown otherwise, so not reported): access keys still enabled, and a
  database on the Plaintext (non-TLS) client protocol.

Nothing here reads a value: only names, TTLs, types and sizes. The findings go into
``collector.findings`` (merged with the other kinds' in the report).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import Finding, FindingItem, ItemKind, Severity
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.redis.services.names import display_text
from vaultbrowser.redis.services.opening import open_service
from vaultbrowser.redis.services.service import RedisService

SAMPLE_KEYS = 1_000  # keys looked at per database, at most
SCAN_PAGE = 250  # keys a SCAN page asks for while sampling
BATCH_KEYS = 200  # keys per pipeline of TYPE, PTTL and MEMORY USAGE
BIGGEST = 10  # the biggest keys reported
DELIMITER = b":"
NAME_LIMIT = 120  # characters of a key or namespace shown in the report

NO_TTL = "redis-no-ttl"
BIGGEST_KEYS = "redis-biggest-keys"
ACCESS_KEYS = "redis-access-keys"
PLAINTEXT = "redis-non-tls"


@dataclass
class KeySample:
    """What the sample saw: per key its type, whether it expires and its memory (None: the
    server did not say), and the database's size."""

    keys: list[tuple[bytes, str, bool, int | None]] = field(default_factory=list)
    database_keys: int = 0

    def add(self, name: bytes, kind: object, pttl: object, memory: object) -> None:
        type_name = kind.decode() if isinstance(kind, bytes) else str(kind)
        if type_name == "none" or pttl == -2:
            return  # gone since SCAN named it
        self.keys.append((name, type_name, isinstance(pttl, int) and pttl >= 0,
                          memory if isinstance(memory, int) else None))


def namespace_of(name: bytes) -> str:
    """``session:*`` for ``session:42``; ``(no namespace)`` for a key without the delimiter."""
    head, separator, _rest = name.partition(DELIMITER)
    if not separator:
        return "(no namespace)"
    return display_text(head, NAME_LIMIT) + DELIMITER.decode() + "*"


async def sample_keys(service: RedisService, limit: int = SAMPLE_KEYS) -> KeySample:
    """At most ``limit`` keys from SCAN (an equal share from every primary) with their type,
    TTL and memory, and the database's key count.

    Raises:
        VaultBrowserError: a SCAN, DBSIZE or batch failed as a whole.
    """
    commands = service.commands
    primaries = commands.primaries()
    sample = KeySample()
    share = max(1, limit // len(primaries))
    taken: set[bytes] = set()  # a page may run on into the next primary: never a key twice
    for node in primaries:
        size = await commands.call("DBSIZE", node=node if commands.cluster else None)
        sample.database_keys += int(size)
        names: list[bytes] = []
        # a cluster's continuation names the primary: start each primary's scan at cursor 0
        token: str | None = f"{node}|0" if commands.cluster else None
        while len(names) < share:
            page = await service.keys.list_keys(page_size=min(SCAN_PAGE, share - len(names)),
                                                continuation=token)
            fresh = [key.name for key in page.items if key.name not in taken]
            taken.update(fresh)
            names.extend(fresh)
            token = page.next_token
            if not token or (commands.cluster and not token.startswith(node + "|")):
                break  # this primary's scan is done
        names = names[:share]  # SCAN's COUNT is a hint: a page may bring more
        for start in range(0, len(names), BATCH_KEYS):
            batch = names[start:start + BATCH_KEYS]
            replies = await commands.call_batch(
                [command for name in batch for command in (
                    ("TYPE", name), ("PTTL", name), ("MEMORY", "USAGE", name))])
            for index, name in enumerate(batch):
                kind, pttl, memory = replies[3 * index:3 * index + 3]
                sample.add(name, kind, pttl, memory)
    return sample


def _sample_note(sample: KeySample) -> str:
    return (f"sample of {len(sample.keys):,} keys (SCAN) of {sample.database_keys:,} in the "
            "database")


def sample_findings(source: str, sample: KeySample) -> list[Finding]:
    """Keys without TTL per namespace, and the biggest keys, of one database's sample."""
    findings = []
    seen = Counter(namespace_of(name) for name, *_ in sample.keys)
    lasting = Counter(namespace_of(name) for name, _type, expires, _memory in sample.keys
                      if not expires)
    if lasting:
        note = _sample_note(sample)
        items = tuple(FindingItem(source, ItemKind.NAMESPACE, namespace,
                                  f"{count:,} of {seen[namespace]:,} sampled keys have no TTL "
                                  f"({note})")
                      for namespace, count in sorted(lasting.items(),
                                                     key=lambda pair: (-pair[1], pair[0])))
        findings.append(Finding(
            NO_TTL, Severity.LOW, "Redis keys without a TTL (sampled)",
            "In a sample of each database's keys (SCAN, counted per namespace), these keys "
            "never expire: caches and sessions without a TTL stay until they are deleted or "
            "evicted. The counts are the sample's, not the whole database's.", items))
    sized = sorted(((memory, name, kind) for name, kind, _expires, memory in sample.keys
                    if memory is not None), key=lambda entry: (-entry[0], entry[1]))[:BIGGEST]
    if sized:
        note = _sample_note(sample)
        findings.append(Finding(
            BIGGEST_KEYS, Severity.INFO, "Biggest Redis keys (sampled)",
            f"The {BIGGEST} biggest keys of a sample of each database's keys, by MEMORY USAGE "
            "(an estimate for big collections). Big keys slow every command that reads them "
            "whole and move slowly between cluster nodes.",
            tuple(FindingItem(source, ItemKind.DATA_KEY, display_text(name, NAME_LIMIT),
                              f"{memory:,} bytes, {kind} ({note})")
                  for memory, name, kind in sized)))
    return findings


def arm_findings(source: str, name: str,
                 properties: Sequence[tuple[str, str]]) -> list[Finding]:
    """What Resource Manager says that matters: access keys enabled, no TLS. Nothing when
    ARM said nothing (a connection discovery did not make)."""
    known = {key: value.lower() for key, value in properties}
    findings = []
    if known.get("accessKeysAuthentication") == "enabled":
        findings.append(Finding(
            ACCESS_KEYS, Severity.MEDIUM, "Azure Managed Redis databases that accept access keys",
            "Access keys bypass Entra ID: whoever holds one has full access, and its use "
            "cannot be told apart or revoked per person. Disable access keys authentication "
            "once every client signs in with Entra ID.",
            (FindingItem(source, ItemKind.DATABASE, name,
                         "Resource Manager: access keys authentication Enabled"),)))
    if known.get("clientProtocol") == "plaintext":
        findings.append(Finding(
            PLAINTEXT, Severity.HIGH, "Azure Managed Redis databases without TLS",
            "The database's client protocol is Plaintext: commands, values, passwords and "
            "tokens cross the network unencrypted. Set the client protocol to Encrypted.",
            (FindingItem(source, ItemKind.DATABASE, name,
                         f"Resource Manager: client protocol Plaintext, port "
                         f"{dict(properties).get('port', '?')}"),)))
    return findings


async def audit_redis(collector: InventoryCollector, connection: Connection) -> None:
    """Audit one Redis connection (read-only, as every audit connection is): ARM's findings
    when discovery made it, then the sampled keys' findings. A failure to open or sample is a
    report error; ARM's findings stand without it."""
    source = connection.display_name
    collector.findings.extend(arm_findings(source, connection.url,
                                           connection.resource_properties))
    try:
        service = await open_service(collector.session, connection)
    except VaultBrowserError as error:
        collector.errors.add(source, "open Redis", error)
        return
    try:
        collector.tell(f"{source}: keys sampled", 0, None)
        sample = await collector.attempt(source, "sample keys", lambda: sample_keys(service))
        if sample is not None:
            collector.tell(f"{source}: keys sampled", len(sample.keys), len(sample.keys))
            collector.findings.extend(sample_findings(source, sample))
    finally:
        await collector.session.close_service(service)
