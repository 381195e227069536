"""index on organisation.parent_id

Revision ID: 0007_parent_index
Revises: 0006_rate_limits
Create Date: 2026-12-04 18:30:00

An organisation page lists the published members of a federation; without
the index that read every organisation.
"""
from alembic import op


revision = '0007_parent_index'
down_revision = '0006_rate_limits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_parent_id'), ['parent_id'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_parent_id'))
