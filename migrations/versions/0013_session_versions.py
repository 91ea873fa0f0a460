"""session versions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 09:58:49.297476

A session cookie now holds the user's session version, raised to end every open session
(logout, a new login card, revoked cards, a new secret, a deactivation); cookies from before
hold none, so everyone logs in once more.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
