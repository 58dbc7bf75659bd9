"""vaultbrowser: a desktop browser for Azure Key Vault and Azure Blob Storage."""

__version__ = "0.1.0"
APP_ID = "io.github.vaultbrowser.VaultBrowser"
APP_NAME = "vaultbrowser"
