"""Syncing YAML banks into the database without losing anyone's progress."""

import textwrap

from quiz.core.scheduling import Phase
from quiz.extensions import db
from quiz.models import Bank, Card, Event, Question, Review
from quiz.study import selection, sessions
from quiz.study import service as study
from quiz.study.selection import next_prompt
from tests.conftest import TEST_BANKS, count_queries

HEADER = """\
title: History
description: Test bank.
era: cold-war
tags: [diplomacy]
questions:
"""


def mc(qid="liaquat", prompt="Which capital did Liaquat visit?", answer="Washington",
       choices=("Washington", "Moscow", "London"), extra=""):
    return textwrap.indent(textwrap.dedent(f"""\
        - id: {qid}
          type: multiple_choice
          prompt: {prompt}
          choices: [{", ".join(choices)}]
          answer: {answer}
          explanation: He chose Washington.
          source: {{article: new-best-friends, section: on-opposite-sides-of-the-cold-war}}
        """) + extra, "  ")


def bank(*questions):
    return HEADER + "".join(questions)


def studied(build, learner, question_id="liaquat", times=2):
    """Answer a question right `times` times through the service, returning its card."""
    session = sessions.start_session(learner, "history", build.now)
    for _ in range(times):
        card = selection.card_for(learner, question_id)
        study.answer(learner, session, question_id, card.answers if card else 0, "Washington",
                     now=build.now, duration_ms=1000, fuzzing=False)
    return selection.card_for(learner, question_id)


def test_sync_loads_banks_and_is_idempotent(build, clock):
    build.now = clock.now
    report = build.banks()
    assert [(b.bank_id, b.added) for b in report.banks] == [("demo", 9)]
    again = build.banks()
    assert [(b.added, b.updated, b.revised, b.retired) for b in again.banks] == [(0, 0, 0, 0)]
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 9
    demo = db.session.get(Question, "demo-order")
    assert demo.spec["items"][0] == "Liaquat Ali Khan chooses Washington"  # from events
    assert db.session.get(Question, "demo-numeric").era == "rapprochement"


def test_sync_runs_the_same_number_of_queries_whatever_the_number_of_questions(build, clock):
    def sync():
        return build.banks(directory, now=clock.now)

    def reworded(name):
        path = directory / name
        path.write_text(path.read_text().replace("Question 0?", "Question zero?"))
        return count_queries(sync)

    directory = build.bank_dir({"other.yaml": bank(mc())})
    sync()  # the events and one bank are in place: each count below is one bank's work
    (directory / "small.yaml").write_text(bank(*(mc(f"s{i}", f"Question {i}?")
                                                 for i in range(3))))
    first_small, reworded_small = count_queries(sync), reworded("small.yaml")
    (directory / "large.yaml").write_text(bank(*(mc(f"l{i}", f"Question {i}?")
                                                 for i in range(30))))
    assert count_queries(sync) == first_small  # new questions are inserted in bulk
    assert reworded("large.yaml") == reworded_small


def test_a_sync_with_nothing_changed_leaves_every_bank_alone(build, clock):
    directory = build.bank_dir({"history.yaml": bank(mc())})
    build.banks(directory)
    db.session.get(Question, "liaquat").citation = "as the sync left it"
    db.session.commit()
    report = build.banks(directory)
    assert [(b.bank_id, b.added, b.updated) for b in report.banks] == [("history", 0, 0)]
    assert db.session.get(Question, "liaquat").citation == "as the sync left it"
    (directory / "history.yaml").write_text(bank(mc(prompt="Which capital did he visit?")))
    assert build.banks(directory).banks[0].updated == 1
    assert db.session.get(Question, "liaquat").citation.startswith("Pakistan-Russia")


