"""Key Vault writes: the ``KeyVaultWrites`` mixin of ``KeyVaultService`` (secrets, certificates,
keys). It is composed of ``SecretWrites``, ``CertificateWrites`` and ``KeyWrites``
(``keyvault_secret_writes``, ``keyvault_cert_writes``, ``keyvault_key_writes``) over the shared
steps of ``keyvault_write_steps``. The records they take and give are in ``keyvault_inputs`` and
``keyvault_cert_inputs``.

Safe by construction:

- Every name, value, date, tag and policy is checked before any request (``InvalidInput``).
- Create never adds a silent new version: it looks the name up first and refuses with
  ``Conflict`` when it exists (``error_code`` "AlreadyExists") or is soft-deleted
  ("ObjectIsDeletedButRecoverable", pointing to Recover/Purge). Adding a version is its own call
  and needs the name to exist. (Key Vault has no conditional create: a create racing with
  another client's is not caught.)
- A purge needs the item's exact name typed, and is refused before the purge request when the
  item's recovery level forbids it (``purge_refusal``).
- Secret values and passwords travel as ``SecretValue`` and appear in no message or repr.
- Everything goes through the service's own pipeline, so a read-only connection refuses every
  write (``ReadOnlyRefused``) before it is sent; the look-ups before a write are GETs.

Every call returns ``Result(value, response)``, the response being the write's own HTTP
exchange (not the SDK's follow-up polls). Errors are our typed errors (``translated``).
"""

from __future__ import annotations

from vaultbrowser.keyvault.services.certificate_writes import CertificateWrites
from vaultbrowser.keyvault.services.key_writes import KeyWrites
from vaultbrowser.keyvault.services.secret_writes import SecretWrites

__all__ = ["KeyVaultWrites"]


class KeyVaultWrites(SecretWrites, CertificateWrites, KeyWrites):
    """Write operations of one vault; mixed into ``KeyVaultService`` (which provides the
    clients and ``vault_url``). See the module docstring for the guarantees."""
