"""certificates: the revocation category the public verification page shows

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:30:00

The public verification page showed the free-text reason an administrator typed when
revoking, which may name people or say more than the public should read (DESIGN §4 rule 5).
A revocation now also has a category from a short list, and only that is public. This fills
it for the certificates revoked before: "re-issued after a correction" where a new one
replaced it, "revoked for another reason" otherwise.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revocation_category', sa.Enum('correction', 'decision', 'issued_in_error', 'other', name='revocationcategory', native_enum=False, length=20), nullable=True))
    op.execute(
        "UPDATE certificates SET revocation_category = CASE"
        " WHEN replaced_by_id IS NOT NULL THEN 'correction' ELSE 'other' END"
        " WHERE status = 'revoked'"
    )


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_column('revocation_category')
