"""plan targets per commune and year; the former district of each commune (issue #17)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 12:10:00.000000

Officials measure the plan against its own counts (agricultural households, OCOP 3★+
products) per commune and year, and still group a province's communes by the district
each belonged to before the 2025 reform.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

#: the district each current Nghệ An commune belonged to before the reform, by official code
#: (a frozen copy of lms/areas/data/nghe_an.csv): a database seeded before this revision
#: gets them; a commune whose former district is already set keeps it
FORMER_DISTRICTS = {
    'Thành phố Vinh': (
        '16681', '16690', '16702', '16708', '17920',
    ),
    'Thị xã Cửa Lò': (
        '16732',
    ),
    'Huyện Quế Phong': (
        '16738', '16744', '16750', '16756', '16774',
    ),
    'Huyện Quỳ Châu': (
        '16777', '16792', '16801', '16804',
    ),
    'Huyện Kỳ Sơn': (
        '16813', '16816', '16819', '16822', '16828', '16831', '16834', '16837',
        '16849', '16855', '16858', '16870',
    ),
    'Huyện Tương Dương': (
        '16876', '16882', '16885', '16903', '16906', '16909', '16912', '16933',
        '16936',
    ),
    'Thị xã Thái Hòa': (
        '16939', '17011', '17017',
    ),
    'Huyện Nghĩa Đàn': (
        '16941', '16951', '16969', '16972', '16975', '17029', '17032',
    ),
    'Huyện Quỳ Hợp': (
        '17035', '17044', '17056', '17059', '17071', '17077', '17089',
    ),
    'Thị xã Hoàng Mai': (
        '17110', '17125', '17128',
    ),
    'Huyện Quỳnh Lưu': (
        '17143', '17149', '17170', '17176', '17179', '17212', '17224',
    ),
    'Huyện Con Cuông': (
        '17230', '17239', '17242', '17248', '17254', '17263',
    ),
    'Huyện Tân Kỳ': (
        '17266', '17272', '17278', '17284', '17287', '17305', '17326',
    ),
    'Huyện Anh Sơn': (
        '17329', '17335', '17344', '17357', '17365', '17380',
    ),
    'Huyện Diễn Châu': (
        '17395', '17416', '17419', '17443', '17464', '17476', '17479', '17488',
    ),
    'Huyện Yên Thành': (
        '17506', '17515', '17521', '17524', '17530', '17560', '17569', '17605',
        '17611',
    ),
    'Huyện Đô Lương': (
        '17623', '17641', '17662', '17677', '17689', '17707',
    ),
    'Huyện Thanh Chương': (
        '17713', '17722', '17728', '17743', '17759', '17770', '17779', '17791',
        '17818',
    ),
    'Huyện Nghi Lộc': (
        '17827', '17833', '17842', '17854', '17857', '17866', '17878',
    ),
    'Huyện Nam Đàn': (
        '17935', '17944', '17950', '17971', '17989',
    ),
    'Huyện Hưng Nguyên': (
        '18001', '18007', '18028', '18040',
    ),
}


#: the officials' index of household facts (0010), and the day each household was
#: registered: the figures as of a past day are counted from the index alone too
FACTS_BEFORE = [
    'area_id', 'is_informed', 'certified_on', 'scale_class_id', 'product_group_id', 'phone',
    'national_id',
]
FACTS_AFTER = [*FACTS_BEFORE, 'created_at']


def upgrade():
    op.drop_index('ix_households_facts', table_name='households')
    op.create_index('ix_households_facts', 'households', FACTS_AFTER, unique=False)
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('former_district', sa.String(length=120), server_default='', nullable=False)
        )
    op.create_table(
        'plan_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('households', sa.Integer(), nullable=True),
        sa.Column('ocop_products', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('households >= 0', name=op.f('ck_plan_targets_households_not_negative')),
        sa.CheckConstraint(
            'ocop_products >= 0', name=op.f('ck_plan_targets_ocop_products_not_negative')
        ),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_plan_targets_area_id_areas')),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['users.id'], name=op.f('fk_plan_targets_updated_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
        sa.UniqueConstraint('area_id', 'year', name=op.f('uq_plan_targets_area_id')),
    )
    op.create_index(op.f('ix_plan_targets_area_id'), 'plan_targets', ['area_id'], unique=False)
    areas = sa.table('areas', sa.column('code', sa.String), sa.column('former_district', sa.String))
    for district, codes in FORMER_DISTRICTS.items():
        op.execute(
            areas.update()
            .where(areas.c.code.in_(codes), areas.c.former_district == '')
            .values(former_district=district)
        )


def downgrade():
    op.drop_index('ix_households_facts', table_name='households')
    op.create_index('ix_households_facts', 'households', FACTS_BEFORE, unique=False)
    op.drop_index(op.f('ix_plan_targets_area_id'), table_name='plan_targets')
    op.drop_table('plan_targets')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('former_district')
