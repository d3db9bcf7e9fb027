"""`opencro migrate`, `serve` and `demo`."""

import os
import sys
from typing import Annotated

import typer

from opencro.cli import err, out, setup_django


def migrate(quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False) -> None:
    setup_django()
    from django.core.management import call_command

    verbosity = 0 if quiet else 1
    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each stateless).")] = 2,
) -> None:
    """Replace this process with gunicorn serving opencro.wsgi."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencro.settings")
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "opencro.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--no-control-socket",  # several serve processes on one host must not fight over one socket
        "--forwarded-allow-ips",
        os.environ.get("OPENCRO_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    err.print(f"Serving OpenCRO on [bold]http://{host}:{port}/[/bold] ({workers} workers)")
    os.execv(sys.executable, args)  # noqa: S606


def demo(
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after loading.")] = True,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Migrate, load OPC-301 once (a second run loads nothing), print the logins, serve."""
    from rich.progress import Progress
    from rich.table import Table

    os.environ.setdefault("OPENCRO_EMAIL", "console")  # the demo's notices print instead of going to SMTP
    migrate(quiet=True)
    from opencro.demo import data
    from opencro.demo.loader import STEPS, load_demo

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Loading the demo study", total=STEPS)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=f"Loading {name}")

        loaded = load_demo(step)
    err.print("Demo study OPC-301 loaded." if loaded else "Demo study OPC-301 was already loaded; nothing changed.")
    table = Table(title=f"Logins (password for all: {data.DEMO_PASSWORD})")
    table.add_column("username")
    table.add_column("role")
    table.add_column("sites")
    for username, _first, _last, role, sites, _tz, _su in data.USERS:
        table.add_row(username, role, ", ".join(sites) or "all")
    out.print(table)
    out.print(f"Open http://{host}:{port}/")
    if serve_:
        serve(host=host, port=port, workers=2)
