"""flagship products and their stories (issue #23)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 13:00:00.000000

A province chooses 3 to 40 flagship products a year (``flagship_products``, who chose and
when); each is told by a story loaded from ``flagship/<slug>/`` into versions, with its
pictures. Registry facts are not copied here: the pages read them from the products.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'flagship_stories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flagship_stories')),
        sa.UniqueConstraint('slug', name=op.f('uq_flagship_stories_slug')),
    )
    op.create_table(
        'flagship_story_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=160), nullable=False),
        sa.Column('title_en', sa.String(length=160), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('summary_en', sa.Text(), nullable=False),
        sa.Column('product_name', sa.String(length=160), nullable=False),
        sa.Column('province_code', sa.String(length=20), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('html_en', sa.Text(), nullable=False),
        sa.Column('words', sa.Integer(), nullable=False),
        sa.Column('loaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['story_id'], ['flagship_stories.id'],
                                name=op.f('fk_flagship_story_versions_story_id_flagship_stories')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flagship_story_versions')),
        sa.UniqueConstraint('story_id', 'version',
                            name=op.f('uq_flagship_story_versions_story_id')),
    )
    with op.batch_alter_table('flagship_story_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flagship_story_versions_story_id'), ['story_id'],
                              unique=False)
    op.create_table(
        'flagship_images',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ['version_id'], ['flagship_story_versions.id'],
            name=op.f('fk_flagship_images_version_id_flagship_story_versions'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flagship_images')),
        sa.UniqueConstraint('version_id', 'name', name=op.f('uq_flagship_images_version_id')),
    )
    with op.batch_alter_table('flagship_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flagship_images_version_id'), ['version_id'],
                              unique=False)
    op.create_table(
        'flagship_products',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('chosen_by_id', sa.Integer(), nullable=True),
        sa.Column('chosen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'],
                                name=op.f('fk_flagship_products_area_id_areas')),
        sa.ForeignKeyConstraint(['story_id'], ['flagship_stories.id'],
                                name=op.f('fk_flagship_products_story_id_flagship_stories')),
        sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'],
                                name=op.f('fk_flagship_products_chosen_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flagship_products')),
        sa.UniqueConstraint('area_id', 'year', 'story_id',
                            name=op.f('uq_flagship_products_area_id')),
    )
    with op.batch_alter_table('flagship_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flagship_products_area_id'), ['area_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_flagship_products_year'), ['year'], unique=False)
        batch_op.create_index(batch_op.f('ix_flagship_products_story_id'), ['story_id'],
                              unique=False)


def downgrade():
    op.drop_table('flagship_products')
    op.drop_table('flagship_images')
    op.drop_table('flagship_story_versions')
    op.drop_table('flagship_stories')
