"""access claims: "this is ours" requests to join an organisation already in the directory

Revision ID: 0011_claim_access_claims
Revises: 0010_referral_contact
Create Date: 2026-12-05 16:40:00

Issue 17, point 1: a signed-in person asks to become a contact of an existing
organisation; a contact approves through a mailed link, or staff do.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_claim_access_claims'
down_revision = '0010_referral_contact'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('message', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('asked_contacts', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_access_claim_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_claim'))
    )
    with op.batch_alter_table('access_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_claim_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_claim_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_claim_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('access_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_claim_status'))
        batch_op.drop_index(batch_op.f('ix_access_claim_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_access_claim_email'))
    op.drop_table('access_claim')
