"""The ``controlroom`` command line. Scenario commands: see docs/scenario.md.

Each command is one small function over the library: add new ones with ``@main.command()``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from controlroom.scenario import (
    Scenario,
    ScenarioInvalid,
    load_scenario,
    load_scenario_file,
    msel_map,
    msel_scenario,
    summary,
)
from controlroom.scenario import msel as msel_csv
from controlroom.scenario.loader import is_scenario, scenario_folders, validate_scenario
from controlroom.scenario.schedule_summary import run_sheet_summary

FOLDER = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group()
def main() -> None:
    """Control Room: the realtime control room for live simulation exercises."""


@main.command()
@click.argument("path", type=FOLDER)
def validate(path: Path) -> None:
    """Check a scenario folder, or every scenario in a folder of scenarios.

    Prints each problem as file:line: field: message and exits 1 when there are any.
    """
    folders = [path] if is_scenario(path) else scenario_folders(path)
    if not folders:
        click.echo(f"no scenario found in {path} (a scenario folder holds scenario.yaml)")
        sys.exit(1)
    failed = False
    for folder in folders:
        result, conflicts = validate_scenario(folder)
        if isinstance(result, ScenarioInvalid):
            click.echo(str(result))
            failed = True
            continue
        click.echo(summary(result))
        click.echo(run_sheet_summary(result))
        for problem in conflicts:
            click.echo(str(problem))
        if conflicts:
            count = f"{len(conflicts)} schedule conflict{'' if len(conflicts) == 1 else 's'}"
            click.echo(f"{count} in {result.id}")
            failed = True
    if failed:
        sys.exit(1)


@main.group()
def msel() -> None:
    """The MSEL spreadsheet (CSV or XLSX with the HSEEP columns): export and import."""


@msel.command("export")
@click.argument("scenario", type=FOLDER)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="CSV or XLSX file"
)
@click.option("--lang", help="language of the texts (default: the scenario's original)")
def msel_export(scenario: Path, output: Path | None, lang: str | None) -> None:
    """Write SCENARIO's MSEL as CSV (to stdout without -o), or as XLSX (sheets for injects,
    cues and cases) when the output's name ends in .xlsx."""
    try:
        loaded = load_scenario(scenario)
    except ScenarioInvalid as invalid:
        click.echo(str(invalid), err=True)
        sys.exit(1)
    xlsx = output is not None and output.suffix.lower() == ".xlsx"
    try:
        data: str | bytes = (
            msel_csv.export_xlsx(loaded, lang) if xlsx else msel_csv.export_msel(loaded, lang)
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    if output is None:
        click.echo(data, nl=False)
    elif isinstance(data, bytes):
        output.write_bytes(data)
    else:  # with a BOM, so that spreadsheets open Cyrillic text right
        output.write_text(data, encoding="utf-8-sig", newline="")


@msel.command("import")
@click.argument(
    "sheet_file", metavar="SHEET", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="inject YAML file")
@click.option(
    "--new-scenario",
    "new_scenario",
    type=click.Path(file_okay=False, path_type=Path),
    help="make a new scenario folder of the sheet (its teams and objectives from its values)",
)
@click.option("--title", help="the new scenario's title (default: the folder's name)")
@click.option("--lang", help="language of the sheet (default: the scenario's original, or en)")
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="MAPPING.yaml: 'columns:' (header: our column) and 'values:' (per column)",
)
@click.option("--map", "mapping", multiple=True, metavar="'Header=column'", help="map a header")
@click.option("--scenario", type=FOLDER, help="check teams and objectives against this scenario")
def msel_import(
    sheet_file: Path,
    out: Path | None,
    new_scenario: Path | None,
    title: str | None,
    lang: str | None,
    mapping_file: Path | None,
    mapping: tuple[str, ...],
    scenario: Path | None,
) -> None:
    """Turn an MSEL sheet (CSV in any encoding Excel writes, or XLSX) into an inject file
    for a scenario's injects/ folder (--out), or into a new scenario (--new-scenario)."""
    if (out is None) == (new_scenario is None):
        raise click.UsageError("give one of --out FILE or --new-scenario DIR")
    if new_scenario is not None and scenario is not None:
        raise click.UsageError("--new-scenario takes its teams from the sheet: no --scenario")
    try:
        header = load_scenario_file(scenario) if scenario is not None else None
    except ScenarioInvalid as invalid:
        click.echo(str(invalid), err=True)
        sys.exit(1)
    language = lang or (header.languages[0] if header is not None else "en")
    try:
        plan = (
            msel_map.parse_mapping_yaml(mapping_file.read_text("utf-8"), str(mapping_file))
            if mapping_file is not None
            else msel_map.MselMapping()
        )
        plan = plan.with_columns(msel_csv.parse_mapping(list(mapping)))
        result = msel_csv.import_sheet(
            sheet_file.read_bytes(),
            language,
            name=str(sheet_file),
            mapping=plan,
            scenario=header,
        )
    except (msel_csv.MselError, UnicodeDecodeError) as error:
        raise click.UsageError(str(error)) from error
    for column in result.ignored_columns:
        click.echo(f"{sheet_file}: ignored column {column!r}", err=True)
    if result.problems:
        for problem in result.problems:
            click.echo(str(problem))
        count = len(result.problems)
        click.echo(f"{count} problem{'' if count == 1 else 's'} in {sheet_file}; nothing written")
        sys.exit(1)
    if out is not None:
        out.write_text(result.yaml(), encoding="utf-8")
        click.echo(f"{len(result.injects)} injects written to {out}")
        return
    assert new_scenario is not None
    files = msel_scenario.new_scenario_files(result, language, title or new_scenario.name)
    try:
        made = msel_scenario.write_new_scenario(new_scenario, files)
    except FileExistsError as error:
        raise click.UsageError(str(error)) from error
    except ScenarioInvalid as invalid:
        click.echo(str(invalid))
        click.echo(f"the sheet does not make a valid scenario; nothing written to {new_scenario}")
        sys.exit(1)
    click.echo(f"{new_scenario}: {summary(made)}")


