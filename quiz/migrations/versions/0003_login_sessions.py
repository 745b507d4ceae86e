"""login sessions held on the server; ids that are never reused

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 18:00:00

Session cookies used to carry the bare user id, and SQLite handed a deleted account's id to
the next sign-up. Sessions now live in `login_session`, and on SQLite the tables whose ids a
cookie or a URL can name are rebuilt with AUTOINCREMENT (PostgreSQL's sequences never reuse
an id). Every row is copied as it is; learners sign in once after the upgrade.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Parents before children, so each copy finds the rows it refers to.
REBUILT = ("user", "study_session", "card", "review")


def _rebuild(autoincrement):
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in REBUILT:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade():
    _rebuild(True)
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('remember_hash', sa.String(length=64), nullable=True),
    sa.Column('remember_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('remember_hash', name=op.f('uq_login_session_remember_hash')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_login_session_secret_hash')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))
    op.drop_table('login_session')
    _rebuild(False)
