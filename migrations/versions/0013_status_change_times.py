"""workshop_status_change: the agreed time of a confirmation or a move as times, not text

Revision ID: 0013_status_change_times
Revises: 0012_search_match
Create Date: 2026-12-06 23:50:00

The note of a confirmation or a move held the time written out in the language
of the staff member who acted ("to 21.1.2027 klo 13.00–15.00"), so a page in
another language showed it as written.  Earlier rows keep their note as it is.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_status_change_times'
down_revision = '0012_search_match'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_status_change') as batch:
        batch.add_column(sa.Column('starts_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('previous_start', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('workshop_status_change') as batch:
        batch.drop_column('previous_start')
        batch.drop_column('starts_at')
