"""A cluster node's own certificate: the cluster bus (``tls-cluster yes``) always asks the
connecting node for one, and the loopback server certificate is for server use only (its
extended key usage), so each node also shows one signed by the same CA for client use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from vaultbrowser.emulators.keyvault.tls import CA_KEY_FILE, TlsMaterial


def node_client_certificate(tls: TlsMaterial) -> tuple[Path, Path]:
    """(certificate, key) PEM files for client use, next to ``tls``'s CA."""
    directory = tls.ca_path.parent
    ca = x509.load_pem_x509_certificate(tls.ca_path.read_bytes())
    ca_key = serialization.load_pem_private_key((directory / CA_KEY_FILE).read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "redis node")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = directory / "node-client.pem", directory / "node-client-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
