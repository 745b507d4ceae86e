"""a card's answers indexed in time order (the question history page)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 06:20:00

A question's history page lists one card's answers newest first, a page at a time. With only
an index on the card, SQLite chose the learner's (user, time) index instead and walked every
answer the learner ever gave (100,000 for a heavy learner) to find one card's. The index on
(card, time, seq) gives the page directly, and it replaces the card-only index, which it
covers (so an answer still writes the same number of indexes). No row changes.
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_review_card_time', 'review', ['card_id', 'reviewed_at', 'seq'])
    op.drop_index('ix_review_card_id', table_name='review')


def downgrade():
    op.create_index('ix_review_card_id', 'review', ['card_id'])
    op.drop_index('ix_review_card_time', table_name='review')