def test_a_change_to_sources_or_events_reaches_banks_whose_files_did_not_change(build, clock):
    directory = build.bank_dir({"demo.yaml": (TEST_BANKS / "demo.yaml").read_text()})
    build.banks(directory)
    (directory / "sources.yaml").write_text((directory / "sources.yaml").read_text().replace(
        "title: On Opposite Sides of the Cold War", "title: Opposite sides"))
    (directory / "events.yaml").write_text((directory / "events.yaml").read_text().replace(
        "Liaquat Ali Khan chooses Washington", "Liaquat goes to Washington"))
    report = build.banks(directory)
    assert report.banks[0].updated >= 1 and report.banks[0].revised == 0
    question = db.session.get(Question, "demo-order")
    assert question.citation.endswith("Opposite sides")
    assert question.spec["items"][0] == "Liaquat goes to Washington"


def test_a_bank_whose_file_comes_back_is_applied_again(build, clock):
    directory = build.bank_dir({"history.yaml": bank(mc())})
    build.banks(directory)
    text = (directory / "history.yaml").read_text()
    (directory / "history.yaml").unlink()
    assert build.banks(directory).banks[0].retired == 1
    (directory / "history.yaml").write_text(text)
    build.banks(directory)
    assert db.session.get(Question, "liaquat").retired_at is None


def test_a_broken_bank_is_reported_by_every_sync_until_it_is_fixed(build, clock):
    directory = build.bank_dir({"history.yaml": bank(mc()), "broken.yaml": bank(mc("Bad Id"))})
    for _ in range(2):
        report = build.banks(directory)
        assert list(report.skipped) == [str(directory / "broken.yaml")]


def test_sync_does_not_look_for_near_duplicate_prompts(build, clock):
    directory = build.bank_dir({"history.yaml": bank(mc("a"), mc("b"))})
    report = build.banks(directory)
    assert [b.added for b in report.banks] == [2]
    assert [p for p in report.problems if p.code == "near-duplicate"] == []


def test_editing_wording_keeps_every_learners_fsrs_state(build, clock):
    build.now = clock.now
    directory = build.bank_dir({"history.yaml": bank(mc())})
    build.banks(directory)
    learner = build.user()
    before = studied(build, learner)
    assert before.phase == Phase.REVIEW
    (directory / "history.yaml").write_text(bank(mc(
        prompt="In 1949, which capital did Liaquat Ali Khan visit?",
        choices=("London", "Washington", "Paris"))))
    report = build.banks(directory)
    assert report.banks[0].updated == 1 and report.banks[0].revised == 0
    db.session.expire_all()
    after = db.session.get(Card, before.id)
    assert (after.phase, after.due, after.stability, after.reps) == (
        Phase.REVIEW, before.due, before.stability, 2)
    assert not after.revised


def test_changing_the_answer_resets_the_card_keeps_history_and_tells_the_learner(
        build, clock, browser):
    build.now = clock.now
    directory = build.bank_dir({"history.yaml": bank(mc())})
    build.banks(directory)
    learner = build.user(email="rev@example.org")
    card = studied(build, learner)
    (directory / "history.yaml").write_text(bank(mc(answer="Moscow")))
    report = build.banks(directory)
    assert report.banks[0].revised == 1
    db.session.expire_all()
    card = db.session.get(Card, card.id)
    assert card.phase == Phase.NEW and card.reps == 0 and card.revised
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 2
    browser.login("rev@example.org")
    start = browser.post("/banks/history/sessions")
    page = browser.get(start.headers["Location"]).get_data(as_text=True)
    assert "This question was revised since you last studied it" in page


def test_removing_a_question_retires_it_and_keeps_its_history(build, clock):
    build.now = clock.now
    directory = build.bank_dir({"history.yaml": bank(mc(), mc(qid="other"))})
    build.banks(directory)
    learner = build.user()
    studied(build, learner, times=1)
    (directory / "history.yaml").write_text(bank(mc(qid="other")))
    report = build.banks(directory)
    assert report.banks[0].retired == 1
    retired = db.session.get(Question, "liaquat")
    assert retired.retired_at == clock.now
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1
    clock.advance(days=400)
    prompt = next_prompt(learner, sessions.start_session(learner, "history", clock.now), clock.now)
    assert prompt is not None and prompt.question.id == "other"


