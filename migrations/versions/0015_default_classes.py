"""default scale classes and product groups

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 11:40:00.000000

A registry starts with the scale classes and product groups a commune uses (a frozen copy
of lms/households/defaults.py), so a file that says "Hộ nhỏ" or "Chè" is understood and a
household can be standardised. Admins edit them on the classification screens. A code an
existing database already holds is left as it is.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

SCALE_CLASSES = [
    ('ho-nho', 'Hộ nhỏ'),
    ('ho-vua', 'Hộ vừa'),
    ('ho-lon', 'Hộ lớn'),
    ('to-hop-tac', 'Tổ hợp tác'),
    ('hop-tac-xa', 'Hợp tác xã'),
]
PRODUCT_GROUPS = [
    ('che-tra', 'Chè'),
    ('mat-ong', 'Mật ong'),
    ('gao-lua', 'Gạo – lúa'),
    ('rau-cu-qua', 'Rau – củ – quả'),
    ('thuy-san', 'Thủy sản'),
    ('chan-nuoi', 'Chăn nuôi'),
    ('nong-san-che-bien', 'Nông sản chế biến'),
    ('duoc-lieu', 'Dược liệu'),
    ('khac', 'Khác'),
]


def _table(name):
    return sa.table(name, sa.column('code', sa.String), sa.column('name', sa.String),
                    sa.column('position', sa.Integer), sa.column('is_active', sa.Boolean))


def upgrade():
    connection = op.get_bind()
    for name, rows in (('scale_classes', SCALE_CLASSES), ('product_groups', PRODUCT_GROUPS)):
        table = _table(name)
        taken = set(connection.execute(sa.select(table.c.code)).scalars())
        op.bulk_insert(table, [
            {'code': code, 'name': label, 'position': (i + 1) * 10, 'is_active': True}
            for i, (code, label) in enumerate(rows) if code not in taken
        ])


def downgrade():
    # a class a household uses stays
    connection = op.get_bind()
    for name, rows in (('scale_classes', SCALE_CLASSES), ('product_groups', PRODUCT_GROUPS)):
        column = 'scale_class_id' if name == 'scale_classes' else 'product_group_id'
        connection.execute(sa.text(
            f'DELETE FROM {name} WHERE code IN :codes AND id NOT IN '
            f'(SELECT {column} FROM households WHERE {column} IS NOT NULL)'
        ).bindparams(sa.bindparam('codes', expanding=True)), {'codes': [c for c, _ in rows]})
