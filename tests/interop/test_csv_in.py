"""A spreadsheet of simple questions becomes a bank file that lints clean, or its bad rows are
named."""

from __future__ import annotations

import pytest

from quiz.banks.loader import load_catalog
from quiz.interop import csv_in
from tests.conftest import TEST_BANKS

SOURCE = "new-best-friends/on-opposite-sides-of-the-cold-war"
ROWS = [
    ("multiple choice", "Which capital did Liaquat Ali Khan visit in 1950?", "Washington",
     "Washington|Moscow|London", "He chose Washington.", "diplomacy"),
    ("multiple_select", "Which pacts did Pakistan join?", "CENTO|SEATO",
     "CENTO|SEATO|Warsaw Pact", "Both US-led.", ""),
    ("true_false", "The Soviet Union built Pakistan Steel Mills.", "TRUE", "",
     "Soviet engineers built it.", ""),
    ("true/false", "Pakistan joined the Warsaw Pact.", "false", "", "It joined US-led pacts.", ""),
    ("short answer", "Who piloted the U-2 shot down in 1960?", "Gary Powers|Francis Gary Powers",
     "", "It left from Peshawar.", ""),
    ("numeric", "How long is the planned pipeline in km?", "1100 ± 50", "",
     "It links Karachi and Lahore.", "energy-economy"),
    ("flashcard", "CENTO", "Central Treaty Organization", "", "A US-led pact.", ""),
]
GOOD = "Kind,Prompt,Answer,Choices,Explanation,Source,Tags\n" + "".join(
    f"{kind},{prompt},{answer},{choices},{why},{SOURCE},{tags}\n"
    for kind, prompt, answer, choices, why, tags in ROWS)


def run(app, tmp_path, text: str, *extra: str):
    path = tmp_path / "Arms Deals.csv"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["questions", "import-csv", str(path),
                                              "--out", str(tmp_path / "out" / "arms-deals.yaml"),
                                              "--era", "cold-war", "--tag", "diplomacy", *extra])


def test_a_spreadsheet_becomes_a_bank_that_lints_clean(app, tmp_path):
    result = run(app, tmp_path, GOOD)
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "arms-deals.yaml"
    catalog = load_catalog(TEST_BANKS, only=[out])
    assert catalog.problems_in(str(out)) == []
    bank = catalog.banks["arms-deals"]
    assert bank.title == "Arms deals" and bank.era == "cold-war"
    models = {q.model.id: q.model for q in bank.questions}
    assert [m.type for m in models.values()] == [
        "multiple_choice", "multiple_select", "true_false", "true_false", "short_answer",
        "numeric", "flashcard"]
    assert models["arms-deals-1"].answer == "Washington"
    assert models["arms-deals-2"].answers == ["CENTO", "SEATO"]
    assert models["arms-deals-3"].answer is True and models["arms-deals-4"].answer is False
    assert models["arms-deals-5"].accept == ["Francis Gary Powers"]
    assert (models["arms-deals-6"].answer, models["arms-deals-6"].tolerance) == (1100, 50)
    assert set(models["arms-deals-6"].tags) == {"energy-economy", "diplomacy"}
    assert models["arms-deals-7"].back == "Central Treaty Organization"


def test_bad_rows_are_named_by_row_and_nothing_is_written(app, tmp_path):
    bad = GOOD.replace("1100 ± 50", "about 1100").replace(",TRUE,", ",maybe,").replace(
        "Washington,Washington|Moscow", "Paris,Washington|Moscow")
    bad += f"essay,Why?,Because,,Reasons.,{SOURCE},\n"
    bad += "flashcard,Front,Back,,Reason.,no-such-article/nowhere,\n"
    result = run(app, tmp_path, bad)
    assert result.exit_code == 1
    assert "row 4: a true/false answer is true or false, not 'maybe'" in result.output
    assert "row 7: a numeric answer is a number" in result.output
    assert "row 9: unknown kind 'essay'" in result.output
    assert not (tmp_path / "out").exists()
    # Rows that only the bank linter can judge are named by row too.
    bad = GOOD.replace("Washington,Washington|Moscow", "Paris,Washington|Moscow")
    bad += "flashcard,Front,Back,,Reason.,no-such-article/nowhere,\n"
    result = run(app, tmp_path, bad)
    assert result.exit_code == 1
    assert "row 2:" in result.output and "answer-not-in-choices" in result.output
    assert "row 9:" in result.output and "no-such-article" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "message"), [
    ("kind,prompt\n", "row 1: missing column(s): answer, explanation, source"),
    ("kind,prompt,answer,explanation,source,colour\n", "row 1: unknown column(s): colour"),
    ("kind,prompt,answer,explanation,source\n", "row 2: no questions"),
    ("kind,prompt,answer,explanation,source\nflashcard,a,b\n", "row 2: 3 cells where"),
])
def test_a_sheet_of_the_wrong_shape_is_refused(text, message):
    conversion = csv_in.convert(text, bank_id="b", title="B", description="d", era="cold-war")
    assert message in str(conversion.errors[0])


def test_ids_are_unique_and_an_existing_bank_is_never_overwritten(app, tmp_path):
    twice = f"id,kind,prompt,answer,explanation,source\nx-1,flashcard,a,b,c,{SOURCE}\n" \
            f"x-1,flashcard,d,e,f,{SOURCE}\n"
    result = run(app, tmp_path, twice)
    assert "row 3: id 'x-1' is already the id of row 2" in result.output
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "arms-deals.yaml").write_text("kept")
    assert run(app, tmp_path, GOOD).exit_code != 0
    assert (tmp_path / "out" / "arms-deals.yaml").read_text() == "kept"
