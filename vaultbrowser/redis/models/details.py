"""How the detail pane describes Redis rows: a connection, a namespace, a key (type, TTL,
memory, encoding, length) and the commands that produced it.

Where an HTTP call shows its status line and headers, a key shows its commands: each with its
arguments (values hidden), duration, reply size and the node that answered
(``command_capture``). They are a section of their own, "Commands".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.details import (
    Details,
    DetailSection,
    Row,
    describe_connection,
    describe_unknown,
    detail_rows,
)
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.redis.models.key_rows import KeyRow, NamespaceRow, RedisRoot
from vaultbrowser.redis.models.key_tree import ttl_text
from vaultbrowser.redis.services.command_capture import (
    SentCommand,
    capturing_commands,
    sent_command,
)
from vaultbrowser.redis.services.key_summaries import KeySummary
from vaultbrowser.redis.services.keys import KeyDetails

COMMANDS_SECTION = "Commands"


def commands_section(commands: Sequence[SentCommand]) -> DetailSection:
    """One row per command: its name ("HLEN"; a pipeline's with its count) → what it took and
    who answered, then its arguments, values hidden ("0.4 ms · 18 B from host:port — HLEN k")."""
    rows = []
    for command in commands:
        label = command.command
        if label.startswith("PIPELINE "):
            label = f"PIPELINE ({label.count('+') + 1} commands)"
        rows.append((label, f"{command.outcome} — {command.arguments}"))
    return DetailSection(COMMANDS_SECTION, tuple(rows))


def commands_summary(commands: Sequence[SentCommand]) -> str:
    """The detail pane's call line for Redis: how many commands, how long, who answered."""
    if not commands:
        return "No command was needed for this item."
    took = sum(command.elapsed for command in commands) * 1000
    nodes = sorted({command.node for command in commands if command.node})
    return (f"{len(commands)} Redis command{'s' if len(commands) != 1 else ''}, "
            f"{took:.1f} ms, answered by {', '.join(nodes) or 'no node'}")


def describe(record: Any, response: ResponseInfo | None = None) -> Details:
    if isinstance(record, RedisRoot):
        details = describe_connection(record, "Redis server", "Address", response)
        service = record.service.current
        rows = detail_rows(
            ("Topology", None if service is None else "cluster (every primary is scanned)"
             if service.cluster else "single endpoint"),
            ("User", None if service is None else service.user or "default"),
            ("State", "not opened yet" if service is None else "connected"),
            ("Read-only", "Yes: write commands are refused before they are sent"
             if service is not None and service.read_only else None))
        return Details(details.title, details.subtitle,
                       (*details.sections, DetailSection("Server", rows)), None, record,
                       note="From the connection: selecting it sends no command.")
    if isinstance(record, NamespaceRow):
        return Details(record.display_name, "Namespace", (DetailSection("Namespace", detail_rows(
            ("Prefix", record.display_name), ("Delimiter", record.delimiter.decode(
                "utf-8", "replace")), ("Lists", f"keys matching {record.display_name}*"))),),
            None, record, note="From the listing: selecting a namespace sends no command.")
    if isinstance(record, KeyRow):
        return Details(record.display, f"Key ({record.summary.type})" if record.summary
                       else "Key", (), None, record)
    return describe_unknown(record, response)


def key_details(record: KeyRow, details: KeyDetails,
                commands: Sequence[SentCommand]) -> Details:
    """A key's properties (what the server said) and the commands that asked."""
    if not details.exists:
        rows: tuple[Row, ...] = (("Name", record.display),
                                 ("State", "gone: deleted or expired since it was listed"))
        return Details(record.display, "Key (gone)", (DetailSection("Key", rows),
                                                       commands_section(commands)), None, record,
                       note=commands_summary(commands))
    length_label = "Length (bytes)" if details.type == "string" else "Length (entries)"
    rows = detail_rows(
        ("Name", record.display),
        ("Type", details.type),
        ("TTL", "no expiry" if details.ttl_ms is None
         else f"{ttl_text(details.ttl_ms)} ({details.ttl_ms:,} ms)"),
        ("Memory usage", fmt.size(details.memory_bytes) if details.memory_bytes is not None
         else None),
        ("Encoding", details.encoding),
        (length_label, f"{details.length:,}" if details.length is not None else None))
    return Details(record.display, f"Key ({details.type})",
                   (DetailSection("Key", rows), commands_section(commands)), None,
                   with_summary(record, details), note=commands_summary(commands))


def with_summary(record: KeyRow, details: KeyDetails) -> KeyRow:
    """``record`` with the row cells its details tell (the row shows them at once)."""
    summary = (KeySummary(details.type, details.ttl_ms, details.length) if details.exists
               else KeySummary("none", None, None, exists=False))
    return replace(record, summary=summary)


async def load_details(record: Any, root: Any) -> Details:
    """A key's details, fetched (TYPE, PTTL, MEMORY USAGE, OBJECT ENCODING, its length);
    a namespace's, from the listing.

    Raises:
        VaultBrowserError: the typed error of the commands that failed.
    """
    if not isinstance(record, KeyRow) or not isinstance(root, RedisRoot):
        return describe(record)
    service = await root.service.opened()
    with capturing_commands(service.commands.journal) as captured:
        details = await service.keys.details(record.name)
    url = service.commands.address.url
    return key_details(record, details, [sent_command(entry, url) for entry in captured])
