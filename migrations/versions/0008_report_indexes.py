"""reports: indexes that let officials' figures be counted from indexes alone

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 05:40:00

Every index here serves a correlated EXISTS of ``lms.reports.targets`` (one probe per
household at province scale), so it holds every column the probe reads.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

INDEXES = (
    # every column the data-quality rule reads, by commune: counted without reading the rows
    ('ix_households_quality', 'households',
     ['area_id', 'scale_class_id', 'product_group_id', 'phone', 'national_id']),
    ('ix_certificates_household_status', 'certificates', ['household_id', 'status']),
    ('ix_certificates_issued_on', 'certificates', ['issued_on']),
    ('ix_activation_requests_household_status', 'activation_requests',
     ['household_id', 'status', 'marketplace_id']),
    ('ix_attendance_marks_household_status', 'attendance_marks', ['household_id', 'status']),
    ('ix_listings_product_current', 'listings', ['product_id', 'delisted_on', 'marketplace_id']),
    ('ix_products_household_ocop', 'products', ['household_id', 'ocop_stars']),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
