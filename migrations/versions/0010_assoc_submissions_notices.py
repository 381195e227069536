"""one-time form submission keys; staff notices on by default

Revision ID: 0010_assoc_submissions_notices
Revises: 0010_pgrank_document_sort_name
Create Date: 2026-12-05 12:30:00

Issue 17: every creating form carries a one-time key kept in `form_submission`
(the event sign-up's own key column gives way to it), and every active staff
member receives notices unless they turn them off (`receives_notices`).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_assoc_submissions_notices'
down_revision = '0010_pgrank_document_sort_name'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submission',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('result_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_form_submission'))
    )
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submission_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receives_notices', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_event_signup_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')


def downgrade():
    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
    # Old rows get a unique placeholder; the form's keys live in form_submission.
    op.execute("UPDATE event_signup SET submission_key = 'migrated-' || id")
    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.alter_column('submission_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_event_signup_submission_key'), ['submission_key'])

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('receives_notices')

    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submission_created_at'))
    op.drop_table('form_submission')
