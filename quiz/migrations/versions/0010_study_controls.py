"""study controls: suspend, bury, leeches, review limit, study order, undo, reports, exam

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-30 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None

# Batch mode may rebuild a table on SQLite: it must keep AUTOINCREMENT (ids never reused).
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    op.create_table('problem_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('given', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_problem_report_question_id_question')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_problem_report_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_report')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_report_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_question_family'), ['family'], unique=False)

    with op.batch_alter_table('card', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('buried_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('leech', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('review', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('card_before', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('accepted', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('user', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('reviews_per_day', sa.Integer(), nullable=False, server_default='200'))
        batch_op.add_column(sa.Column('study_order', sa.String(length=16), nullable=False, server_default='mixed'))
        batch_op.add_column(sa.Column('leech_threshold', sa.Integer(), nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('leech_suspends', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('undo_floor', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('exam_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('exam_banks', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('exam_target', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', table_kwargs=KEEP_IDS) as batch_op:
        for column in ('exam_target', 'exam_banks', 'exam_day', 'undo_floor', 'leech_suspends',
                       'leech_threshold', 'study_order', 'reviews_per_day'):
            batch_op.drop_column(column)
    with op.batch_alter_table('review', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column('accepted')
        batch_op.drop_column('card_before')
    with op.batch_alter_table('card', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column('leech')
        batch_op.drop_column('buried_until')
        batch_op.drop_column('suspended_at')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_family'))
        batch_op.drop_column('family')
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_report_question_id'))
    op.drop_table('problem_report')
