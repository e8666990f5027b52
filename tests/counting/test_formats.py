"""Ballot file formats: every real file in the data reads as its README says; bad files fail
with the line and the reason; BLT written and read back is the same profile."""

import io
import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sovet.counting.formats import (
    FormatError,
    parse_blt,
    profile_to_json,
    read_ballots,
    read_blt,
    read_preflib,
    read_ranked_csv,
    write_blt,
)
from sovet.counting.profile import Profile

GLASGOW_2022 = "glasgow_2022_ward13_garscadden_scotstounhill.csv"

# file, candidates, seats, ballots, distinct rankings (None: the README does not say)
REAL = [
    ("glasgow_2007_calton.csv", 10, 3, 5199, 1516),
    ("glasgow_2007_calton.blt", 10, 3, 5199, 1516),
    ("glasgow_2007_pollokshields.blt", 9, 3, 9567, 2367),
    (GLASGOW_2022, 8, 4, 8629, 1483),
    ("portland_2024_district1.blt", 17, 3, 42871, None),
    ("dublin_north_2002.soi", 12, 4, 43942, 19299),
    ("dublin_west_2002.soi", 9, 3, 29988, 10335),
    ("minneapolis_2013_mayor.csv", 36, 1, 80101, None),
]


def first_preferences(profile: Profile) -> dict[str, int]:
    """Ballots by first-ranked candidate, by name."""
    totals: dict[str, int] = {}
    for ranking, weight in profile.ballots.items():
        if ranking:
            name = profile.candidates[ranking[0]]
            totals[name] = totals.get(name, 0) + weight
    return totals


def write(tmp_path: Path, text: str, name: str = "bad.blt") -> Path:
    """A file in tmp_path holding `text`."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(("name", "candidates", "seats", "ballots", "distinct"), REAL)
def test_real_file_reads_as_the_readme_says(
    elections: Path, name: str, candidates: int, seats: int, ballots: int, distinct: int | None
) -> None:
    profile = read_ballots(elections / name)
    assert len(profile.candidates) == candidates
    assert profile.seats == seats
    assert profile.voters == ballots
    if distinct is not None:
        assert len(profile.ballots) == distinct


def test_official_results_name_candidates_the_files_hold(elections: Path) -> None:
    official = json.loads((elections / "official_results.json").read_text())
    for key, election in official.items():
        if key.startswith("_"):
            continue
        for name in election["files"]:
            profile = read_ballots(elections / name, seats=election["seats"])
            assert profile.seats == election["seats"]
            assert profile.voters == election["valid"]
            if "Duke - Wardrop" not in str(profile.candidates):
                assert set(election["elected"]) <= set(profile.candidates), name


def test_calton_first_preferences(elections: Path) -> None:
    for name in ("glasgow_2007_calton.blt", "glasgow_2007_calton.csv"):
        first = first_preferences(read_ballots(elections / name))
        assert first["George Redmond"] == 1982
        assert first["Alison E Thewliss"] == 1143
        assert first["Ruth Simpson"] == 628
        assert first["Fiacra Fullerton"] == 302
        assert first["Kenny Murray"] == 126


def test_portland_first_preferences_in_both_files(elections: Path) -> None:
    expected = {"Candace Avalos": 8297, "Loretta Smith": 5586, "Jamie Dunphy": 5064}
    expected |= {"Noah Ernst": 4052, "Terrence Hayes": 3975, "Steph Routh": 3894}
    blt = read_ballots(elections / "portland_2024_district1.blt")
    votekit = read_ballots(elections / "portland_2024_district1.votekit.csv", seats=3)
    for profile in (blt, votekit):
        first = first_preferences(profile)
        assert {name: first[name] for name in expected} == expected
    assert blt.candidates == votekit.candidates
    assert dict(blt.ballots) == dict(votekit.ballots)


def test_ward13_first_preferences(elections: Path) -> None:
    first = first_preferences(read_ballots(elections / GLASGOW_2022))
    assert (first["Bill Butler"], first["Chris Cunningham"], first["Eva Clark Murray"]) == (
        2403,
        2310,
        940,
    )


def test_minneapolis_first_preferences(elections: Path) -> None:
    """The README's first preferences are the rank1 column. A ballot whose rank1 is an
    undervote (a skipped rank) goes to its rank2 choice here, so the profile's first
    preferences exceed the README's by exactly those ballots (Hodges +21)."""
    path = elections / "minneapolis_2013_mayor.csv"
    profile = read_ballots(path)
    assert "UWI" in profile.candidates
    first = first_preferences(profile)
    rows = [line.split(",") for line in path.read_text().splitlines()[1:]]
    skipped_first: dict[str, int] = {}
    for row in rows:
        if row[0] == "undervote":
            later = [cell for cell in row[1:] if cell != "undervote"]
            if later and later[0] != "overvote":
                skipped_first[later[0]] = skipped_first.get(later[0], 0) + 1
    readme = {"BETSY HODGES": 28935, "MARK ANDREW": 19584}
    readme |= {"DON SAMUELS": 8335, "CAM WINTON": 7511}
    for name, count in readme.items():
        assert first[name] == count + skipped_first.get(name, 0)
    assert skipped_first["BETSY HODGES"] == 21


