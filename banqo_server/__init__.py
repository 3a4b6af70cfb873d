"""The reference BanqO API server (FastAPI): ``create_app`` in :mod:`banqo_server.app`."""

__version__ = "0.1.0"
