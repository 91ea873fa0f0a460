"""offline submissions (issue #21): no schema change

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 15:00:00.000000

Forms sent late by a phone need nothing new in the database: a quiz form's idempotency key is
its draw's nonce (quiz_attempts has one row per household and nonce since 0003), a lesson is
finished once, a mark is written only if it still holds the status the form showed, and the
phone's times go into the marks' marked_at and the audit events' JSON (lms/offline). The
revision stays in the chain that the changes made side by side reserved.
"""


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
