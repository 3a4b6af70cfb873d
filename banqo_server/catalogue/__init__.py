"""The shipped goal bank, in the open exchange format (``catalogue.json``; see docs/formats/)."""

from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("catalogue.json")
