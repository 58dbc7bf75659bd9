"""Helpers of the security tests: a loopback-only network guard, DEBUG logging of every logger
to a file, and a grep for seeded secrets over files and texts."""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import logging
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PySide6.QtCore import QModelIndex, Qt


class NonLoopbackConnection(OSError):
    """A test tried to reach a host that is not loopback (the cloud, IMDS, DNS)."""


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse (and list) every name lookup and TCP connect that is not loopback."""
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not _is_loopback(str(name)):
            attempts.append(f"resolve {name}")
            raise NonLoopbackConnection(f"test guard: no lookup of {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(str(address[0])):
            attempts.append(f"connect {address[0]}")
            raise NonLoopbackConnection(f"test guard: no connection to {address[0]}")

    def connect(self: socket.socket, address: Any) -> Any:
        check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts


@contextmanager
def debug_logging_to(path: Path) -> Iterator[Path]:
    """Every logger at DEBUG (azure, aiohttp, msal, vaultbrowser… and the root) into ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous = {name: logger.level for name, logger in logging.root.manager.loggerDict.items()
                if isinstance(logger, logging.Logger)}
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("azure", "azure.core", "azure.identity", "azure.storage", "azure.keyvault",
                 "aiohttp", "msal", "urllib3", "asyncio", "vaultbrowser", "qasync"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    for name in previous:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(root_level)
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.setLevel(previous.get(name, logging.NOTSET))


def forms(value: str) -> set[str]:
    """The ways a secret may be written: as is, URL-quoted, JSON-escaped, base64."""
    result = {value, quote(value, safe=""), quote(value, safe="/"),
              json.dumps(value)[1:-1], base64.b64encode(value.encode()).decode()}
    return {form for form in result if len(form) >= 8}


def find_leaks(needles: dict[str, str], *, files: Iterable[Path] = (),
               texts: dict[str, str] | None = None) -> list[str]:
    """Where any form of any needle occurs: ``["<label> in <file or text name>", …]``."""
    patterns = {label: forms(value) for label, value in needles.items()}
    leaks = []
    for path in files:
        data = path.read_bytes()
        for encoding in ("utf-8", "utf-16-le"):
            text = data.decode(encoding, errors="ignore")
            for label, variants in patterns.items():
                if any(variant in text for variant in variants):
                    leaks.append(f"{label} in {path} ({encoding})")
    for name, text in (texts or {}).items():
        for label, variants in patterns.items():
            if any(variant in text for variant in variants):
                leaks.append(f"{label} in {name}")
    return sorted(set(leaks))


def files_under(*roots: Path) -> list[Path]:
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


async def wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


def model_texts(model: Any) -> str:
    """Every display and tooltip text of a Qt item model, all levels."""
    out: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            for column in range(model.columnCount(parent)):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = index.data(role)
                    if value is not None:
                        out.append(str(value))
            walk(model.index(row, 0, parent))

    walk(QModelIndex())
    return "\n".join(out)


def tree_widget_texts(tree: Any) -> str:
    out = []
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        out += [item.text(0), item.text(1), item.toolTip(1)]
    return "\n".join(out)
