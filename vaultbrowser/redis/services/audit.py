"""The Redis kind's audit collector (``ServiceKind.audit``): findings over a bounded sample of
a database's keys, and over what Resource Manager says of it.

- Keys without a TTL, counted per namespace (first segment before ``:``) in the bounded SCAN
  sample of ``samples.sample_keys`` (its ``SAMPLE_KEYS``; SCAN's order is the hash table's, so
  the sample is spread over the key space); the finding says it is a sample, its size and the
  database's size (DBSIZE of every primary).
- The biggest keys of that sample by ``MEMORY USAGE`` (its default ``SAMPLES 5``: bounded work
  per key, however big the key).
- From Resource Manager, only for a connection discovery made (``Connection.
  resource_properties``; unknown otherwise, so not reported): access keys still enabled, and a
  database on the Plaintext (non-TLS) client protocol.

Nothing here reads a value: only names, TTLs and sizes. The findings go into
``collector.findings`` (merged with the other kinds' in the report).
"""

from __future__ import annotations

from collections.abc import Sequence

from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import Finding, FindingItem, ItemKind, Severity
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.redis.services.opening import open_service
from vaultbrowser.redis.services.samples import NO_NAMESPACE, KeySample, sample_keys
from vaultbrowser.redis.services.service import RedisService

BIGGEST = 10  # the biggest keys reported
DELIMITER = b":"

NO_TTL = "redis-no-ttl"
BIGGEST_KEYS = "redis-biggest-keys"
ACCESS_KEYS = "redis-access-keys"
PLAINTEXT = "redis-non-tls"


async def database_size(service: RedisService) -> int:
    """The database's keys (DBSIZE of every primary): what the sample is a sample of.

    Raises:
        VaultBrowserError: a DBSIZE failed.
    """
    commands = service.commands
    total = 0
    for node in commands.primaries():
        total += int(await commands.call("DBSIZE", node=node if commands.cluster else None))
    return total


def _pattern(namespace: str) -> str:
    return namespace if namespace == NO_NAMESPACE else f"{namespace}{DELIMITER.decode()}*"


def _sample_note(sample: KeySample, database_keys: int) -> str:
    if sample.complete:
        return f"every key of the database: {sample.sampled:,}"
    return f"sample of {sample.sampled:,} keys (SCAN) of {database_keys:,} in the database"


def sample_findings(source: str, sample: KeySample, database_keys: int) -> list[Finding]:
    """Keys without TTL per namespace, and the biggest keys, of one database's sample."""
    findings = []
    note = _sample_note(sample, database_keys)
    lasting = [count for count in sample.without_ttl if count.without_ttl]
    if lasting:
        findings.append(Finding(
            NO_TTL, Severity.LOW, "Redis keys without a TTL (sampled)",
            "In a sample of each database's keys (SCAN, counted per namespace), these keys "
            "never expire: caches and sessions without a TTL stay until they are deleted or "
            "evicted. The counts are the sample's, not the whole database's.",
            tuple(FindingItem(source, ItemKind.NAMESPACE, _pattern(count.namespace),
                              f"{count.without_ttl:,} of {count.sampled:,} sampled keys have no "
                              f"TTL ({note})") for count in lasting)))
    if sample.biggest:
        findings.append(Finding(
            BIGGEST_KEYS, Severity.INFO, "Biggest Redis keys (sampled)",
            f"The {BIGGEST} biggest keys of a sample of each database's keys, by MEMORY USAGE "
            "(an estimate for big collections). Big keys slow every command that reads them "
            "whole and move slowly between cluster nodes.",
            tuple(FindingItem(source, ItemKind.DATA_KEY, size.display,
                              f"{size.memory_bytes:,} bytes ({note})")
                  for size in sample.biggest)))
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
    async with collector.opened_service(
            source, "open Redis", lambda: open_service(collector.session, connection)) as service:
        if service is None:
            return
        collector.tell(f"{source}: keys sampled", 0, None)
        size = await collector.attempt(source, "count keys", lambda: database_size(service))
        sample = await collector.attempt(source, "sample keys", lambda: sample_keys(
            service.commands, service.keys, biggest=BIGGEST, delimiter=DELIMITER))
        if sample is not None:
            collector.tell(f"{source}: keys sampled", sample.sampled, sample.sampled)
            collector.findings.extend(sample_findings(source, sample, size or sample.sampled))
