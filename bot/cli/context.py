"""What every command of the ``complaints`` CLI shares: the store, JSON output, errors and option types."""

from __future__ import annotations

import functools
import json
from typing import Any, Callable, Optional, Sequence, TypeVar

import click

from bot.cases.store import Store, open_store
from bot.logging_setup import configure_logging
from bot.settings import Settings, get_settings

F = TypeVar("F", bound=Callable[..., Any])


class CliError(Exception):
    """An error to report to the user as one clear line, exit status 1."""


class CliContext:
    """The process's store, opened on first use (``--help`` and settings-only commands never open it)."""

    def __init__(self, store: Optional[Store] = None) -> None:
        self._store = store

    @property
    def settings(self) -> Settings:
        """The settings of the store handed in, else the environment's."""
        return self._store.settings if self._store is not None else get_settings()

    @property
    def store(self) -> Store:
        """The case store (opened now if nobody handed one in)."""
        if self._store is None:
            self._store = open_store()
        return self._store

    def set_up_logging(self) -> None:
        """Mask personal data and secrets in every log line of this process (once per command run).

        A broken setting is left for the command that needs it to report (``--help`` still works).
        """
        try:
            settings = self.settings
        except ValueError:
            return
        configure_logging(settings)

    def close(self) -> None:
        """Release the store's database connections (the store stays usable)."""
        if self._store is not None:
            self._store.dispose()


def pass_store(command: F) -> F:
    """Decorator: call the command with the store as its first argument."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(cli_context().store, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def pass_settings(command: F) -> F:
    """Decorator: call the command with the settings as its first argument (no database needed)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(cli_context().settings, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def cli_context() -> CliContext:
    """The :class:`CliContext` of the running command."""
    context = click.get_current_context().find_object(CliContext)
    if context is None:  # a command invoked outside :func:`bot.cli.main`
        raise CliError("the command needs the complaints CLI context")
    return context


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON (dates and other objects as text)."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def json_option(help_text: Optional[str] = None) -> Callable[[F], F]:
    """The ``--json`` flag, passed to the command as ``as_json``."""
    return click.option("--json", "as_json", is_flag=True, help=help_text)


class ArgChoice(click.Choice):
    """A choice whose error says ``invalid choice: 'x' (choose from ...)``, as the CLI always has."""

    def __init__(self, choices: Sequence[str]) -> None:
        super().__init__(list(choices))

    def get_invalid_choice_message(self, value: Any, ctx: Optional[click.Context]) -> str:
        """The usage error for a value that is not one of the choices."""
        listed = ", ".join(repr(str(choice)) for choice in self.choices)
        return f"invalid choice: {value!r} (choose from {listed})"


def subgroup(app: click.Group, name: str) -> click.Group:
    """The command group ``name`` of ``app`` (for modules adding commands to another module's group)."""
    group = app.commands.get(name)
    if not isinstance(group, click.Group):
        raise LookupError(f"the CLI has no command group {name!r}")
    return group
