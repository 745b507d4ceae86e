"""a learner's sessions indexed by kind and start (tests newest first)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:10:00

The dashboard's test chart and the check for open tests (which hide answers on the question
history and feedback pages) ask for one learner's tests, newest first. With only an index on
the learner, the database read every session they ever had (a heavy learner has over a
thousand bank sessions for forty tests) and sorted them. The index on (user, kind, start, id)
gives the tests directly, in order, and replaces the learner-only index, which it covers. No
row changes.
"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_study_session_user_kind', 'study_session',
                    ['user_id', 'kind', 'started_at', 'id'])
    op.drop_index('ix_study_session_user_id', table_name='study_session')


def downgrade():
    op.create_index('ix_study_session_user_id', 'study_session', ['user_id'])
    op.drop_index('ix_study_session_user_kind', table_name='study_session')
