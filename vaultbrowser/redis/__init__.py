"""Azure Managed Redis (and any Redis over TLS, or on loopback): the third service tree."""
