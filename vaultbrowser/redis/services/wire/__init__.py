"""What goes on the wire to Redis: addresses, Entra ID tokens and access keys, the one path every
command takes (its read-only gate, journal entry and reply limit) and the typed errors of its
failures. Nothing here knows keys, values or the window."""
