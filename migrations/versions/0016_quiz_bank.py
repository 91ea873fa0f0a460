"""quiz banks, draws and attempt rules (issue #18)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 12:10:00.000000

A course's quiz becomes a bank of questions, each about one lesson; an attempt draws some
of them (the course says how many) and shuffles their options, and that draw is kept with
the attempt so its review stays as the household saw it. A lesson's reading clock starts
when its page is served. A programme says how many failed attempts a day a household may
make.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('questions_per_attempt', sa.Integer(), nullable=False, server_default='10')
        )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lesson_position', sa.Integer(), nullable=True))
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('served_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drawn', sa.JSON(), nullable=True))
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_attempts_per_day', sa.Integer(), nullable=False, server_default='3')
        )
    op.create_table(
        'quiz_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('course_version_id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=40), nullable=False),
        sa.Column('drawn', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['course_version_id'], ['course_versions.id'],
            name=op.f('fk_quiz_draws_course_version_id_course_versions'),
        ),
        sa.ForeignKeyConstraint(
            ['household_id'], ['households.id'], name=op.f('fk_quiz_draws_household_id_households')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_draws')),
        sa.UniqueConstraint('household_id', 'nonce', name=op.f('uq_quiz_draws_household_id')),
    )
    with op.batch_alter_table('quiz_draws', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_quiz_draws_course_version_id'), ['course_version_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_quiz_draws_household_id'), ['household_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('quiz_draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_draws_household_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_draws_course_version_id'))
    op.drop_table('quiz_draws')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('failed_attempts_per_day')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('drawn')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_column('served_at')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('lesson_position')
    with op.batch_alter_table('course_versions', schema=None) as batch_op:
        batch_op.drop_column('questions_per_attempt')
