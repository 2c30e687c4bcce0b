"""The ``controlroom`` command: validate and msel, through CliRunner and as a real process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from controlroom.cli import main
from controlroom.scenario import InjectFile, load_scenario
from tests.support.scenario_folders import MINI, copy_mini, edit, line_of

CONTROLROOM = Path(sys.executable).parent / "controlroom"
MINI_SUMMARY = "\n".join(
    [
        "mini: 2 teams, 2 roles, 1 case, 4 injects, 2 cues, languages en, ru",
        "run sheet: 0 sets, least gap between a role's scenes 10m, a scene holds its set 20m",
        "  caller: 1 scene, at D1 09:25",
        "  worker: 1 scene, at D2 10:05",
    ]
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def broken_mini(tmp_path: Path) -> Path:
    folder = copy_mini(tmp_path)
    edit(folder / "injects" / "02-day2.yaml", "role: worker", "role: wroker")
    edit(folder / "injects" / "02-day2.yaml", "at: D2 10:15", "at: D7 10:15")
    return folder


def test_validate_a_valid_scenario(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(MINI)])
    assert result.exit_code == 0
    assert result.output == MINI_SUMMARY + "\n"


def test_validate_prints_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    folder = broken_mini(tmp_path)
    day2 = folder / "injects" / "02-day2.yaml"
    result = runner.invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"mini/injects/02-day2.yaml:{line_of(day2, 'at: D7')}: injects[0].at: "
        "scenario time 'D7 10:15' is after the last day of the exercise (D2)",
        f"mini/injects/02-day2.yaml:{line_of(day2, 'role: wroker')}: injects[0].cues[0].role: "
        "unknown role 'wroker' (did you mean 'worker'?)",
        "2 problems in mini",
    ]


def test_validate_a_folder_of_scenarios(runner: CliRunner, tmp_path: Path) -> None:
    copy_mini(tmp_path / "all", "good")
    bad = copy_mini(tmp_path / "all", "bad")
    (bad / "scenario.yaml").write_text("title: [\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", str(tmp_path / "all")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("bad/scenario.yaml:2: YAML syntax error")
    assert lines[-5:] == ["1 problem in bad", *MINI_SUMMARY.replace("mini:", "good:").splitlines()]


def test_validate_an_empty_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "no scenario found" in result.output


def test_validate_a_missing_path(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_validate_as_a_real_process(tmp_path: Path) -> None:
    valid = subprocess.run(
        [CONTROLROOM, "validate", MINI], capture_output=True, text=True, check=False
    )
    assert (valid.returncode, valid.stdout) == (0, MINI_SUMMARY + "\n")
    invalid = subprocess.run(
        [CONTROLROOM, "validate", broken_mini(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert invalid.returncode == 1
    assert invalid.stdout.endswith("2 problems in mini\n")


def test_msel_export_to_stdout(runner: CliRunner) -> None:
    result = runner.invoke(main, ["msel", "export", str(MINI), "--lang", "ru"])
    assert result.exit_code == 0
    assert result.output.startswith("Number,Scenario time,Delivery method,")
    assert "Анонимный звонящий" in result.output


def test_msel_export_of_an_invalid_scenario(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["msel", "export", str(broken_mini(tmp_path))])
    assert result.exit_code == 1
    assert "2 problems in mini" in result.output


def test_msel_export_unknown_language(runner: CliRunner) -> None:
    result = runner.invoke(main, ["msel", "export", str(MINI), "--lang", "kk"])
    assert result.exit_code == 2
    assert "no language 'kk'" in result.output


def test_msel_export_then_import_into_the_scenario(runner: CliRunner, tmp_path: Path) -> None:
    sheet, out = tmp_path / "msel.csv", tmp_path / "imported.yaml"
    exported = runner.invoke(main, ["msel", "export", str(MINI), "-o", str(sheet), "--lang", "ru"])
    assert exported.exit_code == 0
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM for spreadsheets
    args = ["msel", "import", str(sheet), "--out", str(out), "--scenario", str(MINI)]
    imported = runner.invoke(main, [*args, "--lang", "ru"])
    assert imported.exit_code == 0, imported.output
    assert imported.output == f"4 injects written to {out}\n"
    injects = InjectFile.model_validate(yaml.safe_load(out.read_text(encoding="utf-8"))).injects
    original = load_scenario(MINI).injects_by_id
    assert {inject.id: inject.title["ru"] for inject in injects} == {
        key: inject.title["ru"] for key, inject in original.items()
    }


def test_msel_import_with_a_map(runner: CliRunner, tmp_path: Path) -> None:
    sheet, out = tmp_path / "sheet.csv", tmp_path / "new.yaml"
    sheet.write_text(
        "Inject No,When,Method,From,To,Description\nN-1,D1 11:00,Walk-in,Visitor,labour,Hello\n",
        encoding="utf-8",
    )
    args = ["msel", "import", str(sheet), "--out", str(out)]
    result = runner.invoke(
        main, [*args, "--map", "Inject No=number", "--map", "When=Scenario Time"]
    )
    assert result.exit_code == 0, result.output
    [inject] = InjectFile.model_validate(yaml.safe_load(out.read_text(encoding="utf-8"))).injects
    assert (inject.id, inject.at, inject.channel, inject.title) == (
        "N-1",
        "D1 11:00",
        "walk-in",
        {"en": "Hello"},
    )


def test_msel_import_bad_rows(runner: CliRunner, tmp_path: Path) -> None:
    sheet, out = tmp_path / "sheet.csv", tmp_path / "new.yaml"
    sheet.write_text(
        "Number,Scenario time,Delivery method,From,To,Description\n"
        "N-1,D1 11:00,Pigeon,Visitor,labour,Hello\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["msel", "import", str(sheet), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{sheet}:2: Delivery method: unknown delivery method 'Pigeon'",
        f"1 problem in {sheet}; nothing written",
    ]
    assert not out.exists()


def test_msel_import_bad_map(runner: CliRunner, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("Number\n", encoding="utf-8")
    args = ["msel", "import", str(sheet), "--out", str(tmp_path / "x.yaml"), "--map", "A=b"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "bad column mapping 'A=b'" in result.output


def test_the_sample_exercise_validates_with_its_counts() -> None:
    """The sample scenario in injects/ is valid and as big as the brief asks."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [str(Path(sys.executable).parent / "controlroom"), "validate", "injects/trafficking-week"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    counts = re.match(
        r"trafficking-week: (\d+) teams, (\d+) roles, (\d+) cases, (\d+) injects, (\d+) cues, "
        r"languages en, ru$",
        done.stdout.splitlines()[0],
    )
    assert counts, done.stdout
    teams, roles, cases, injects, _cues = (int(n) for n in counts.groups())
    assert teams >= 6 and roles >= 10 and cases == 4 and injects >= 60
