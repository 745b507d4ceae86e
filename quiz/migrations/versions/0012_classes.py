"""classes: teachers, classes and their members, assignments, tests taken for an assignment

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 22:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# Batch mode may rebuild a table on SQLite: it must keep AUTOINCREMENT (ids never reused).
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table('user', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('is_teacher', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('school_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('join_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['teacher_id'], ['user.id'], name=op.f('fk_school_class_teacher_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_class')),
    sa.UniqueConstraint('join_code', name=op.f('uq_school_class_join_code')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('school_class', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_class_teacher_id'), ['teacher_id'], unique=False)

    op.create_table('class_member',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_class_member_class_id_school_class'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('class_id', 'user_id', name=op.f('pk_class_member'))
    )
    with op.batch_alter_table('class_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_member_user_id'), ['user_id'], unique=False)

    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('bank_ids', sa.JSON(), nullable=False),
    sa.Column('eras', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('target_day', sa.Date(), nullable=True),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('time_limit_s', sa.Integer(), nullable=True),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_assignment_class_id_school_class'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_class_id'), ['class_id'], unique=False)

    with op.batch_alter_table('study_session', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_study_session_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_study_session_assignment_id_assignment'), 'assignment', ['assignment_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('study_session', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_study_session_assignment_id_assignment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_study_session_assignment_id'))
        batch_op.drop_column('assignment_id')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignment_class_id'))
    op.drop_table('assignment')
    with op.batch_alter_table('class_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_member_user_id'))
    op.drop_table('class_member')
    with op.batch_alter_table('school_class', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_school_class_teacher_id'))
    op.drop_table('school_class')
    with op.batch_alter_table('user', table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column('is_teacher')
