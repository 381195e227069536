"""referral details of contact requests, their reminder mark, and error reports

Revision ID: 0010_referral_contact
Revises: 0010_feedback_event_feedback
Create Date: 2026-12-05 13:10:00

Issue 16, points 5 and 8: a professional's callback details and the client's
consent (who recorded it, when); one reminder to an organisation that has not
handled a request; visitors' reports of wrong details, a task for staff.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_referral_contact'
down_revision = '0010_feedback_event_feedback'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('professional_phone', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('professional_email', sa.String(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('client_consent_by', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('client_consent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(), nullable=True))
    op.create_table('error_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_error_report_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_error_report'))
    )
    with op.batch_alter_table('error_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_error_report_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_error_report_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_error_report_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('error_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_error_report_status'))
        batch_op.drop_index(batch_op.f('ix_error_report_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_error_report_created_at'))
    op.drop_table('error_report')
    with op.batch_alter_table('contact_request', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('client_consent_at')
        batch_op.drop_column('client_consent_by')
        batch_op.drop_column('professional_email')
        batch_op.drop_column('professional_phone')
