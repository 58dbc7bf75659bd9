"""The Redis kind's widgets and actions (over models/)."""