def test_replaces_carries_progress_over_to_the_new_id(build, clock):
    build.now = clock.now
    directory = build.bank_dir({"history.yaml": bank(mc(qid="old-id"))})
    build.banks(directory)
    learner = build.user()
    old_card = studied(build, learner, question_id="old-id")
    (directory / "history.yaml").write_text(bank(mc(qid="new-id", extra="  replaces: old-id\n")))
    report = build.banks(directory)
    assert report.banks[0].replaced == 1
    db.session.expire_all()
    card = db.session.get(Card, old_card.id)
    assert card.question_id == "new-id" and card.phase == Phase.REVIEW and card.reps == 2
    assert db.session.get(Question, "old-id").retired_at is not None


def test_a_broken_bank_is_skipped_and_the_others_still_load(build, clock):
    build.now = clock.now
    directory = build.bank_dir({"history.yaml": bank(mc()),
                                "broken.yaml": bank(mc(qid="fine"), mc(qid="Bad Id"))})
    report = build.banks(directory)
    assert [b.bank_id for b in report.banks] == ["history"]
    assert str(directory / "broken.yaml") in report.skipped
    assert db.session.get(Bank, "broken") is None
    assert db.session.get(Question, "fine") is None  # nothing half-loaded


def test_a_bank_that_breaks_later_keeps_its_last_good_version(build, clock):
    build.now = clock.now
    directory = build.bank_dir({"history.yaml": bank(mc())})
    build.banks(directory)
    (directory / "history.yaml").write_text(bank(mc()) + "  - id: [oops\n")
    report = build.banks(directory)
    assert report.skipped and report.banks == []
    assert db.session.get(Question, "liaquat").retired_at is None


def test_the_sync_command_reports_per_bank_and_is_safe_to_rerun(app, build):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["questions", "sync"])
    assert first.exit_code == 0, first.output
    assert "demo: 9 added" in first.output
    second = runner.invoke(args=["questions", "sync"])
    assert "demo: 0 added, 0 updated, 0 revised, 0 retired" in second.output


def test_a_broken_event_skips_only_the_banks_that_use_it(build, clock):
    build.now = clock.now
    events = (TEST_BANKS / "events.yaml").read_text().replace(
        "section: on-opposite-sides-of-the-cold-war}}\n  - {id: indo-pak-war-1965",
        "section: no-such-section}}\n  - {id: indo-pak-war-1965", 1)
    directory = build.bank_dir({"history.yaml": bank(mc()),
                                "demo.yaml": (TEST_BANKS / "demo.yaml").read_text()})
    (directory / "events.yaml").write_text(events)
    report = build.banks(directory)
    assert [b.bank_id for b in report.banks] == ["history"]  # demo orders the broken event
    assert str(directory / "demo.yaml") in report.skipped
    assert db.session.get(Event, "indo-pak-war-1965") is not None
    assert db.session.get(Event, "liaquat-washington") is None


def test_rewording_a_distractor_or_an_event_title_keeps_progress(build, clock):
    build.now = clock.now
    build.banks()
    learner = build.user()
    session = sessions.start_session(learner, "demo", clock.now)
    for qid, response in (("demo-mc", "Washington"), ("demo-tf", "true"),
                          ("demo-ms", ["CENTO", "SEATO"])):
        study.answer(learner, session, qid, 0, response, now=clock.now, duration_ms=1,
                     fuzzing=False)
    directory = build.bank_dir({"demo.yaml": (TEST_BANKS / "demo.yaml").read_text()
                                .replace("Warsaw Pact", "The Warsaw Pact")})
    (directory / "events.yaml").write_text((TEST_BANKS / "events.yaml").read_text()
                                           .replace("The Indo-Pakistani war", "The 1965 war"))
    report = build.banks(directory)
    assert report.banks[0].revised == 0
    assert db.session.scalars(db.select(Card).where(Card.revised.is_(True))).first() is None
