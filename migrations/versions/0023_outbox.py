"""message outbox and consent (issue #22)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 15:00:00.000000

``messages``: one row per message to a household on a channel (Zalo ZNS, SMS, in-app), its
state, attempts and the provider's id; ``idempotency_key`` is unique, so a message is
written and sent once. ``consents``: each consent given or withdrawn by a household, per
purpose (its data, each channel), how, on which text version, and why withdrawn.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=40), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("zalo", "sms", "in_app", name="channel", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                "not_sent",
                name="messagestate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("provider_message_id", sa.String(length=100), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_messages_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_messages_idempotency_key")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_state_not_before", ["state", "not_before"], unique=False)
        batch_op.create_index(
            "ix_messages_household_channel", ["household_id", "channel"], unique=False
        )
        batch_op.create_index(
            "ix_messages_channel_claimed_at", ["channel", "claimed_at"], unique=False
        )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum("data", "zalo", "sms", name="consentpurpose", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("is_given", sa.Boolean(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("phone", "paper", name="consentmethod", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("text_version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_consents_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_consents_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_sessions.id"],
            name=op.f("fk_consents_session_id_class_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consents_household_purpose", ["household_id", "purpose", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consents_recorded_by_id"), ["recorded_by_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_recorded_by_id"))
        batch_op.drop_index("ix_consents_household_purpose")
    op.drop_table("consents")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_channel_claimed_at")
        batch_op.drop_index("ix_messages_household_channel")
        batch_op.drop_index("ix_messages_state_not_before")
    op.drop_table("messages")
