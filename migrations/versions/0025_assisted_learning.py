"""assisted learning and proxy flags (issue #22)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 15:00:00.000000

``assists``: each opening of assisted mode (helper, household, session, start, end);
``lesson_progress.assisted_by_id`` and ``quiz_attempts.assisted_by_id``: who helped;
``quiz_attempts`` and ``attendance_marks`` get ``device_hash`` and ``address_hash``, hashes of
the device cookie and of the address a quiz or a self check-in came from (lms.core.origin).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["users.id"], name=op.f("fk_assists_helper_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_assists_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["class_sessions.id"], name=op.f("fk_assists_session_id_class_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assists")),
    )
    with op.batch_alter_table("assists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assists_helper_id"), ["helper_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assists_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assists_session_id"), ["session_id"], unique=False)
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assisted_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lesson_progress_assisted_by_id_users"),
            "users",
            ["assisted_by_id"],
            ["id"],
        )
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assisted_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("device_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("address_hash", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_quiz_attempts_assisted_by_id"), ["assisted_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quiz_attempts_device_hash"), ["device_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quiz_attempts_address_hash"), ["address_hash"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_quiz_attempts_assisted_by_id_users"), "users", ["assisted_by_id"], ["id"]
        )
    with op.batch_alter_table("attendance_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("address_hash", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_attendance_marks_device_hash"), ["device_hash"], unique=False
        )


def downgrade():
    with op.batch_alter_table("attendance_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_marks_device_hash"))
        batch_op.drop_column("address_hash")
        batch_op.drop_column("device_hash")
    with op.batch_alter_table("quiz_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_quiz_attempts_assisted_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_address_hash"))
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_device_hash"))
        batch_op.drop_index(batch_op.f("ix_quiz_attempts_assisted_by_id"))
        batch_op.drop_column("address_hash")
        batch_op.drop_column("device_hash")
        batch_op.drop_column("assisted_by_id")
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_lesson_progress_assisted_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("assisted_by_id")
    with op.batch_alter_table("assists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assists_session_id"))
        batch_op.drop_index(batch_op.f("ix_assists_household_id"))
        batch_op.drop_index(batch_op.f("ix_assists_helper_id"))
    op.drop_table("assists")
