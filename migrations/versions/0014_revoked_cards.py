"""revoked cards

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:41:12.503118

"Revoke every card" no longer raises the card version but records the card it revoked, so
a refused card says whether it was revoked or replaced, and it voids the printed PIN too.
This fills both from the audit trail for the revocations made before: the revoked card is
the one before the version each revocation raised to, and a member whose last card event is
a revocation (no new card, no new PIN since) loses the PIN that revocation left working.
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: no werkzeug hash has this shape, so no PIN matches it
UNUSABLE_HASH = '!revoked'


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_card_version', sa.Integer(), nullable=True))

    connection = op.get_bind()
    events = connection.execute(sa.text(
        "SELECT target_id, action, after FROM audit_events"
        " WHERE target_type = 'User'"
        " AND action IN ('user.login_card', 'user.revoke_cards', 'user.reset_secret')"
        " ORDER BY id"
    )).all()
    revoked, last_action = {}, {}
    for event in events:
        last_action[event.target_id] = event.action
        if event.action == 'user.revoke_cards':
            after = json.loads(event.after) if isinstance(event.after, str) else event.after
            after = after or {}
            revoked[event.target_id] = after.get(
                'revoked_card_version', after.get('card_version', 1) - 1
            )
    for user_id, version in revoked.items():
        connection.execute(
            sa.text("UPDATE users SET revoked_card_version = :version WHERE id = :id"),
            {'version': version, 'id': user_id},
        )
        if last_action[user_id] == 'user.revoke_cards':
            connection.execute(
                sa.text("UPDATE users SET password_hash = :unusable WHERE id = :id"),
                {'unusable': UNUSABLE_HASH, 'id': user_id},
            )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('revoked_card_version')
