"""kopa: records, validation and fees for the KOPA network project."""

__version__ = "0.1.0"
