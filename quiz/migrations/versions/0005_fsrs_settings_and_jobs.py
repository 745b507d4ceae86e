"""FSRS settings per learner, fitted parameters, background jobs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 20:00:00

Learners get learning and relearning steps, a maximum interval, fitted FSRS parameters (None:
the defaults they had), a counter of answers since the last fit, seeded with their scheduled
answers so far, and a cached workload estimate. New tables: `parameter_fit` (each fit and its
scores) and `job` (background jobs). Nothing is rewritten: every card keeps its state.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite may rebuild the table: keep its ids never reused (see 0003).
    with op.batch_alter_table('user', table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column('learning_steps', sa.String(length=200), nullable=False,
                                      server_default='1m 10m'))
        batch_op.add_column(sa.Column('relearning_steps', sa.String(length=200),
                                      nullable=False, server_default='10m'))
        batch_op.add_column(sa.Column('maximum_interval', sa.Integer(), nullable=False,
                                      server_default='36500'))
        batch_op.add_column(sa.Column('fsrs_parameters', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('answers_since_fit', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('workload', sa.JSON(), nullable=True))
    op.execute('UPDATE "user" SET answers_since_fit = (SELECT count(*) FROM review '
               'WHERE review.user_id = "user".id AND review.scheduled)')
    op.create_table('parameter_fit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('log_loss_before', sa.Float(), nullable=False),
    sa.Column('log_loss_after', sa.Float(), nullable=False),
    sa.Column('rmse_before', sa.Float(), nullable=False),
    sa.Column('rmse_after', sa.Float(), nullable=False),
    sa.Column('adopted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_parameter_fit_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parameter_fit')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('parameter_fit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parameter_fit_user_id'), ['user_id'], unique=False)
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_job_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_user_kind', ['user_id', 'kind'], unique=False)


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_user_kind')
    op.drop_table('job')
    with op.batch_alter_table('parameter_fit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parameter_fit_user_id'))
    op.drop_table('parameter_fit')
    with op.batch_alter_table('user', table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        for column in ('workload', 'answers_since_fit', 'fsrs_parameters', 'maximum_interval',
                       'relearning_steps', 'learning_steps'):
            batch_op.drop_column(column)
