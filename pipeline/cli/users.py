"""`mou users`: the users of a workspace for `mou serve` — add, list, role, passwd, disable, enable,
remove — what the users page of the browser does for legal officers."""

from __future__ import annotations

import sys

import click

from pipeline.cli.commands import cli, echo, workspace_option


@cli.group("users")
def users_group():
    """The users of a workspace for `mou serve` (coordinator or legal), with salted scrypt password hashes."""


def _password(confirm: bool = True) -> str:
    """Asked on a terminal (twice), read as one line from standard input otherwise (a script, a pipe)."""
    if sys.stdin.isatty():
        return click.prompt("รหัสผ่าน / password", hide_input=True, confirmation_prompt=confirm)
    return sys.stdin.readline().rstrip("\n")


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["coordinator", "legal"]), required=True)
@click.option("--email", default="", help="The address reminders go to (mou remind).")
@workspace_option
def users_add(name, role, email, workspace):
    """Add a user; the password is asked (or read from standard input)."""
    from pipeline.store.users import Users

    users = Users(workspace)
    if email:
        users.set_email_check(email)
    users.add(name, role, _password())
    if email:
        users.set_email(name, email)
    echo(f"added {name} ({role}) to {workspace}")


@users_group.command("list")
@workspace_option
def users_list(workspace):
    """Each user: name, role, whether they are disabled, e-mail, when added."""
    from pipeline.store.users import Users

    for name, user in sorted(Users(workspace).load().items()):
        state = "disabled" if user.get("disabled") else "active"
        echo(
            f"{name:24} {user.get('role', '?'):12} {state:9} {user.get('email', '') or '-':32} {user.get('created', '')}"
        )


@users_group.command("role")
@click.argument("name")
@click.option("--role", type=click.Choice(["coordinator", "legal"]), required=True)
@workspace_option
def users_role(name, role, workspace):
    """Change a user's role (their sessions end); the last legal officer stays one."""
    from pipeline.store.users import Users

    Users(workspace).set_role(name, role)
    echo(f"{name} is now {role}")


@users_group.command("remove")
@click.argument("name")
@workspace_option
def users_remove(name, workspace):
    from pipeline.store.users import Users

    Users(workspace).remove(name)
    echo(f"removed {name}")


@users_group.command("passwd")
@click.argument("name")
@workspace_option
def users_passwd(name, workspace):
    """Set a user's password (asked, or read from standard input)."""
    from pipeline.store.users import Users

    Users(workspace).passwd(name, _password())
    echo(f"password changed for {name}")


@users_group.command("disable")
@click.argument("name")
@workspace_option
def users_disable(name, workspace):
    """Stop a user from signing in (their sessions end at once); their agreements and history stay."""
    from pipeline.store.users import Users

    Users(workspace).set_disabled(name, True)
    echo(f"disabled {name}")


@users_group.command("enable")
@click.argument("name")
@workspace_option
def users_enable(name, workspace):
    from pipeline.store.users import Users

    Users(workspace).set_disabled(name, False)
    echo(f"enabled {name}")
