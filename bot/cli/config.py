"""Configuration for the launch scripts: ``config get|shell``, ``secret``, ``rasa-endpoints``, ``rasa-credentials``.

The scripts ask these commands for ports, endpoints and secrets, so every default lives in
:mod:`bot.settings` and nowhere else.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Callable, Optional

import click

from bot.cli.context import ArgChoice, pass_settings
from bot.settings import Settings

VALUES: dict[str, tuple[str, Callable[[Settings], object]]] = {
    "rasa-port": ("RASA_PORT", lambda s: s.rasa_port),
    "actions-port": ("ACTIONS_PORT", lambda s: s.actions_port),
    "dashboard-port": ("DASHBOARD_PORT", lambda s: s.dashboard_port),
    "slack-port": ("SLACK_PORT", lambda s: s.slack_port),
    "rasa-url": ("RASA_URL", lambda s: s.rasa_url),
    "rasa-socket-url": ("RASA_SOCKET_URL", lambda s: s.rasa_socket_url),
    "action-endpoint-url": ("ACTION_ENDPOINT_URL", lambda s: s.action_server_url),
    "slack-enabled": ("SLACK_ENABLED", lambda s: int(s.slack_enabled)),
}


@click.group("config")
def config() -> None:
    """Ports and endpoints of this installation (from the settings), for scripts."""


@config.command("get")
@click.argument("name", type=ArgChoice(list(VALUES)), metavar="NAME")
@pass_settings
def get(settings: Settings, name: str) -> None:
    """Print one value."""
    print(VALUES[name][1](settings))


@config.command("shell")
@pass_settings
def shell(settings: Settings) -> None:
    """Print every value as NAME=value lines for a shell to eval."""
    for variable, value in VALUES.values():
        print(f"{variable}={shlex.quote(str(value(settings)))}")


@click.command("secret")
@click.argument("name", type=ArgChoice(["rasa-auth-token", "action-server-token"]), metavar="NAME")
@pass_settings
def secret(settings: Settings, name: str) -> None:
    """Print a shared secret for the launcher (env value or per-install key)."""
    print(settings.rasa_api_token if name == "rasa-auth-token" else settings.action_server_secret)


def _out_option() -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option("--out", help="write to this file (mode 600) instead of printing")


@click.command("rasa-endpoints")
@_out_option()
@pass_settings
def rasa_endpoints(settings: Settings, out: Optional[str]) -> None:
    """Render Rasa's endpoints (actions, tracker store, lock store)."""
    from bot.rasa_endpoints import endpoints, write_endpoints

    if out:
        print(f"wrote {write_endpoints(settings, Path(out))}")
    else:
        import yaml

        print(yaml.safe_dump(endpoints(settings), sort_keys=False), end="")


@click.command("rasa-credentials")
@_out_option()
@pass_settings
def rasa_credentials(settings: Settings, out: Optional[str]) -> None:
    """Render Rasa's input channels (adds Slack when its tokens are set)."""
    from bot.rasa_credentials import credentials, write_credentials

    if out:
        print(f"wrote {write_credentials(settings, Path(out))}")
    else:
        import yaml

        print(yaml.safe_dump(credentials(settings), sort_keys=False), end="")


def register(app: click.Group) -> None:
    """Add ``config``, ``secret``, ``rasa-endpoints`` and ``rasa-credentials`` to the CLI."""
    for command in (config, secret, rasa_endpoints, rasa_credentials):
        app.add_command(command)
