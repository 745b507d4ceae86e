"""files that jobs work on (uploaded imports)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 22:15:00

An import is uploaded to the app and run by a background worker, possibly on another
machine: the upload waits in this table (not on one server's disk) until its job has run.
No existing row changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_job_file_job_id_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_file')),
    sa.UniqueConstraint('job_id', name=op.f('uq_job_file_job_id')),
    sqlite_autoincrement=True
    )


def downgrade():
    op.drop_table('job_file')
