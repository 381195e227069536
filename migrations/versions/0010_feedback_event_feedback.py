"""feedback after events: statements, attendance, the feedback link and anonymous answers

Revision ID: 0010_feedback_event_feedback
Revises: 0010_assoc_submissions_notices
Create Date: 2026-12-05 12:40:00

Each event gets its own survey statements (existing events the default set
they would have got on the form), each sign-up its attendance mark and the
state of its single-use feedback link, and the answers a table of their own,
not linked to the sign-up.
"""
import sqlalchemy as sa
from alembic import op


revision = '0010_feedback_event_feedback'
down_revision = '0010_assoc_submissions_notices'
branch_labels = None
depends_on = None

# The default set of app/events/feedback.py when this migration was written.
DEFAULT_STATEMENTS = [
    "Tapahtuma vastasi odotuksiani",
    "Sain tietoa, jota voin käyttää työssäni tai toiminnassani",
    "Tapasin muita toimijoita ja sain uusia yhteyksiä",
    "Järjestelyt toimivat hyvin",
    "Osallistuisin vastaavaan tapahtumaan uudelleen",
]


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feedback_statements', sa.JSON(), nullable=True))
    events = sa.table('event', sa.column('feedback_statements', sa.JSON()))
    op.execute(events.update().values(feedback_statements=DEFAULT_STATEMENTS))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('feedback_statements', existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('feedback_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('feedback_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('feedback_answered_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_event_signup_feedback_token_hash'), ['feedback_token_hash'])

    op.create_table('event_feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('open_answer', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_feedback_response_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_feedback_response'))
    )
    with op.batch_alter_table('event_feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_feedback_response_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_feedback_response_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_feedback_response_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_feedback_response_created_at'))
    op.drop_table('event_feedback_response')

    with op.batch_alter_table('event_signup', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_event_signup_feedback_token_hash'), type_='unique')
        batch_op.drop_column('feedback_answered_at')
        batch_op.drop_column('feedback_sent_at')
        batch_op.drop_column('feedback_token_hash')
        batch_op.drop_column('attended')

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('feedback_statements')
