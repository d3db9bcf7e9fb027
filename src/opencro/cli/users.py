"""`opencro createuser`."""

from typing import Annotated

import typer

from opencro.cli import fail, out, setup_django


def createuser(
    username: str,
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    first_name: Annotated[str, typer.Option(help="Given name.")] = "",
    last_name: Annotated[str, typer.Option(help="Family name.")] = "",
    time_zone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Madrid.")] = "UTC",
    superuser: Annotated[bool, typer.Option("--superuser", help="Make a system administrator.")] = False,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="OPENCRO_NEW_PASSWORD",
            help="Prompted when not given.",
        ),
    ] = "",
) -> None:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from opencro.accounts.services import user_create

    try:
        user = user_create(
            actor=None,
            username=username,
            password=password,
            email=email,
            first_name=first_name,
            last_name=last_name,
            time_zone=time_zone,
            is_superuser=superuser,
        )
    except ValidationError as exc:
        fail("; ".join(exc.messages))
    except IntegrityError:
        fail(f"a user named {username!r} already exists")
    out.print(f"Created user {user.username} (id {user.pk}).")
