"""The Redis kind's Qt item models (over services/)."""
