"""names, roles and phones of organisation contacts

Revision ID: 0011_contacts_names
Revises: 0011_steps_drafts
Create Date: 2026-12-05 16:40:00

Issue 17, point 8: the people who may edit an entry get a name, a role
(puheenjohtaja, sihteeri …) and an optional phone; existing rows keep empty ones.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_contacts_names'
down_revision = '0011_steps_drafts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('role', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('organisation_contact', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('role')
        batch_op.drop_column('name')
