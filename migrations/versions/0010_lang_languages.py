"""the portal language of organisations, contact requests, workshop orders and event sign-ups

Revision ID: 0010_lang_languages
Revises: 0010_booking_slots
Create Date: 2026-12-05 12:40:00

Mail is written in its recipient's language (issue 15): an organisation's
chosen language, and the language a person used the portal in when they
ordered, signed up or sent a request, for the mail that follows later.
Existing rows are Finnish, the only language there was.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_lang_languages'
down_revision = '0010_booking_slots'
branch_labels = None
depends_on = None

TABLES = ('organisation', 'contact_request', 'workshop_order', 'event_signup')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('language', sa.String(length=2), server_default='fi', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
