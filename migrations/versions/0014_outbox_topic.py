"""outbox_message.topic: what a message is about, to find a repeat

Revision ID: 0014_outbox_topic
Revises: 0013_status_change_times
Create Date: 2026-12-07 03:00:00

A shared list mailed again to the same address (the browser's Back restores the
sent form under a new one-time key) is found by its topic and address: the body
that named the list is emptied on delivery, and the address lives nowhere else.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_outbox_topic'
down_revision = '0013_status_change_times'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=64), nullable=False, server_default=''))
        batch_op.create_index('ix_outbox_message_topic', ['topic', 'to'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_topic')
        batch_op.drop_column('topic')