def test_dublin_party_first_preferences(elections: Path) -> None:
    first = first_preferences(read_ballots(elections / "dublin_north_2002.soi"))
    by_party: dict[str, int] = {}
    for name, count in first.items():
        party = name.rsplit(" ", 1)[1]
        by_party[party] = by_party.get(party, 0) + count
    assert (by_party["F.F."], by_party["F.G."], by_party["Lab"], by_party["G.P."]) == (
        16803,
        5189,
        6359,
        7294,
    )


def test_calton_blt_and_csv_hold_the_same_ballots(elections: Path) -> None:
    blt = read_ballots(elections / "glasgow_2007_calton.blt")
    csv = read_ballots(elections / "glasgow_2007_calton.csv")
    assert dict(blt.ballots) == dict(csv.ballots)
    assert blt.seats == csv.seats
    differing = [(a, b) for a, b in zip(blt.candidates, csv.candidates, strict=True) if a != b]
    assert differing == [("Alasdair Duke - Wardrop", "Alasdair Duke")]


def test_droop_reference_profiles_read(elections: Path) -> None:
    folder = elections / "droop-reference"
    read = 0
    for path in sorted(folder.glob("*.blt")):
        if path.stem in ("eq1", "eq2"):
            continue
        profile = read_blt(path)
        assert profile.voters > 0 and profile.title
        read += 1
    assert read == 8
    assert read_blt(folder / "SCw.blt").withdrawn == frozenset({3})
    assert read_blt(folder / "SC-Vm-12.blt").voters == 4003
    assert read_blt(folder / "M135.blt").title == "M135: Gen v1.1 1 3 45"
    _, options = parse_blt(folder / "M135.blt")
    assert options.source == "Brian Wichmann, email: brian.wichmann@bcs.org.uk"


@pytest.mark.parametrize(("stem", "line"), [("eq1", 4), ("eq2", 3)])
def test_droop_equal_rankings_are_refused_at_their_line(
    elections: Path, stem: str, line: int
) -> None:
    with pytest.raises(FormatError) as caught:
        read_blt(elections / "droop-reference" / f"{stem}.blt")
    assert caught.value.line == line
    assert "equal rankings (b=c) are not supported" in caught.value.reason


# --- BLT variants as OpenSTV, Droop, ERS and Loomio write them ---------------------------


def test_blt_withdrawn_options_comments_and_layout(tmp_path: Path) -> None:
    text = (
        "\ufeff4 2\r\n"
        "# a comment line\r\n"
        "[nick a b c d]\r\n"
        "[withdrawn d]\r\n"
        "-2\r\n"
        "[tie d c b a]\r\n"
        "[droop meek precision=6]\r\n"
        "\r\n"
        "  3  a c 0   # three voters\r\n"
        "2 c a d 0\r\n"
        "1 1 3 0 /* numbers still work */\r\n"
        "2.0\tb - c 0\r\n"
        "1 0\r\n"
        "0\r\n"
        '"  Adam "\r\n"Basil"\r\n"Charlotte #1"\r\n"Donald"\r\n"The title"\r\n'
    )
    profile, options = parse_blt(write(tmp_path, text, "ok.blt"))
    assert profile.candidates == ("Adam", "Basil", "Charlotte #1", "Donald")
    assert profile.withdrawn == frozenset({1, 3})
    assert profile.ballots == {(0, 2): 4, (2, 0, 3): 2, (1, 2): 2, (): 1}
    assert profile.title == "The title"
    assert options.nicknames == ("a", "b", "c", "d")
    assert options.tie_order == (3, 2, 1, 0)
    assert options.droop == ("meek", "precision=6")


def test_blt_as_one_token_stream_like_droop_tests(tmp_path: Path) -> None:
    text = '3 2 4 1 2 0 2 3 0 0 "Castor" "Pollux" "Helen" "Pollux and Helen should tie"'
    profile = read_blt(write(tmp_path, text, "line.blt"))
    assert profile.ballots == {(0, 1): 4, (2,): 2}
    assert profile.title == "Pollux and Helen should tie"


