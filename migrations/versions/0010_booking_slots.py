"""workshop slots published by facilitators, and the reminder mark of orders

Revision ID: 0010_booking_slots
Revises: 0009_events
Create Date: 2026-12-05 12:45:00

Issue 19, point 5: staff publish two-hour slots; an order holds one; the
reminder two days before a workshop goes out once.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_booking_slots'
down_revision = '0009_events'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshop_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('facilitator', sa.String(length=120), nullable=False),
    sa.Column('towns', sa.String(length=300), nullable=False),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['workshop_order.id'], name=op.f('fk_workshop_slot_order_id_workshop_order'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_slot')),
    sa.UniqueConstraint('facilitator', 'starts_at', name='uq_workshop_slot_facilitator_start'),
    sa.UniqueConstraint('order_id', name=op.f('uq_workshop_slot_order_id'))
    )
    with op.batch_alter_table('workshop_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_slot_starts_at'), ['starts_at'], unique=False)
    with op.batch_alter_table('workshop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('workshop_order', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('workshop_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_slot_starts_at'))
    op.drop_table('workshop_slot')
