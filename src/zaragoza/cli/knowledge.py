"""``zaragoza practices …`` and ``zaragoza users …``: the knowledge base and its accounts
from the command line, on the portal's Django database (``DATABASE_URL``, or the SQLite
file beside the warehouse). Thin: each command calls one service of the portal.

Registered on the main command as ``zaragoza practices`` and ``zaragoza users``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from zaragoza import settings
from zaragoza.cli.app import app, command_group
from zaragoza.cli.common import fail
from zaragoza.errors import UsageError, ZaragozaError

__all__ = ["first_account_hint", "practices_app", "users_app"]

practices_app = command_group(
    help="The knowledge base of practices: seed, import, export.", no_args_is_help=True
)
users_app = command_group(help="Accounts and roles of the portal.", no_args_is_help=True)
_err = Console(stderr=True)

WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="Warehouse file whose portal database to use (default: $ZARAGOZA_WAREHOUSE or "
        "zaragoza.duckdb; DATABASE_URL overrides the database).",
    ),
]
PASSWORD_ENV = "ZARAGOZA_NEW_PASSWORD"


def _fail(exc: ZaragozaError) -> NoReturn:
    fail(exc)


def _django(warehouse: Path | None) -> None:
    """Set Django up on the portal's database and bring its tables up to date."""
    path = warehouse or settings.warehouse_path()
    os.environ["ZARAGOZA_WAREHOUSE"] = str(path.absolute())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaragoza.portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


