"""`sovet count` on every real data file, and its errors."""

import json
import subprocess
import sys

import pytest

from sovet import cli

FILES = [
    ("glasgow_2007_calton.blt", "scottish-stv", None),
    ("glasgow_2007_calton.csv", "scottish-stv", None),
    ("glasgow_2007_pollokshields.blt", "scottish-stv", None),
    ("glasgow_2022_ward13_garscadden_scotstounhill.csv", "scottish-stv", None),
    ("portland_2024_district1.blt", "meek-stv", None),
    ("portland_2024_district1.votekit.csv", "wigm", 3),
    ("dublin_north_2002.soi", "wigm", None),
    ("dublin_west_2002.soi", "scottish-stv", None),
    ("minneapolis_2013_mayor.csv", "irv", None),
]


@pytest.fixture
def official(elections):
    return json.loads((elections / "official_results.json").read_text())


def _official_for(official, name):
    return next(
        entry
        for entry in official.values()
        if isinstance(entry, dict) and name in entry.get("files", [])
    )


@pytest.mark.parametrize(("name", "method", "seats"), FILES)
def test_count_each_data_file_as_json(elections, official, capsys, name, method, seats):
    argv = ["count", str(elections / name), "--method", method, "--json"]
    if seats:
        argv += ["--seats", str(seats)]
    assert cli.main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rounds"]
    if name.startswith("minneapolis"):
        assert result["elected"] == ["BETSY HODGES"]
        return
    entry = _official_for(official, name)
    # Dublin used Irish whole-paper rules: only its elected set is comparable, and the others'
    # files may spell a name differently from the declaration (Calton's BLT).
    assert len(result["elected"]) == entry["seats"]
    if name != "glasgow_2007_calton.blt":
        assert set(result["elected"]) == set(entry["elected"])


def test_table_output(elections, capsys):
    path = elections / "glasgow_2007_calton.csv"
    assert cli.main(["count", str(path), "--method", "scottish-stv"]) == 0
    out = capsys.readouterr().out
    assert "Elected: George Redmond, Alison E Thewliss, Ruth Simpson" in out
    assert "Quota" in out and "Non-transferable" in out
    barton = next(line for line in out.splitlines() if line.startswith("Gary Barton"))
    assert barton.split()[2:] == ["128", "130.40863", "-"]  # excluded in round 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("3 2\n4 1 2 0\n2 7 0\n0\n", ":3: candidate 7 is not 1..3"),
        ("x\n", ":1: 'x' is not the number of candidates"),
    ],
)
def test_bad_files_exit_2_naming_the_line(tmp_path, capsys, content, message):
    path = tmp_path / "bad.blt"
    path.write_text(content)
    assert cli.main(["count", str(path), "--method", "scottish-stv"]) == 2
    assert message in capsys.readouterr().err


def test_unknown_method_and_missing_file(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sovet.cli", "count", "x.blt", "--method", "borda"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "invalid choice: 'borda'" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "sovet.cli", "count", str(tmp_path / "none.blt"), "--method", "irv"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "cannot read" in result.stderr
