"""Alembic environment: runs migrations on the connection handed in by bot.cases.migrate."""

from alembic import context

from bot.cases.models import Base
from bot.reviews import models as review_models  # noqa: F401 - registers the review tables on Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `complaints db upgrade`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
