"""`opencro token create|list|revoke`."""

import json
from typing import Annotated

import typer
from rich.table import Table

from opencro.cli import fail, out, setup_django

app = typer.Typer(no_args_is_help=True)


def _user(username: str):
    from opencro.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"no user named {username!r}")
    return user


@app.command("create", help="Create a token for USER; the key is printed once.")
def create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    setup_django()
    from opencro.accounts.services import token_create

    user = _user(username)
    token, key = token_create(actor=user, user=user, name=name)
    if as_json:
        print(json.dumps({"user": username, "prefix": token.prefix, "key": key}))
    else:
        out.print(f"Token {token.prefix} for {username}. Keep this key; it is not shown again:")
        print(key)


@app.command("list", help="List a user's tokens.")
def list_(username: str) -> None:
    setup_django()
    user = _user(username)
    table = Table("prefix", "name", "created", "last used", "revoked")
    for t in user.api_tokens.all():
        table.add_row(
            t.prefix,
            t.name,
            f"{t.created_at:%Y-%m-%d %H:%M}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
            f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
        )
    out.print(table)


@app.command("revoke", help="Revoke the token with PREFIX.")
def revoke(prefix: str) -> None:
    setup_django()
    from opencro.accounts.models import ApiToken
    from opencro.accounts.services import token_revoke

    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None:
        fail(f"no token with prefix {prefix!r}")
    token_revoke(actor=token.user, token=token)
    out.print(f"Revoked {prefix}.")
