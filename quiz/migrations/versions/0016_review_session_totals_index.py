"""a session's answers indexed with their scores and times (practice tests' totals)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 13:00:00

The dashboard's test chart and the tests page total each test's answers: how many, how many
right, the points and the last answer's time. With only an index on the session, the database
found each answer through it and then read the answer's row, scattered among a learner's
hundred thousand others (1.3 ms of SQLite's own time for 23 tests). The index on (session,
score, time) holds all four, so the totals come from the index alone; it replaces the
session-only index, which it covers (an answer still writes the same number of indexes). No
row changes.
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_review_session_totals', 'review',
                    ['session_id', 'score', 'reviewed_at'])
    op.drop_index('ix_review_session_id', table_name='review')


def downgrade():
    op.create_index('ix_review_session_id', 'review', ['session_id'])
    op.drop_index('ix_review_session_totals', table_name='review')
