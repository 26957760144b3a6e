"""`mou obligations` (SPEC.md §5): what falls due across the signed agreements of a folder, as lines, an .ics
calendar, or the delegator's money per Thai fiscal year."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from pipeline.cli.commands import cli, echo, library_option, settings_option, workspace_option


def _day(ctx, param, value):
    if value is None:
        return None
    from pipeline.render import thai

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        try:
            return thai.parse_user_date(value)
        except ValueError as exc:
            raise click.BadParameter(f"{value}: not a date (2025-10-01, or 1/10/2568)") from exc


@cli.command("obligations")
@click.argument("specs_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--from", "start", callback=_day, help="From this date (ISO, or as Thai users write it).")
@click.option("--to", "end", callback=_day, help="Up to this date, inclusive.")
@click.option("--ics", "ics", type=click.Path(dir_okay=False, path_type=Path), help="Also write an iCalendar file.")
@click.option("--money", is_flag=True, help="The delegator's money falling due per Thai fiscal year, instead.")
@click.option("--drafts", is_flag=True, help="The unsigned specs too, marked as drafts.")
@library_option
@settings_option
def obligations_cmd(specs_dir, start, end, ics, money, drafts, library_dir, settings_file):
    """One line per obligation — instalments, evaluations, reports, SLA renewals, the end of the term — with its
    date, agreement and kind (and amount); exit 1 when a spec fails to load (the others are still listed)."""
    from pipeline.api import calendar, load_library, money_by_fiscal_year, obligation_event, obligation_line
    from pipeline.render.ics import calendar as ics_calendar
    from pipeline.spec.settings import load_settings
    from pipeline.store.files import write_atomically

    settings, library = load_settings(settings_file), load_library(library_dir)
    found = calendar(specs_dir, settings, library, drafts=drafts)
    chosen = [o for o in found.obligations if (start is None or o.date >= start) and (end is None or o.date <= end)]
    if money:
        for year, amount in money_by_fiscal_year(chosen).items():
            echo(f"{year}  {amount:,.2f}")
    else:
        for o in chosen:
            echo(obligation_line(o, settings))
    if ics is not None:
        events = [obligation_event(o, settings) for o in chosen]
        write_atomically({ics: ics_calendar(events, f"ภาระผูกพันตามบันทึกข้อตกลง ({specs_dir.name})")})
        echo(f"เขียน {ics} ({len(events)} รายการ) / wrote {ics} ({len(events)} events)", err=True)
    for failure in found.failed:
        echo(f"อ่านไม่ได้ / cannot load: {failure}", err=True)
    if found.failed:
        sys.exit(1)


@cli.command("status")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("workspace"),
    show_default=True,
    help="The workspace `mou serve` works in.",
)
@library_option
@settings_option
def status_cmd(workspace: Path, library_dir: Path | None, settings_file: Path | None) -> None:
    """Each agreement of a workspace with its state, as the browser's list shows it (กำลังกรอก, รอนิติกรตรวจ, สร้างร่างแล้ว,
    ฉบับจริง, ลงนามแล้ว, แก้ไขเพิ่มเติมแล้ว), and how many problems and warnings it has."""
    from pipeline.api import load_library
    from pipeline.questionnaire.pages import to_yaml
    from pipeline.run.status import workspace_status
    from pipeline.spec.settings import load_settings
    from pipeline.store.state import WORDS as STATE_WORDS
    from pipeline.store.workspace import Workspace

    rows = workspace_status(Workspace(workspace, dump=to_yaml), load_settings(settings_file), load_library(library_dir))
    for row in rows:
        th, en = STATE_WORDS[row.state]
        echo(f"{row.name}  {th} / {en}  problems: {row.problem_count}  warnings: {len(row.warnings)}")
    if not rows:
        echo(f"ไม่มีบันทึกข้อตกลงใน {workspace} / no agreement in {workspace}")


@cli.command("backup")
@workspace_option
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The archive: NAME.tar.gz (compressed) or NAME.tar (plain).",
)
def backup_cmd(workspace, out):
    """The workspace's specs, signed copies and outputs, and its office record (the database copied online, with
    SQLite's backup API, while the server may be running) in one archive."""
    from pipeline.store.backup import backup

    count = backup(workspace, out)
    echo(f"เก็บสำรอง {count} ไฟล์ไว้ที่ {out} / backed up {count} files to {out}")


@cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@workspace_option
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def restore_cmd(archive, workspace, settings_file):
    """An archive of `mou backup` put back into an empty (or new) workspace; a workspace with files is refused, and
    so is a member larger than the settings' restore_max_member (2 GB) or than the free space."""
    from pipeline.spec.settings import load_settings
    from pipeline.store.backup import restore

    count = restore(archive, workspace, load_settings(settings_file).restore_max_member)
    echo(f"คืนค่า {count} ไฟล์ลงใน {workspace} / restored {count} files into {workspace}")


@cli.command("remind")
@workspace_option
@click.option("--days", type=click.IntRange(0, 366), default=14, show_default=True, help="What falls due within them.")
@click.option("--dry-run", is_flag=True, help="Print who would get what; send nothing, record nothing.")
@library_option
@settings_option
def remind_cmd(workspace, days, dry_run, library_dir, settings_file):
    """E-mail each user (with an address, not disabled) what of theirs is overdue or falls due within DAYS — a
    coordinator their agreements, a legal officer all — in Thai, with links and an .ics; once a day is enough, and
    nothing is sent twice for the same obligation and day (settings: smtp_host, smtp_port, smtp_security, smtp_user,
    smtp_password_env, mail_from, public_url)."""
    from pipeline.api import load_library
    from pipeline.run.remind import reminders, send
    from pipeline.spec.settings import load_settings

    settings, library = load_settings(settings_file), load_library(library_dir)
    today = dt.date.today()
    found = reminders(workspace, settings, library, days, today)
    for r in found:
        echo(
            f"{'จะส่ง' if dry_run else 'ส่ง'} {r.user} <{r.email}>: เลยกำหนด {len(r.overdue)} ครบกำหนด {len(r.due)} / "
            f"{'would send' if dry_run else 'sending'} {r.user} <{r.email}>: {len(r.overdue)} overdue, {len(r.due)} due"
        )
        if dry_run:
            echo("  " + r.message["Subject"])
    if not found:
        echo("ไม่มีอะไรต้องแจ้งวันนี้ / nothing to remind anyone of today")
    if dry_run or not found:
        return
    failed = send(found, workspace, settings, today)
    for r, why in failed:
        echo(f"ส่งถึง {r.user} ไม่สำเร็จ / not sent to {r.user} <{r.email}>: {why}", err=True)
    echo(f"ส่งแล้ว {len(found) - len(failed)} ฉบับ / {len(found) - len(failed)} sent")
    if failed:
        sys.exit(1)
