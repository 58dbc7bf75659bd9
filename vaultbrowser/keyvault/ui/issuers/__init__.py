"""Certificate issuers and contacts: their window, dialogs and actions (one vault at a time)."""