@practices_app.command("seed")
def seed(
    content: Annotated[
        Path | None, typer.Option(help="Content folder (default: the bundled seed content).")
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Load the seed content (practices, organisations, country profiles) into the portal."""
    _django(warehouse)
    from zaragoza.knowledge.content import load_content
    from zaragoza.portal.knowledge.services import seed as run_seed

    try:
        counts = run_seed(load_content(content))
    except ZaragozaError as exc:
        _fail(exc)
    typer.echo(
        f"{counts['practices']} practices added, {counts['practices_updated']} updated, "
        f"{counts['organisations']} organisations and {counts['profiles']} country profiles added"
    )


@practices_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A .jsonl or .csv file of practices.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: by suffix).")
    ] = None,
    state: Annotated[
        str, typer.Option(help="State of the imported practices: draft or published.")
    ] = "draft",
    owner: Annotated[
        str | None, typer.Option(help="User name owning the imported practices.")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Overwrite practices whose id exists.")] = False,
    example: Annotated[bool, typer.Option(help="Label the records as invented examples.")] = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Import practices: every record is validated first; if any fails, nothing is added
    and every problem is listed (record number, field, why)."""
    import time

    if state not in ("draft", "published"):
        _fail(UsageError("unknown --state", value=state, hint="Use draft or published"))
    _django(warehouse)
    from django.contrib.auth import get_user_model

    from zaragoza.knowledge.exchange import read_practices
    from zaragoza.knowledge.rules import State
    from zaragoza.portal.knowledge.models import Organisation
    from zaragoza.portal.knowledge.services import import_practices

    t0 = time.perf_counter()
    try:
        user: Any = None
        if owner:
            user = get_user_model().objects.filter(username=owner).first()
            if user is None:
                raise UsageError(
                    "no such user", value=owner, hint="Create it with zaragoza users add"
                )
        records = read_practices(
            file,
            fmt=fmt,
            require_complete=state == "published",
            organisations=Organisation.objects.values_list("slug", flat=True),
        )
        n = import_practices(
            records, state=State(state), owner=user, replace=replace, example=example
        )
    except ZaragozaError as exc:
        _fail(exc)
    typer.echo(f"{n} practices imported as {state} in {time.perf_counter() - t0:.1f} s")


@practices_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="A .jsonl or .csv file to write.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: by suffix).")
    ] = None,
    state: Annotated[str, typer.Option(help="published (default) or all.")] = "published",
    warehouse: WarehouseOpt = None,
) -> None:
    """Export practices in the content format (JSON Lines or CSV)."""
    if state not in ("published", "all"):
        _fail(UsageError("unknown --state", value=state, hint="Use published or all"))
    _django(warehouse)
    from zaragoza.knowledge.exchange import write_practices
    from zaragoza.knowledge.rules import State
    from zaragoza.portal.knowledge.models import Practice
    from zaragoza.portal.knowledge.services import record_of

    qs = (
        Practice.objects.select_related("organisation")
        .prefetch_related("partners")
        .order_by("slug")
    )
    if state == "published":
        qs = qs.filter(state=State.PUBLISHED)
    try:
        n = write_practices([record_of(p) for p in qs.iterator(chunk_size=2000)], out, fmt=fmt)
    except ZaragozaError as exc:
        _fail(exc)
    typer.echo(f"{n} practices written to {out}")


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(
                "the password file cannot be read", file=str(password_file), hint=str(exc)
            ) from None
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise UsageError(
            "no password given",
            hint=f"Type it at the prompt, or set {PASSWORD_ENV}, or pass --password-file",
        )
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="contributor, coordinator, editor, admin, ...")],
    email: Annotated[str, typer.Option(help="E-mail address (for notifications).")] = "",
    country: Annotated[
        list[str] | None,
        typer.Option(
            help="Country of a coordinator (Eurostat code); repeatable or comma-separated."
        ),
    ] = None,
    organisation: Annotated[
        list[str] | None,
        typer.Option(help="Organisation of a counsellor; repeatable or comma-separated."),
    ] = None,
    entity: Annotated[
        list[str] | None,
        typer.Option(help="Entity (LAU or NUTS code) of a city coordinator or respondent."),
    ] = None,
    network: Annotated[
        list[str] | None, typer.Option(help="Network code of a network administrator.")
    ] = None,
    review: Annotated[
        list[str] | None, typer.Option(help="Review-team id of a peer reviewer.")
    ] = None,
    password_file: Annotated[
        Path | None,
        typer.Option(help=f"Read the password from this file (else ${PASSWORD_ENV} or a prompt)."),
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Create an account with a role. There is no default password: it comes from a
    prompt, $ZARAGOZA_NEW_PASSWORD or a file, and must pass the site's password rules."""
    given = {
        "country": country, "organisation": organisation, "entity": entity, "network": network,
        "review": review,
    }  # fmt: skip
    scopes = []
    try:
        from zaragoza.portal.accounts.roles import SCOPE_OF, Role

        kind = SCOPE_OF.get(Role(role)) if role in {r.value for r in Role} else None
        for name, values in given.items():
            if values and name != kind:
                raise UsageError(
                    f"the {role} role takes no --{name}",
                    value=",".join(values),
                    hint=f"Give --{kind}" if kind else "Give no scope",
                )
            scopes += [c.strip() for item in values or [] for c in item.split(",") if c.strip()]
        pw = _password(password_file)
        _django(warehouse)
        from zaragoza.portal.accounts.users import add_user

        add_user(username, email=email, password=pw, role=role, scopes=scopes)
    except ZaragozaError as exc:
        _fail(exc)
    typer.echo(
        f"user {username} created with role {role}"
        + (f" for {', '.join(scopes)}" if scopes else "")
    )


@users_app.command("list")
def users_list(warehouse: WarehouseOpt = None) -> None:
    """List accounts and their roles."""
    _django(warehouse)
    from django.contrib.auth import get_user_model

    u: Any
    for u in get_user_model().objects.order_by("username").prefetch_related("grants"):
        roles = ", ".join(
            sorted(f"{g.role}{':' + g.country if g.country else ''}" for g in u.grants.all())
        )
        typer.echo(f"{u.username:<20} {'active' if u.is_active else 'inactive':<8} {roles}")


def first_account_hint() -> str | None:
    """Return how to create the first account when the portal has none (else None)."""
    from django.contrib.auth import get_user_model

    if get_user_model().objects.exists():
        return None
    return (
        "no account yet: reading needs none; to review and publish practices, create an "
        "administrator with `zaragoza users add NAME --role admin --email ADDRESS` "
        f"(the password is asked for, or read from ${PASSWORD_ENV})"
    )


app.add_typer(practices_app, name="practices")
app.add_typer(users_app, name="users")
