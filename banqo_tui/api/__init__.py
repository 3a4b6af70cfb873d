"""Everything about the BanqO API, with no Textual import: the wire models, the client, its errors."""
