"""Secret values in a viewer that suits them (JSON tree, PEM summary, base64 decoded), masked
until revealed, dropped on Hide; against the Key Vault emulator through the window."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.keyvault.ui.test_vault_actions import Harness, ScriptedDialogs, row
from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow

SECRETS = 0
KEY = ec.generate_private_key(ec.SECP256R1())
NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "viewer.example.com")])
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
CERT = (x509.CertificateBuilder().subject_name(NAME).issuer_name(NAME)
        .public_key(KEY.public_key()).serial_number(1).not_valid_before(START)
        .not_valid_after(START + dt.timedelta(days=365)).sign(KEY, hashes.SHA256()))
KEY_PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
PEM_VALUE = CERT.public_bytes(serialization.Encoding.PEM).decode() + KEY_PEM
JSON_VALUE = json.dumps({"host": "db.internal", "password": "js0n-pa55-never-logged",
                         "replicas": [1, 2], "tls": {"enabled": True}})
DER_B64 = base64.b64encode(CERT.public_bytes(serialization.Encoding.DER)).decode()
SEED = {"secrets": [
    {"name": "db-config", "value": JSON_VALUE, "contentType": "application/json"},
    {"name": "tls-bundle", "value": PEM_VALUE, "contentType": "application/x-pem-file"},
    {"name": "cert-der", "value": DER_B64},
    {"name": "plain", "value": "just words"},
]}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-value-viewer"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    window.dialogs = ScriptedDialogs()
    window.resize(1280, 800)
    window.show()
    yield Harness(window, reporter, window.dialogs)
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()


def tree_texts(tree: Any) -> list[str]:
    texts, stack = [], [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        texts.append(" | ".join(item.text(c) for c in range(tree.columnCount())))
        stack.extend(item.child(i) for i in range(item.childCount()))
    return texts


async def reveal(harness: Harness) -> None:
    detail = harness.window.detail_pane
    detail.reveal_button.click()
    await harness.wait_for(lambda: detail.value_shown)


def test_json_secret_opens_in_a_tree_and_hide_drops_it(qloop: Any, harness: Harness,
                                                       emulator: Any) -> None:
    window = harness.window
    viewer = window.view("keyvault").value_viewer
    model = window.pane("Secrets").model

    async def body() -> None:
        vault = await harness.open(emulator, SECRETS, name="viewer-json")
        mark = len(emulator.request_log)
        await harness.select(SECRETS, row(model, vault, "db-config"))
        # Before Reveal: the announced format only, no value fetched.
        assert viewer.isVisible() and viewer.hint_label.text().startswith("Format: JSON")
        assert not viewer.body.isVisible() and viewer.shown_texts() == []
        assert [e.path for e in emulator.request_log[mark:]] == ["/secrets/db-config/"]
        await reveal(harness)
        assert viewer.current_view == "json" and viewer.body.isVisible()
        texts = tree_texts(viewer.json_tree)
        assert "host | db.internal | string" in texts
        assert "tls | {1 members} | object" in texts and "enabled | true | boolean" in texts
        assert viewer.format_label.text() == "Detected: JSON object (4 members)"
        viewer.select_view("text")
        assert viewer.stack.currentWidget() is viewer.text_view
        assert json.loads(viewer.text_view.toPlainText())["replicas"] == [1, 2]

        window.detail_pane.reveal_button.click()  # Hide
        assert not window.detail_pane.value_shown and viewer.shown_texts() == []
        assert not viewer.body.isVisible()

        await reveal(harness)
        await harness.select(SECRETS, row(model, vault, "plain"))  # a new selection
        assert viewer.shown_texts() == [] and not viewer.isVisible()

    qloop.run_until_complete(body())


def test_pem_bundle_shows_the_certificate_and_only_the_key_type(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window
    viewer = window.view("keyvault").value_viewer
    model = window.pane("Secrets").model

    async def body() -> None:
        vault = await harness.open(emulator, SECRETS, name="viewer-pem")
        await harness.select(SECRETS, row(model, vault, "tls-bundle"))
        assert viewer.hint_label.text().startswith("Format: PEM")
        await reveal(harness)
        assert viewer.current_view == "pem"
        texts = tree_texts(viewer.pem_tree)
        assert "Certificate: CN=viewer.example.com | " in texts
        assert "Valid to | 2027-03-01 00:00 UTC" in texts
        assert "Private key: EC secp256r1 (256 bits) | " in texts
        body_lines = KEY_PEM.strip().splitlines()[1:-1]
        assert not any(line in text for line in body_lines for text in texts)

        await harness.select(SECRETS, row(model, vault, "cert-der"))
        assert not viewer.hint_label.isVisible()  # no content type: nothing announced
        await reveal(harness)
        assert viewer.current_view == "base64"
        assert "Decodes to | a DER certificate" in tree_texts(viewer.decoded_tree)

    qloop.run_until_complete(body())


def test_read_only_reveal_still_asks_and_a_declined_one_fills_nothing(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window
    viewer = window.view("keyvault").value_viewer
    model = window.pane("Secrets").model
    asked: list[str] = []
    answer = {"value": False}

    def confirm(what: str) -> bool:
        asked.append(what)
        return answer["value"]

    window.confirm_reveal = confirm  # type: ignore[method-assign]

    async def body() -> None:
        vault = await harness.open(emulator, SECRETS, name="viewer-ro", read_only=True)
        await harness.select(SECRETS, row(model, vault, "db-config"))
        window.detail_pane.reveal_button.click()
        await asyncio.sleep(0.1)
        assert asked and not window.detail_pane.value_shown and viewer.shown_texts() == []
        answer["value"] = True
        await reveal(harness)
        assert len(asked) == 2 and viewer.current_view == "json"

    qloop.run_until_complete(body())
