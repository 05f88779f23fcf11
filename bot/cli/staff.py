"""``complaints users add`` and ``complaints export REF``: dashboard users and evidence exports."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Optional

import click

from bot.cases.store import Store
from bot.cli.context import ArgChoice, pass_store


@click.group("users")
def users() -> None:
    """Dashboard users."""


@users.command("add")
@click.argument("email")
@click.option("--role", required=True, type=ArgChoice(["supervisor", "agent"]))
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@pass_store
def add_user(store: Store, email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a dashboard user."""
    from bot.accounts.users import add_user as create

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise ValueError("the passwords do not match")
    user = create(store, email, name or "", role, password)
    print(f"user {user.email} ({user.role}) created")


@click.command("export")
@click.argument("reference")
@click.option("--format", "fmt", required=True, type=ArgChoice(["pdf", "json"]))
@click.option("--redact", is_flag=True, help="replace names, e-mails and phone numbers")
@click.option("--out", help="file to write (default: JSON to stdout, PDF to REF.pdf; - for stdout)")
@click.option("--actor", default="cli", show_default=True)
@pass_store
def export(store: Store, reference: str, fmt: str, redact: bool, out: Optional[str], actor: str) -> None:
    """Export a case as evidence (recorded in its audit trail)."""
    from bot.exports.case_export import export_case

    document = export_case(store, reference, fmt, redacted=redact, actor=actor)
    if out == "-" or (out is None and fmt == "json"):
        sys.stdout.buffer.write(document.content)
        sys.stdout.flush()
        return
    path = Path(out or document.filename)
    path.write_bytes(document.content)
    print(f"wrote {path} ({len(document.content)} bytes, sha256 {document.sha256})", file=sys.stderr)


def register(app: click.Group) -> None:
    """Add ``users`` and ``export`` to the CLI."""
    app.add_command(users)
    app.add_command(export)