def _serve(host: str, port: int, workers: int, app: str | None = None) -> None:
    from controlroom.access.secret import SecretKeyError, load_secret
    from controlroom.server import APP
    from controlroom.server import serve as run_server
    from controlroom.settings import Settings

    settings = Settings.from_environ()
    try:  # refuse to start on a bad key here, with the reason and no traceback
        load_secret(settings)
    except SecretKeyError as error:
        click.echo(f"controlroom: cannot start: {error}", err=True)
        sys.exit(1)
    run_server(settings, host=host, port=port, workers=workers, app=app or APP)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, help="port to listen on")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    envvar="WEB_CONCURRENCY",
    help="worker processes (Redis mode; WEB_CONCURRENCY as under honcho)",
)
@click.option("--app", hidden=True, help="another app factory (tests: the test factory)")
def serve(host: str, port: int, workers: int, app: str | None) -> None:
    """Serve every scenario in injects/ and every exercise in the data folder."""
    _serve(host, port, workers, app)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, help="port to listen on")
def demo(host: str, port: int) -> None:
    """Prepare the demo exercise (sample scenario, demo accounts) and serve it."""
    import asyncio
    import os

    from controlroom.demo import DEMO_SCENARIO, prepare_demo
    from controlroom.package_data import samples_dir
    from controlroom.settings import Settings

    os.environ.setdefault("CONTROLROOM_DATA_DIR", "data/demo")
    if not Path("injects", DEMO_SCENARIO).is_dir():  # not in a checkout: the packaged samples
        os.environ.setdefault("CONTROLROOM_INJECTS_DIR", str(samples_dir()))
    settings = Settings.from_environ()
    prepared = asyncio.run(prepare_demo(settings))
    base = f"http://{host}:{port}"
    click.echo(
        f"\nControl Room demo: {base}\n"
        f"  sign in as director, controller or observer; password: {prepared.password}\n"
        f"  the exercise: {base}/exercises/{prepared.exercise}\n"
        f"  join links and QR codes for teams and actors: "
        f"{base}/exercises/{prepared.exercise}/devices/sheet\n"
    )
    _serve(host, port, 1)


