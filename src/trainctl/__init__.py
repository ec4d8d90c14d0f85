"""trainctl: training records for fire and EMS departments."""

__version__ = "0.1.0"
