"""stable public UUIDs for the open data (HSDS 3.0)

Revision ID: 0008_hsds_ids
Revises: 0007_parent_index
Create Date: 2026-12-05 10:30:00

Every record the HSDS API and export publish by itself gets a UUID kept in
the database: organisations, needs, activities, municipalities and phones.
Existing rows get a random one here; new rows get one from the model's default.
Records derived from an organisation (its one service, location, ...) take
uuid5 of the organisation's UUID and need no column.
"""
import uuid

import sqlalchemy as sa
from alembic import op


revision = '0008_hsds_ids'
down_revision = '0007_parent_index'
branch_labels = None
depends_on = None

TABLES = ('organisation', 'need', 'activity', 'municipality', 'organisation_phone')


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
        rows = sa.table(table, sa.column('id', sa.Integer), sa.column('uuid', sa.String))
        ids = connection.execute(sa.select(rows.c.id)).scalars().all()
        for row_id in ids:
            connection.execute(sa.update(rows).where(rows.c.id == row_id).values(uuid=str(uuid.uuid4())))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_uuid'), ['uuid'])


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_uuid'), type_='unique')
            batch_op.drop_column('uuid')
