"""Alembic environment: always given an open connection by ``banqo_server.migrations.upgrade``."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with banqo_server.migrations.upgrade() or `banqo-server migrate`")

context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
