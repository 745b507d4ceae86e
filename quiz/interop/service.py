"""What the exchange pages and commands need from the database: a bank's questions for the
exporters, a learner's schedule for Anki, a finished test's selection, and Anki review logs
taken in."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import selectinload

from quiz.accounts import audit
from quiz.core import clock, scheduling
from quiz.core.scheduling import Phase, Rating
from quiz.extensions import db
from quiz.interop import anki, anki_scheduling, gift, moodle, revlog
from quiz.interop.items import KIND_TITLES, Item
from quiz.models import Bank, Card, Question, Review, SessionKind, StudySession, User
from quiz.study import selection, tallies, tuning
from quiz.study.policy import fuzz_seed, parameters_of, policy_for


def _item(question: Question) -> Item:
    return Item(id=question.id, bank_id=question.bank_id, model=selection.load_question(question),
                citation=question.citation, era=question.era, tags=tuple(question.tag_names))


def _questions(condition) -> list[Question]:
    return list(db.session.scalars(
        db.select(Question).options(selectinload(Question.tags))
        .where(condition, Question.retired_at.is_(None)).order_by(Question.position)))


@dataclass(frozen=True)
class BankExport:
    """A bank and its questions that can still be asked, ready for the exporters."""

    bank: Bank
    items: list[Item]


def bank_export(bank_id: str) -> BankExport | None:
    """The bank and its live questions, or None if there is no such bank with questions."""
    bank = db.session.get(Bank, bank_id)
    if bank is None:
        return None
    return BankExport(bank, [_item(q) for q in _questions(Question.bank_id == bank_id)])


def _deck(export: BankExport) -> anki.Deck:
    return anki.Deck(export.bank.id, export.bank.title, export.bank.description, export.items)


def anki_package(export: BankExport, *, now: datetime) -> bytes:
    """The bank as an .apkg with new cards (anyone may download it)."""
    return anki.package(_deck(export), timestamp=now.timestamp())


def anki_package_with_scheduling(export: BankExport, user: User, *, now: datetime) -> bytes:
    """The bank as an .apkg carrying `user`'s own schedule and answers (theirs only)."""
    ids = [item.id for item in export.items]
    cards = db.session.scalars(db.select(Card).where(Card.user_id == user.id,
                                                     Card.question_id.in_(ids))).all()
    answers = defaultdict(list)
    for review in db.session.scalars(
            db.select(Review).where(Review.user_id == user.id, Review.scheduled.is_(True),
                                    Review.card_id.in_([card.id for card in cards]))
            .order_by(Review.reviewed_at, Review.id)):
        answers[review.card_id].append(anki_scheduling.PastAnswer(
            at=review.reviewed_at, rating=review.rating, phase_before=review.phase_before,
            duration_ms=review.duration_ms, due_after=review.due_after))
    states = [anki_scheduling.CardState(
        question_id=card.question_id, phase=card.phase, step=card.step,
        stability=card.stability, difficulty=card.difficulty, due=card.due,
        last_review=card.last_review, reps=card.reps, lapses=card.lapses,
        suspended=card.suspended_at is not None, answers=answers[card.id]) for card in cards]
    settings = anki_scheduling.Settings(
        desired_retention=user.desired_retention, parameters=parameters_of(user),
        learning_steps=scheduling.parse_steps(user.learning_steps),
        relearning_steps=scheduling.parse_steps(user.relearning_steps),
        maximum_interval=user.maximum_interval, time_zone=user.time_zone, now=now)
    return anki_scheduling.with_scheduling(anki_package(export, now=now),
                                           anki.deck_name(export.bank.title), states,
                                           settings)


@dataclass(frozen=True)
class BankSummary:
    """What a bank's page shows: the bank, its questions by kind, what GIFT leaves out."""

    bank: Bank
    kinds: dict[str, int]
    skipped_by_gift: list[gift.Skipped]


def bank_summary(bank_id: str) -> BankSummary | None:
    """A bank's page, or None if there is no such bank."""
    export = bank_export(bank_id)
    if export is None:
        return None
    kinds = Counter(KIND_TITLES[item.kind] for item in export.items)
    return BankSummary(export.bank, dict(sorted(kinds.items())), gift_text(export)[1])


def moodle_xml(export: BankExport) -> bytes:
    """The bank as Moodle XML."""
    return moodle.export(export.bank.title, export.items)


def gift_text(export: BankExport) -> tuple[str, list[gift.Skipped]]:
    """The bank in GIFT, with the questions GIFT cannot express."""
    return gift.export(export.bank.title, export.items)


class OpenTest(Exception):
    """The test is still running: its answers must not be handed out."""


