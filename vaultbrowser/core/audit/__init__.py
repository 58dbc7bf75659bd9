"""audit layer; see ../shared/ARCHITECTURE.md."""
