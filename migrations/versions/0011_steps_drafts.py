"""drafts of the stepped organisation form

Revision ID: 0011_steps_drafts
Revises: 0011_claim_access_claims
Create Date: 2026-12-05 16:40:00

Issue 17, point 6: the organisation form in steps keeps each step on the
server, keyed by the person's address and the organisation (none for a new one).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_steps_drafts'
down_revision = '0011_claim_access_claims'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_draft_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_draft')),
    sa.UniqueConstraint('email', 'organisation_id', name=op.f('uq_organisation_draft_email'))
    )
    with op.batch_alter_table('organisation_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_draft_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_draft_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_draft_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_draft_updated_at'))
        batch_op.drop_index(batch_op.f('ix_organisation_draft_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_draft_email'))

    op.drop_table('organisation_draft')