def test_blt_ballot_ids_as_openstv_writes_them(tmp_path: Path) -> None:
    text = '2 1\n(a1) 1 1 2 0\n(a 2) 1 2 0\n(a3) 1 1 2 0\n0\n"A"\n"B"\n"T"\n'
    profile, options = parse_blt(write(tmp_path, text, "ids.blt"))
    assert profile.ballots == {(0, 1): 2, (1,): 1}
    assert options.ballot_ids


def test_blt_without_title_and_with_trailing_material(tmp_path: Path) -> None:
    assert read_blt(write(tmp_path, '1 1\n1 1 0\n0\n"A"\n', "a.blt")).title == ""
    text = '1 1\n1 1 0\n0\n"A"\n"T"\nFirst Prefs\n  1\n'
    assert read_blt(write(tmp_path, text, "b.blt")).title == "T"


BAD_BLT = [
    ("", 0, "the file ends where the number of candidates should be"),
    ("x 1\n", 1, "'x' is not the number of candidates"),
    ("3\n", 1, "the file ends where the number of seats should be"),
    ("0 1\n0\n", 1, "the number of candidates must be at least 1"),
    ("2 0\n0\n", 1, "the number of seats must be at least 1"),
    ("2 1\n-3\n", 2, "withdrawn candidate 3 is not 1..2"),
    ("2 1\n-1 -1\n", 2, "candidate 1 is withdrawn twice"),
    ("2 1\n[frob 1]\n", 2, "unknown option [frob]"),
    ("2 1\n[nick a]\n", 2, "[nick] must list 2 different nicknames"),
    ("2 1\n[tie 1]\n", 2, "[tie] must list all 2 candidates"),
    ("2 1\n1 1 0\n1 3 0\n0\n", 3, "candidate 3 is not 1..2"),
    ("2 1\n1 1 0\n1 2 2 0\n0\n", 3, "candidate 2 is ranked twice on one ballot"),
    ("2 1\n1 1 0\n1 1=2 0\n0\n", 3, "equal rankings (1=2) are not supported"),
    ("2 1\n1 1 0\n1.5 1 0\n0\n", 3, "a ballot weight 1.5 is not a whole number"),
    ("2 1\n1 1 0\n-4 1 0\n0\n", 3, "a ballot weight -4 is negative"),
    ("2 1\n1 1 0\nx 1 0\n0\n", 3, "'x' is not a ballot weight"),
    ("2 1\n1 1 0\n1 x 0\n0\n", 3, "'x' is not a candidate (a number 1..2)"),
    ("2 1\n1 1 0\n1 2 0\n", 3, "the file ends inside the ballots"),
    ("2 1\n1 1 2\n", 2, "the file ends where the 0 that ends a ballot should be"),
    ('2 1\n1 1 2\n"A"\n', 3, "found inside a ballot: its ending 0 is missing"),
    ('2 1\n1 1 0\n0\n"A"\n', 4, "the file ends after 1 of 2 candidate names"),
    ('2 1\n1 1 0\n0\n"A"\nB\n', 5, "'B' found where the name of candidate 2 in quotes"),
    ('2 1\n1 1 0\n0\n"A\n', 4, "the name of candidate 1 is not closed by a quote"),
    ("2 1\n(x) 1 1 0\n1 2 0\n0\n", 3, "some ballots have an (id) and some do not"),
    ("2 1\n(x) 2 1 0\n0\n", 2, "a ballot with an (id) has weight 2, not 1"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_BLT)
def test_bad_blt(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FormatError) as caught:
        read_blt(path)
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason, str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_blt_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.blt"
    path.write_bytes(b'2 1\n1 1 0\n0\n"A"\n"Z\xfcrich"\n"T"\n')
    with pytest.raises(FormatError) as caught:
        read_blt(path)
    assert caught.value.line == 5
    assert "not UTF-8 text (byte 0xfc at column 3)" in caught.value.reason


def test_seats_override_and_unknown_extension(tmp_path: Path) -> None:
    path = write(tmp_path, '2 1\n1 1 0\n0\n"A"\n"B"\n', "ok.blt")
    assert read_ballots(path, seats=2).seats == 2
    with pytest.raises(FormatError) as caught:
        read_ballots(write(tmp_path, "", "ballots.xlsx"))
    assert caught.value.line == 0
    assert "known are .blt, .soi, .toi, .csv" in caught.value.reason


# --- PrefLib ------------------------------------------------------------------------------

PREFLIB_HEAD = (
    "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 3\n# NUMBER VOTERS: 5\n"
    "# NUMBER UNIQUE ORDERS: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n"
    "# ALTERNATIVE NAME 3: C\n"
)


def test_preflib_reads_soi_and_singleton_braces(tmp_path: Path) -> None:
    path = write(tmp_path, PREFLIB_HEAD + "3: 1,2\n2: {3}, 1\n", "ok.toi")
    profile = read_preflib(path)
    assert profile.seats == 1
    assert profile.ballots == {(0, 1): 3, (2, 0): 2}
    assert read_preflib(path, seats=2).seats == 2


BAD_PREFLIB = [
    (PREFLIB_HEAD + "3: 1,2\n2: 1,{2,3}\n", 9, "tied alternatives {2,3} are not supported"),
    (PREFLIB_HEAD + "3: 1,4\n2: 1\n", 8, "alternative '4' is not 1..3"),
    (PREFLIB_HEAD + "3: 1,1\n2: 1\n", 8, "alternative 1 is ranked twice"),
    (PREFLIB_HEAD + "3: 1,2\n", 3, "NUMBER VOTERS says 5 but the file holds 3"),
    (PREFLIB_HEAD + "3: 1,2\n-2: 1\n", 9, "a count of voters -2 is negative"),
    (PREFLIB_HEAD + "3 1,2\n", 8, "is not `count: c1,c2,...`"),
    (PREFLIB_HEAD + "3: 1,,2\n", 8, "an empty place between commas"),
    (PREFLIB_HEAD.replace("# ALTERNATIVE NAME 2: B\n", "") + "1: 1\n", 7, "NAME 2"),
    ("# NUMBER ALTERNATIVES 3\n", 1, "is not a `# KEY: value` header line"),
    ("# TITLE: x\n1: 1\n", 2, "no `# NUMBER ALTERNATIVES: n` line"),
    (PREFLIB_HEAD, 7, "no orders"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_PREFLIB)
def test_bad_preflib(tmp_path: Path, text: str, line: int, reason: str) -> None:
    with pytest.raises(FormatError) as caught:
        read_preflib(write(tmp_path, text, "bad.toi"))
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason, str(caught.value)


# --- CSV ----------------------------------------------------------------------------------

SCOTTISH = '3,1,\n4,1,2,\n2,3,\n"Candidate 1","A","P",\n"Candidate 2","B","Q",\n'


def test_cast_vote_record_rules(tmp_path: Path) -> None:
    text = (
        "Rank1,rank2,RANK3\n"
        "Bo,Al,Bo\n"  # a repeated candidate is ignored after its first rank
        "undervote,Al,Cy\n"  # a skipped rank
        "Bo,overvote,Al\n"  # an overvote ends the ballot
        "overvote,Al,Bo\n"  # so this ballot is blank
        "UWI,,\n"
    )
    profile = read_ranked_csv(write(tmp_path, text, "cvr.csv"))
    assert profile.candidates == ("Al", "Bo", "Cy", "UWI")
    assert profile.ballots == {(1, 0): 1, (0, 2): 1, (1,): 1, (): 1, (3,): 1}
    assert profile.seats == 1 and profile.title == "cvr"
    assert read_ranked_csv(tmp_path / "cvr.csv", seats=2).seats == 2


BAD_CSV = [
    ("", 0, "the file is empty"),
    ("name,party\n", 1, "unknown CSV layout"),
    ("3,1,\n4,1,5,\n", 2, "candidate '5' is not 1..3"),
    ("3,1,\n4,1,1,\n", 2, "candidate 1 is ranked twice"),
    ("3,1,\n-4,1,\n", 2, "a ballot count -4 is negative"),
    ("3,1,\n0,1,\n", 2, "a ballot count of 0"),
    (SCOTTISH, 5, "the file ends after 2 of 3 candidate names"),
    ('3,1,\n4,1,\n"Candidate 2","B","Q",\n', 3, 'expected `"Candidate 1","Name","Party"`'),
    ('1,1,\n4,1,\n"Candidate 1","","Q",\n', 3, "candidate 1 has no name"),
    ('1,1,\n4,1,\n"Candidate 1","A","Q",\n"Ward"\n"More"\n', 5, "a row after the ward name"),
    ('rank1\n"A\n', 2, "bad CSV"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_CSV)
def test_bad_csv(tmp_path: Path, text: str, line: int, reason: str) -> None:
    with pytest.raises(FormatError) as caught:
        read_ranked_csv(write(tmp_path, text, "bad.csv"))
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason, str(caught.value)


# --- Writing and progress -----------------------------------------------------------------

names = st.text(
    alphabet=st.characters(blacklist_characters='"\r\n', blacklist_categories=("Cs", "Zl", "Zp")),
    max_size=12,
).map(str.strip)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """Random profiles BLT can hold: names without quotes or line breaks, weights >= 1."""
    candidates = tuple(draw(st.lists(names, min_size=1, max_size=8)))
    n = len(candidates)
    rankings = st.permutations(range(n)).flatmap(
        lambda order: st.integers(0, n).map(lambda k: tuple(order[:k]))
    )
    ballots = draw(st.dictionaries(rankings, st.integers(1, 10**12), max_size=20))
    return Profile(
        candidates=candidates,
        seats=draw(st.integers(1, n + 2)),
        ballots=ballots,
        withdrawn=frozenset(draw(st.sets(st.integers(0, n - 1), max_size=n))),
        title=draw(names),
    )


@settings(max_examples=300, deadline=None)
@given(profile=profiles())
def test_blt_round_trip(tmp_path_factory: pytest.TempPathFactory, profile: Profile) -> None:
    path = tmp_path_factory.mktemp("blt") / "p.blt"
    write_blt(profile, path)
    assert read_blt(path) == profile
    stream = io.StringIO()
    write_blt(profile, stream)
    assert stream.getvalue() == path.read_text(encoding="utf-8")


def test_write_blt_refuses_quotes() -> None:
    profile = Profile(candidates=('A "the rock"',), seats=1, ballots={(0,): 1})
    with pytest.raises(ValueError, match="holds a quote or a line break"):
        write_blt(profile, io.StringIO())


def test_profile_to_json() -> None:
    profile = Profile(
        candidates=("A", "B", "C"),
        seats=2,
        ballots={(0,): 1, (2, 1): 5, (): 2},
        withdrawn=frozenset({1}),
        title="T",
    )
    assert profile_to_json(profile) == {
        "title": "T",
        "seats": 2,
        "candidates": ["A", "B", "C"],
        "withdrawn": ["B"],
        "ballots": [[5, ["C", "B"]], [2, []], [1, ["A"]]],
    }


def test_progress_reports_bytes_until_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "big.blt"
    with path.open("w") as out:
        out.write("3 1\n")
        for i in range(300_000):
            out.write(f"{1 + i % 3} {1 + i % 3} {1 + (i + 1) % 3} 0\n")
        out.write('0\n"A"\n"B"\n"C"\n"big"\n')
    seen: list[tuple[int, int]] = []
    profile = read_blt(path, progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert profile.voters == 100_000 * (1 + 2 + 3)
    assert len(seen) >= 2 and seen[-1] == (size, size)
    assert all(a[0] < b[0] for a, b in pairwise(seen))


def test_large_files_read_chunk_by_chunk_give_the_same_ballots(tmp_path, monkeypatch):
    """Plain ballot lines are read in bulk, chunk by chunk; a comment, a nickname or a CR
    deep in the file goes through the tokenizer, and the bulk reading resumes after it."""
    import random

    from sovet.counting import formats

    generator = random.Random(7)
    lines, expected = ["[nick a b c d e]"], {}
    for index in range(formats._BLT_CHUNK):
        ranking = tuple(generator.sample(range(5), generator.randint(1, 5)))
        weight = generator.choice((1, 1, 1, 2))
        line = f"{weight} {' '.join(str(c + 1) for c in ranking)} 0"
        if index == 2 * formats._BLT_CHUNK // 12:
            line = f"{weight} {' '.join('abcde'[c] for c in ranking)} 0"
        elif index == 3 * formats._BLT_CHUNK // 12:
            line += "\r"  # CR LF ends a line too
        elif index == 4 * formats._BLT_CHUNK // 12:
            lines.append("# a comment deep in the file")
        lines.append(line)
        expected[ranking] = expected.get(ranking, 0) + weight
    path = tmp_path / "big.blt"
    names = "\n".join(f'"C{i}"' for i in range(5))
    path.write_text("5 2\n" + "\n".join(lines) + f'\n0\n{names}\n"Big"\n')
    in_bulk = []
    judge = formats.plain_lines

    def spy(chunk, keys):
        judged = judge(chunk, keys)
        in_bulk.append(int(judged.plain.sum()))
        return judged

    monkeypatch.setattr(formats, "plain_lines", spy)
    profile = formats.read_blt(path)
    assert dict(profile.ballots) == expected
    assert len(in_bulk) >= 6 and sum(in_bulk) > 0.9 * len(lines)
