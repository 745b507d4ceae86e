"""counts kept as answers are recorded: day tallies, session answers, active questions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 20:00:00

Pages used to recount a learner's whole review log; these counts are now kept as each answer
is recorded. The upgrade fills them from the existing reviews, so every figure stays the same.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ROLLOVER_HOUR = 4  # the learner's day starts at 4 a.m. local time (quiz.core.clock)


def _study_day(moment, zone):
    # A copy of quiz.core.clock.study_day: migrations stay independent of application code.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(zone)
    return local.date() if local.hour >= ROLLOVER_HOUR else local.date() - timedelta(days=1)


def _zone(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def upgrade():
    op.create_table('day_tally',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('bank_id', sa.String(length=100), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('introduced', sa.Integer(), nullable=False),
    sa.Column('reviewed', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['bank.id'], name=op.f('fk_day_tally_bank_id_bank')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_day_tally_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', 'bank_id', name=op.f('pk_day_tally'))
    )
    with op.batch_alter_table('bank', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_questions', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('study_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered', sa.Integer(), nullable=False,
                                      server_default='0'))

    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE bank SET active_questions = (SELECT count(*) FROM question "
        "WHERE question.bank_id = bank.id AND question.retired_at IS NULL)"))
    bind.execute(sa.text(
        "UPDATE study_session SET answered = (SELECT count(*) FROM review "
        "WHERE review.session_id = study_session.id)"))
    zones = {row.id: _zone(row.time_zone)
             for row in bind.execute(sa.text('SELECT id, time_zone FROM "user"'))}
    tallies = {}
    reviews = bind.execute(sa.text(
        "SELECT review.user_id, review.reviewed_at, question.bank_id, review.score, "
        "review.scheduled, review.phase_before, review.duration_ms FROM review "
        "JOIN card ON card.id = review.card_id JOIN question ON question.id = card.question_id"))
    for row in reviews:
        moment = row.reviewed_at
        if isinstance(moment, str):  # SQLite hands back text
            moment = datetime.fromisoformat(moment)
        key = (row.user_id, _study_day(moment, zones[row.user_id]), row.bank_id)
        tally = tallies.setdefault(key, [0, 0, 0, 0, 0])
        tally[0] += 1
        tally[1] += row.score >= 1.0
        tally[2] += bool(row.scheduled) and row.phase_before == 0
        tally[3] += bool(row.scheduled) and row.phase_before == 2
        tally[4] += row.duration_ms
    if tallies:
        table = sa.table('day_tally', *(sa.column(name) for name in (
            'user_id', 'day', 'bank_id', 'answered', 'correct', 'introduced', 'reviewed',
            'duration_ms')))
        op.bulk_insert(table, [
            dict(user_id=user_id, day=day, bank_id=bank_id, answered=counts[0],
                 correct=counts[1], introduced=counts[2], reviewed=counts[3],
                 duration_ms=counts[4])
            for (user_id, day, bank_id), counts in tallies.items()])


def downgrade():
    with op.batch_alter_table('study_session', schema=None) as batch_op:
        batch_op.drop_column('answered')
    with op.batch_alter_table('bank', schema=None) as batch_op:
        batch_op.drop_column('active_questions')
    op.drop_table('day_tally')