def test_export(user: User, session_id: int, now: datetime) -> tuple[str, bytes] | None:
    """A finished practice test's questions as Moodle XML (its owner's only), with a name for
    the file; None if `user` has no such test. Raises OpenTest while the test runs."""
    session = db.session.get(StudySession, session_id)
    if session is None or session.user_id != user.id or session.kind != SessionKind.TEST:
        return None
    if session.finished_at(now) is None:
        raise OpenTest
    by_id = {q.id: q for q in _questions(Question.id.in_(session.question_ids))}
    items = [_item(by_id[qid]) for qid in session.question_ids if qid in by_id]
    started = session.started_at.astimezone(clock.zone(user.time_zone))
    name = f"Practice test {started:%Y-%m-%d %H:%M}"
    return name, moodle.export(name, items)


@dataclass(frozen=True)
class RevlogReport:
    """What taking in a review log did."""

    added: int
    duplicates: int
    unmatched: int
    passed_over: int
    cards: int


def _question_ids_by_anki_key() -> tuple[set[str], dict[str, str]]:
    ids = set(db.session.scalars(db.select(Question.id)))
    keys = {str(anki.card_id(qid)): qid for qid in ids}
    keys |= {anki.note_guid(qid): qid for qid in ids}
    return ids, keys


def _millis(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def import_revlog(user: User, raw: bytes, *, now: datetime, fuzzing: bool) -> RevlogReport:
    """Add the answers of an Anki review log to `user`'s history and recompute the memory
    state and due day of every card it touches; answers already held (the same card at the
    same millisecond) are skipped, so importing a log twice adds nothing the second time.
    Raises revlog.RevlogRefused for a file with bad rows (nothing is then added)."""
    parsed = revlog.parse(raw, now=now)
    question_ids, keys = _question_ids_by_anki_key()
    matched: dict[str, list[revlog.Entry]] = defaultdict(list)
    unmatched = 0
    for entry in parsed.entries:
        question_id = entry.question_id if entry.question_id in question_ids else \
            keys.get(entry.guid or "") or keys.get(entry.card_id)
        if question_id is None:
            unmatched += 1
        else:
            matched[question_id].append(entry)
    cards = {card.question_id: card for card in db.session.scalars(
        db.select(Card).where(Card.user_id == user.id, Card.question_id.in_(list(matched))))}
    for question_id in matched:
        if question_id not in cards:
            cards[question_id] = Card(user_id=user.id, question_id=question_id, answers=0,
                                      reps=0, lapses=0, phase=int(Phase.NEW))
            db.session.add(cards[question_id])
    db.session.flush()
    held = {(card_id, _millis(at)) for card_id, at in db.session.execute(
        db.select(Review.card_id, Review.reviewed_at).where(
            Review.card_id.in_([card.id for card in cards.values()])))}
    added, duplicates, touched = [], 0, []
    for question_id, entries in matched.items():
        card = cards[question_id]
        new = []
        for entry in sorted(entries, key=lambda e: e.at):
            if (card.id, _millis(entry.at)) in held:
                duplicates += 1
                continue
            held.add((card.id, _millis(entry.at)))
            new.append(Review(
                card_id=card.id, user_id=user.id, seq=card.answers + len(new), scheduled=True,
                rating=entry.rating, score=0.0 if entry.rating == Rating.AGAIN else 1.0,
                phase_before=int(entry.phase_before), reviewed_at=entry.at,
                duration_ms=entry.duration_ms, due_after=entry.at))
        if new:
            card.answers += len(new)
            db.session.add_all(new)
            added += new
            touched.append(card)
    db.session.flush()
    for card in touched:
        _replay(user, card, fuzzing=fuzzing)
    tallies.recount(user)
    user.answers_since_fit = (user.answers_since_fit or 0) + len(added)
    db.session.commit()
    tuning.maybe_queue_fit(user)
    audit.record("anki.revlog.imported", user=user, added=len(added), duplicates=duplicates,
                 unmatched=unmatched)
    return RevlogReport(added=len(added), duplicates=duplicates, unmatched=unmatched,
                        passed_over=parsed.passed_over, cards=len(touched))


def _replay(user: User, card: Card, *, fuzzing: bool) -> None:
    """Recompute a card's memory state by answering its whole scheduled history again, oldest
    first, with the learner's settings (as Anki recomputes memory states from its revlog)."""
    reviews = db.session.scalars(db.select(Review).where(
        Review.card_id == card.id, Review.scheduled.is_(True))
        .order_by(Review.reviewed_at, Review.id)).all()
    memory = scheduling.Memory()
    for number, review in enumerate(reviews):
        policy = policy_for(user, fuzzing=fuzzing,
                            seed=fuzz_seed(user, card.question_id, number))
        memory = scheduling.review(memory, Rating(review.rating), now=review.reviewed_at,
                                   policy=policy)
        review.due_after = memory.due
        review.stability_after, review.difficulty_after = memory.stability, memory.difficulty
    card.memory = memory
