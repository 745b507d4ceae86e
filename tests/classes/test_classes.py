"""Teachers and classes: roles, joining, assignments, the gradebook and question statistics,
and who may see what."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from quiz.classes import gradebook, service, statistics
from quiz.cli import users
from quiz.extensions import db
from quiz.models import Assignment, ClassMember, SchoolClass, User
from tests.conftest import Browser, Learner, count_queries


def signed_in(app, build, email: str, *, teacher: bool = False, admin: bool = False) -> Learner:
    user = build.user(email=email, admin=admin)
    if teacher:
        service.set_teacher(user, True, by="test")
    browser = Learner(app.test_client())
    assert browser.login(email).status_code == 302
    browser.user = user
    return browser


def create_class(teacher: Browser, name: str = "9B history") -> SchoolClass:
    response = teacher.post("/classes", {"name": name}, token_from="/classes")
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(db.select(SchoolClass).where(SchoolClass.name == name)).one()


def join(learner: Browser, school_class: SchoolClass):
    page = f"/join/{school_class.join_code}"
    return learner.post(page, token_from=page)


def assign_test(teacher: Browser, school_class: SchoolClass, questions: list[str], **fields):
    data = {"kind": "test", "title": "Quiz 1", "bank_ids": "demo", "length": len(questions),
            "time_limit": 0, "attempts": 2, **fields}
    page = f"/classes/{school_class.id}"
    assert teacher.post(f"{page}/assignments", data, token_from=page).status_code == 302
    assignment = db.session.scalars(db.select(Assignment).order_by(Assignment.id.desc())).first()
    assignment.question_ids = questions  # a known test rather than a random draw
    db.session.commit()
    return assignment


def take_test(learner: Learner, assignment: Assignment, answers: dict[str, dict]) -> str:
    response = learner.post(f"/assignments/{assignment.id}/attempts")
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    for _ in answers:
        fields = learner.shown(url)
        learner.answer(url, fields, **answers[fields["question_id"]])
    return url


RIGHT = {"demo-mc": {"choice": "Washington"}, "demo-tf": {"choice": "true"}}
WRONG = {"demo-mc": {"choice": "Moscow"}, "demo-tf": {"choice": "false"}}


@pytest.fixture
def teacher(app, build):
    build.banks()
    return signed_in(app, build, "teacher@example.org", teacher=True)


def test_an_admin_grants_the_teacher_role_on_a_page_and_the_cli_grants_it_too(app, build):
    admin = signed_in(app, build, "admin@example.org", admin=True)
    someone = build.user(email="someone@example.org")
    assert someone.email not in admin.get("/admin/teachers").get_data(as_text=True)
    admin.post("/admin/teachers", {"email": "Someone@example.org", "teacher": "grant"},
               token_from="/admin/teachers")
    assert db.session.get(User, someone.id).is_teacher
    assert someone.email in admin.get("/admin/teachers").get_data(as_text=True)
    admin.post("/admin/teachers", {"email": someone.email, "teacher": "revoke"},
               token_from="/admin/teachers")
    assert not db.session.get(User, someone.id).is_teacher
    unknown = admin.post("/admin/teachers", {"email": "nobody@example.org", "teacher": "grant"},
                         token_from="/admin/teachers")
    assert unknown.status_code == 422
    assert signed_in(app, build, "learner@example.org").get("/admin/teachers").status_code == 403

    result = app.test_cli_runner().invoke(users, ["promote", "SOMEONE@example.org",
                                                  "--role", "teacher"])
    assert result.exit_code == 0, result.output
    assert "is now a teacher" in result.output
    assert db.session.get(User, someone.id).is_teacher
    assert not db.session.get(User, someone.id).is_admin


def test_only_teachers_create_classes(app, build, teacher):
    learner = signed_in(app, build, "learner@example.org")
    response = learner.post("/classes", {"name": "Mine"}, token_from="/classes")
    assert response.status_code == 403
    school_class = create_class(teacher)
    assert re.fullmatch(f"[{service.CODE_ALPHABET}]{{8}}", school_class.join_code)
    assert school_class.join_code in teacher.get(f"/classes/{school_class.id}").get_data(
        as_text=True)


def test_a_learner_joins_with_the_code_in_several_classes_and_leaves(app, build, teacher):
    first, second = create_class(teacher, "9B history"), create_class(teacher, "10A history")
    learner = signed_in(app, build, "learner@example.org")
    page = learner.get(f"/join/{first.join_code.lower()}").get_data(as_text=True)
    assert "What your teacher will see" in page and "will not see" in page
    assert "teacher@example.org" in page
    assert join(learner, first).status_code == 302
    # Typed by hand, as a code read off the board, on the Classes page's form.
    assert learner.get(f"/join?code={second.join_code[:4]}-{second.join_code[4:]}").status_code \
        == 200
    assert join(learner, second).status_code == 302
    assert {c.name for c in service.classes_of(learner.user)} == {"9B history", "10A history"}
    assert learner.get("/join/NOSUCHCODE").status_code == 404

    learner.post(f"/classes/{first.id}/leave", token_from="/classes")
    assert [c.name for c in service.classes_of(learner.user)] == ["10A history"]
    assert learner.post(f"/classes/{first.id}/leave", token_from="/classes").status_code == 404


def test_the_teacher_removes_a_learner_rotates_the_code_and_archives(app, build, teacher):
    school_class = create_class(teacher)
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    old = school_class.join_code
    page = f"/classes/{school_class.id}"
    teacher.post(f"{page}/learners/{learner.user.id}/remove", token_from=page)
    assert db.session.get(ClassMember, (school_class.id, learner.user.id)) is None

    teacher.post(f"{page}/code", token_from=page)
    db.session.refresh(school_class)
    assert school_class.join_code != old
    assert learner.get(f"/join/{old}").status_code == 404

    join(learner, school_class)
    teacher.post(f"{page}/archive", token_from=page)
    assert learner.get(f"/join/{school_class.join_code}").status_code == 404
    assert service.classes_of(learner.user) == []


def test_learners_see_their_assignments_on_the_home_page_with_what_is_left(app, build, teacher,
                                                                             clock):
    school_class = create_class(teacher)
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    page = f"/classes/{school_class.id}"
    target = (clock.now + timedelta(days=30)).date()
    response = teacher.post(f"{page}/assignments", {
        "kind": "banks", "title": "Cold War", "bank_ids": "demo", "eras": "cold-war",
        "target_day": target.isoformat(), "length": 10, "time_limit": 0, "attempts": 1},
        token_from=page)
    assert response.status_code == 302
    quiz = assign_test(teacher, school_class, ["demo-mc", "demo-tf"], attempts=1)

    url = learner.start()
    learner.answer(url, learner.shown(url), choice="Washington")  # demo-mc, the first question
    home = learner.get("/").get_data(as_text=True)
    assert "Your assignments" in home and "Cold War" in home and "Quiz 1" in home
    todos = {todo.assignment.title: todo for todo in service.todos(learner.user, clock.now)}
    cold_war = todos["Cold War"]
    assert (cold_war.total, cold_war.unseen) == (8, 7)  # every demo question but the numeric
    assert 0 < cold_war.recall_at_target < 1 / 8
    assert todos["Quiz 1"].attempts_left == 1

    take_test(learner, quiz, RIGHT)
    assert service.todos(learner.user, clock.now)[1].attempts_left == 0
    refused = learner.post(f"/assignments/{quiz.id}/attempts")
    assert refused.status_code == 302
    assert "every attempt" in learner.get("/").get_data(as_text=True)


def test_an_assigned_test_is_open_only_in_its_window(app, build, teacher, clock):
    school_class = create_class(teacher)
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    opens = (clock.now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    quiz = assign_test(teacher, school_class, ["demo-mc"], opens_at=opens)
    with pytest.raises(service.Refused, match="not opened"):
        service.start_test(learner.user, quiz.id, clock.now)
    clock.advance(days=2)
    assert service.start_test(learner.user, quiz.id, clock.now).assignment_id == quiz.id


def test_gradebook_csv_and_statistics_show_the_results(app, build, teacher, clock):
    school_class = create_class(teacher)
    quiz = assign_test(teacher, school_class, ["demo-mc", "demo-tf"])
    takers = [signed_in(app, build, f"learner{n}@example.org") for n in range(4)]
    for taker in takers:
        join(taker, school_class)
    take_test(takers[0], quiz, RIGHT)
    take_test(takers[1], quiz, {"demo-mc": RIGHT["demo-mc"], "demo-tf": WRONG["demo-tf"]})
    take_test(takers[1], quiz, RIGHT)
    take_test(takers[2], quiz, WRONG)

    book = gradebook.gradebook(school_class, clock.now, sort=str(quiz.id), descending=True)
    scores = {row.user.email: (row.cells[0].best, row.cells[0].last, row.cells[0].scores)
              for row in book.rows}
    assert scores["learner1@example.org"] == (1.0, 1.0, [0.5, 1.0])
    assert scores["learner2@example.org"] == (0.0, 0.0, [0.0])
    assert scores["learner3@example.org"] == (None, None, [])
    assert book.rows[0].user.email in ("learner0@example.org", "learner1@example.org")
    page = teacher.get(f"/classes/{school_class.id}/gradebook?sort={quiz.id}&desc=1")
    assert "best 100%, last 100%" in page.get_data(as_text=True)
    csv = teacher.get(f"/classes/{school_class.id}/gradebook.csv")
    assert csv.mimetype == "text/csv"
    assert "learner1@example.org,0,0,2026-03-02,100,100,50 100" in csv.get_data(as_text=True)

    report = statistics.report(quiz)
    by_id = {q.question.id: q for q in report.questions}
    assert report.units == 4
    assert by_id["demo-mc"].facility == 0.75
    assert by_id["demo-tf"].facility == 0.5
    # demo-tf against the rest (demo-mc) over the four attempts: (1,1) (0,1) (1,1) (0,0).
    assert by_id["demo-tf"].discrimination == pytest.approx(3 ** -0.5)
    assert by_id["demo-mc"].wrong == [("Moscow", 1)]
    stats = teacher.get(f"/classes/{school_class.id}/assignments/{quiz.id}/statistics")
    assert "“Moscow” ×1" in stats.get_data(as_text=True)


def test_a_teacher_sees_only_what_the_class_covers(app, build, teacher, clock):
    school_class = create_class(teacher)
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    page = f"/classes/{school_class.id}"
    teacher.post(f"{page}/assignments", {"kind": "banks", "title": "Pipelines",
                                         "tags": "energy-economy", "length": 10,
                                         "time_limit": 0, "attempts": 1}, token_from=page)
    url = learner.start()
    learner.answer(url, learner.shown(url), choice="Washington")  # a Cold War question
    view = gradebook.learner_view(school_class, learner.user.id, clock.now)
    assert [g.title for g in view.eras] == ["Rapprochement"] or len(view.eras) == 1
    assert view.row.seen == 0  # the answer was outside what the class covers
    body = teacher.get(f"{page}/learners/{learner.user.id}").get_data(as_text=True)
    assert "Cold War" not in body and "Liaquat" not in body
    book = gradebook.gradebook(school_class, clock.now)
    assert book.rows[0].seen == 0 and book.rows[0].last_active is None


def test_nobody_but_the_classs_teacher_sees_its_pages(app, build, teacher):
    school_class = create_class(teacher)
    quiz = assign_test(teacher, school_class, ["demo-mc"])
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    other_teacher = signed_in(app, build, "other-teacher@example.org", teacher=True)
    create_class(other_teacher, "Another class")
    admin = signed_in(app, build, "admin@example.org", admin=True)
    base = f"/classes/{school_class.id}"
    pages = [base, f"{base}/gradebook", f"{base}/gradebook.csv",
             f"{base}/learners/{learner.user.id}", f"{base}/assignments/{quiz.id}/statistics"]
    for url in pages:
        assert teacher.get(url).status_code == 200, url
        for visitor in (learner, other_teacher, admin):
            assert visitor.get(url).status_code == 404, url
        assert Browser(app.test_client()).get(url).status_code == 302
    for action in ("code", "archive", f"learners/{learner.user.id}/remove"):
        response = other_teacher.post(f"{base}/{action}", token_from="/classes")
        assert response.status_code == 404
    assert db.session.get(ClassMember, (school_class.id, learner.user.id)) is not None
    # A teacher's learner page is only for members of that class.
    outsider = build.user(email="outsider@example.org")
    assert teacher.get(f"{base}/learners/{outsider.id}").status_code == 404
    # Learners see no one else: their pages never name another learner.
    other_learner = signed_in(app, build, "classmate@example.org")
    join(other_learner, school_class)
    for url in ("/", "/classes", f"/join/{school_class.join_code}"):
        assert "classmate@example.org" not in learner.get(url).get_data(as_text=True)
    # A revoked teacher no longer sees the class.
    service.set_teacher(teacher.user, False, by="test")
    assert teacher.get(base).status_code == 404




def test_a_learner_plans_their_reviews_for_an_assignments_target_date(app, build, teacher,
                                                                        clock):
    from quiz import jobs
    from quiz.models import Card

    school_class = create_class(teacher)
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    build.bulk_history(learner.user, reviews=90, days=60)  # learnt, stability 30 days
    for each in db.session.scalars(db.select(Card).where(Card.user_id == learner.user.id)):
        each.due = clock.now + timedelta(days=45)  # all after the target date
    db.session.commit()
    page = f"/classes/{school_class.id}"
    target = (clock.now + timedelta(days=40)).date()  # recall below 90% by then
    teacher.post(f"{page}/assignments", {
        "kind": "banks", "title": "Midterm", "bank_ids": "demo", "target_day": target.isoformat(),
        "length": 10, "time_limit": 0, "attempts": 1}, token_from=page)
    assignment = db.session.scalars(db.select(Assignment).order_by(Assignment.id.desc())).first()
    assert "Plan my reviews for " + target.isoformat() in learner.get("/").get_data(as_text=True)

    # Only a member can plan for it.
    outsider = signed_in(app, build, "outsider@example.org")
    assert outsider.post(f"/assignments/{assignment.id}/plan",
                         token_from="/").status_code == 404
    response = learner.post(f"/assignments/{assignment.id}/plan", token_from="/")
    assert response.status_code == 302
    user = db.session.get(User, learner.user.id)
    db.session.refresh(user)
    assert (user.exam_day, user.exam_banks) == (target, ["demo"])
    assert "Your exam plan aims at this date" in learner.get("/").get_data(as_text=True)
    # The exam planning brings forward the reviews that would reach the day poorly recalled.
    assert jobs.run_pending() >= 1
    db.session.expire_all()
    dues = [c.due for c in db.session.scalars(db.select(Card).where(
        Card.user_id == learner.user.id, Card.phase != 0))]
    assert dues and all(due < clock.now + timedelta(days=40) for due in dues)

    # Once the day has passed, the learner is told so.
    clock.advance(days=41)
    refused = learner.post(f"/assignments/{assignment.id}/plan", token_from="/")
    assert refused.status_code == 302
    assert "target date has passed" in learner.get("/").get_data(as_text=True)


def test_gradebook_and_statistics_run_a_fixed_number_of_queries(app, build, teacher, clock):
    counts = {}
    for size in (2, 6):
        school_class = service.create_class(teacher.user, f"class of {size}", clock.now)
        banks = service.add_assignment(
            school_class, kind="banks", title="All", bank_ids=["demo"], eras=[], tags=[],
            target_day=date(2026, 6, 1), length=10, time_limit_s=None, opens_at=None,
            closes_at=None, attempts=1, now=clock.now - timedelta(days=30))
        quiz = service.add_assignment(
            school_class, kind="test", title="Quiz", bank_ids=["demo"], eras=[], tags=[],
            target_day=None, length=3, time_limit_s=None, opens_at=None, closes_at=None,
            attempts=2, now=clock.now)
        for n in range(size):
            user = build.user(email=f"c{size}-{n}@example.org")
            service.join(user, school_class, clock.now)
            build.bulk_history(user, reviews=60, days=60)
            service.start_test(user, quiz.id, clock.now)
        db.session.expire_all()
        assert statistics.report(banks).units == size  # the month's answers are counted
        counts[size] = (
            count_queries(lambda c=school_class: gradebook.gradebook(c, clock.now)),
            count_queries(lambda a=banks: statistics.report(a)),
            count_queries(lambda a=quiz: statistics.report(a)))
        db.session.expire_all()
    assert counts[2] == counts[6], counts


def test_class_recall_is_fsrs_retrievability_card_by_card(app, build, clock):
    from quiz.core.scheduling import recall_by_question, retrievability
    from quiz.models import Card
    from quiz.study.policy import policy_for

    build.banks()
    user = build.user(time_zone="Asia/Karachi")
    build.bulk_history(user, reviews=40, days=40)
    policy = policy_for(user, fuzzing=False)
    cards = list(db.session.scalars(db.select(Card).where(Card.user_id == user.id)))
    rows = db.session.execute(db.select(*service.card_columns())
                              .where(Card.user_id == user.id)).all()
    for at in (clock.now, clock.now + timedelta(days=17, hours=5)):
        found = recall_by_question(rows, at, policy)
        assert found == {card.question_id: retrievability(card.memory, now=at, policy=policy)
                         for card in cards}


def test_gradebook_mastery_is_the_mean_fsrs_retrievability_of_each_learners_cards(
        app, build, teacher, clock):
    """The database adds up retrievability for the gradebook: it must agree with
    `scheduling.retrievability` card by card, in any time zone (a daylight-saving change before
    the target day), with fitted parameters, and for reviews a fraction of a second either side
    of a rollover (elapsed days counted in whole seconds rounded up)."""
    from quiz.core.clock import study_day_start
    from quiz.core.scheduling import DEFAULT_PARAMETERS, day_start, retrievability
    from quiz.models import Card
    from quiz.study.policy import policy_for

    build.banks()
    school_class = service.create_class(teacher.user, "Zones", clock.now)
    target = date(2026, 3, 20)  # New York changes its clocks on 8 March
    banks = service.add_assignment(
        school_class, kind="banks", title="All", bank_ids=["demo"], eras=[], tags=[],
        target_day=target, length=10, time_limit_s=None, opens_at=None, closes_at=None,
        attempts=1, now=clock.now)
    fitted = list(DEFAULT_PARAMETERS)
    fitted[20] = 0.4
    for n, zone in enumerate(("UTC", "America/New_York", "Asia/Kolkata")):
        user = build.user(email=f"zone{n}@example.org", time_zone=zone)
        if n == 2:
            user.fsrs_parameters = fitted
        build.bulk_history(user, reviews=50, days=50)
        service.join(user, school_class, clock.now)
        # Two cards reviewed just before and exactly at a rollover ten days ago.
        rollover = study_day_start(clock.now.date() - timedelta(days=10), zone)
        cards = db.session.scalars(db.select(Card).where(Card.user_id == user.id,
                                                         Card.phase != 0).limit(2)).all()
        cards[0].last_review = rollover - timedelta(microseconds=1)
        cards[1].last_review = rollover
    db.session.commit()
    db.session.expire_all()

    book = gradebook.gradebook(school_class, clock.now)
    covered = service.covered(banks, service.question_index())
    for row in book.rows:
        policy = policy_for(row.user, fuzzing=False)
        memories = {card.question_id: card.memory for card in db.session.scalars(
            db.select(Card).where(Card.user_id == row.user.id, Card.phase != 0))}
        at_target = day_start(target, policy)
        expected_now = sum(retrievability(memories[q], now=clock.now, policy=policy)
                           for q in covered if q in memories) / len(covered)
        expected_target = sum(retrievability(memories[q], now=at_target, policy=policy)
                              for q in covered if q in memories) / len(covered)
        cell = row.cells[0]
        assert cell.seen == row.seen == len(memories)
        assert cell.now == pytest.approx(expected_now, rel=1e-12)
        assert row.mastery == pytest.approx(expected_now, rel=1e-12)
        assert cell.at_target == pytest.approx(expected_target, rel=1e-12)
        assert 0 < cell.at_target < cell.now
        view = gradebook.learner_view(school_class, row.user.id, clock.now)
        assert view.row.cells[0].now == pytest.approx(expected_now, rel=1e-12)
        assert view.target_day == target


def test_the_data_export_names_the_classes_a_learner_is_in_and_teaches_but_no_classmate(
        app, build, teacher, clock):
    import json

    from quiz.accounts.export import export_json

    school_class = create_class(teacher)
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    join(signed_in(app, build, "classmate@example.org"), school_class)
    mine = json.loads(export_json(db.session.get(User, learner.user.id), clock.now))
    assert mine["account"]["classes"] == [{"name": "9B history",
                                           "joined_at": "2026-03-02T12:00:00+00:00"}]
    assert mine["account"]["teaching"] == []
    taught = export_json(db.session.get(User, teacher.user.id), clock.now)
    assert json.loads(taught)["account"]["teaching"] == [
        {"name": "9B history", "created_at": "2026-03-02T12:00:00+00:00", "archived_at": None}]
    assert "classmate@example.org" not in taught and "learner@example.org" not in taught


def test_deleting_an_account_takes_its_classes_and_places_in_classes_with_it(app, build,
                                                                                teacher, clock):
    from quiz.accounts.data import delete_account
    from quiz.models import StudySession
    from tests.conftest import PASSWORD

    school_class = create_class(teacher)
    quiz = assign_test(teacher, school_class, ["demo-mc"])
    learner = signed_in(app, build, "learner@example.org")
    join(learner, school_class)
    session = service.start_test(learner.user, quiz.id, clock.now)
    other = service.create_class(db.session.get(User, teacher.user.id), "Other", clock.now)
    service.join(db.session.get(User, learner.user.id), other, clock.now)

    assert delete_account(db.session.get(User, teacher.user.id), PASSWORD)
    assert db.session.scalars(db.select(SchoolClass)).all() == []
    assert db.session.get(StudySession, session.id).assignment_id is None
    assert delete_account(db.session.get(User, learner.user.id), PASSWORD)
    assert db.session.scalars(db.select(ClassMember)).all() == []
