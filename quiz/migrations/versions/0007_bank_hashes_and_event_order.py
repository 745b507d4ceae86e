"""bank content hashes and eras; event order and inferred years

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 20:00:00

A sync skips a bank whose files have not changed since it last applied them (`bank.content_hash`,
empty until the next sync applies every bank once). Banks are listed by era: each bank takes
the era most of its questions have until the next sync sets it from the file. Events get their
place in the chronology (`event.position`, set by the next sync; until then the timeline
orders by date as before) and whether their year is inferred.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank', schema=None) as batch_op:
        batch_op.add_column(sa.Column('era', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
    op.execute("""
        UPDATE bank SET era = (
            SELECT question.era FROM question WHERE question.bank_id = bank.id
            GROUP BY question.era ORDER BY count(*) DESC, question.era LIMIT 1)
    """)
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('inferred', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('inferred')
        batch_op.drop_column('position')
    with op.batch_alter_table('bank', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
        batch_op.drop_column('era')