def _journal(exercise: str) -> list[Any]:
    """The exercise's journal from the configured store, read only (exit 1 if there is none)."""
    import asyncio

    from controlroom.review.source import read_journal
    from controlroom.settings import Settings

    try:
        return asyncio.run(read_journal(Settings.from_environ().journal, exercise))
    except (KeyError, ValueError) as error:
        click.echo(
            f"controlroom: no exercise {exercise!r} in the journal store ({error})", err=True
        )
        sys.exit(1)


@main.command()
@click.argument("exercise")
@click.option("--team", help="replay what this team saw")
@click.option("--role", help="replay what this actor role saw")
@click.option("--control", "as_control", is_flag=True, help="replay control's view")
@click.option("--at", "at", help='the scenario time, e.g. "D2 11:40"')
@click.option("--seq", type=int, help="or the journal position (the last event folded in)")
def replay(
    exercise: str,
    team: str | None,
    role: str | None,
    as_control: bool,
    at: str | None,
    seq: int | None,
) -> None:
    """Print what a team, an actor role or control saw at a moment, as JSON (never writes)."""
    from controlroom.access.identity import actor_audience, team_audience
    from controlroom.review.replay import NoSuchMoment, moment_at, moment_of, replay_json
    from controlroom.review.replay import replay as replay_view
    from controlroom.scenario.time import parse_time

    chosen = [a for a in (team and team_audience(team), role and actor_audience(role)) if a]
    audiences = chosen + (["control"] if as_control else [])
    if len(audiences) != 1 or (at is None) == (seq is None):
        raise click.UsageError("give one of --team, --role, --control and one of --at, --seq")
    events = _journal(exercise)
    try:
        moment = (
            moment_of(events, seq) if seq is not None else moment_at(events, parse_time(at or ""))
        )
        replayed = replay_view(events, audiences[0], moment, exercise)
    except (NoSuchMoment, ValueError) as error:
        raise click.UsageError(str(error)) from None
    except KeyError:
        raise click.UsageError(f"no such team or role in {exercise}: {audiences[0]}") from None
    click.echo(replay_json(replayed).decode())


@main.command("export")
@click.argument("exercise")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="ZIP"
)
@click.option("--lang", default="en", show_default=True, help="language of the tables")
def export_command(exercise: str, output: Path, lang: str) -> None:
    """Write EXERCISE's after-action export (journal, scenario as run, MSEL with actual times,
    observations, debrief packs) to a ZIP file. Reads the journal; never writes to it."""
    from controlroom.i18n import LANGUAGES, Catalogues
    from controlroom.package_data import web_dir
    from controlroom.review.export import export_zip
    from controlroom.web.console.debrief_sheets import pack_csv_rows, pack_sheets
    from controlroom.web.console.schedule_sheets import schedule_table

    if lang not in LANGUAGES:
        raise click.UsageError(f"--lang is one of {', '.join(LANGUAGES)}")
    events = _journal(exercise)
    gettext = Catalogues(web_dir() / "locale").get(lang).gettext
    scenario = _scenario(events, exercise)
    content = export_zip(
        events,
        lambda pack: pack_sheets(pack, scenario, lang, gettext),
        csv_rows=pack_csv_rows,
        schedule=lambda state: schedule_table(state, lang, gettext),
    )
    output.write_bytes(content)
    click.echo(f"{output}: {len(events)} events, {len(content)} bytes")


def _scenario(events: list[Any], exercise: str) -> Scenario:
    from controlroom.live.runtime import scenario_of

    try:
        return scenario_of(events, exercise)
    except ValueError as error:
        click.echo(f"controlroom: {error}", err=True)
        sys.exit(1)


@main.command()
def settings() -> None:
    """Print every setting as the README's Markdown table."""
    from controlroom.settings import help_table

    click.echo("| variable | default | what it does |\n|---|---|---|")
    for name, default, help_text in help_table():
        click.echo(f"| `{name}` | `{default}` | {help_text} |")
