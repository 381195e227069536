"""Swedish and English texts of the taxonomy and of organisations' descriptions

Revision ID: 0010_taxo_translations
Revises: 0010_lang_languages
Create Date: 2026-12-05 12:45:00

Needs (name, group, synonyms), activities (name, description), sectors (name)
and workshop themes (name, description, typical goals) get `_sv` and `_en`
columns; organisations an optional `description_sv` and `description_en`.
Empty means "not translated": the Finnish text is shown.  `flask seed
taxonomy` fills the taxonomy's columns, also on an existing database.
Municipalities already have name_sv; English uses the Finnish name.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_taxo_translations'
down_revision = '0010_lang_languages'
branch_labels = None
depends_on = None

COLUMNS = {
    'need': [
        ('name_sv', sa.String(length=120)), ('group_sv', sa.String(length=120)), ('synonyms_sv', sa.Text()),
        ('name_en', sa.String(length=120)), ('group_en', sa.String(length=120)), ('synonyms_en', sa.Text()),
    ],
    'activity': [
        ('name_sv', sa.String(length=120)), ('description_sv', sa.Text()),
        ('name_en', sa.String(length=120)), ('description_en', sa.Text()),
    ],
    'sector': [('name_sv', sa.String(length=120)), ('name_en', sa.String(length=120))],
    'workshop_theme': [
        ('name_sv', sa.String(length=120)), ('description_sv', sa.Text()), ('typical_goals_sv', sa.Text()),
        ('name_en', sa.String(length=120)), ('description_en', sa.Text()), ('typical_goals_en', sa.Text()),
    ],
    'organisation': [('description_sv', sa.String(length=600)), ('description_en', sa.String(length=600))],
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column_type in columns:
                batch_op.add_column(sa.Column(name, column_type, nullable=False, server_default=''))


def downgrade():
    for table, columns in reversed(COLUMNS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _column_type in reversed(columns):
                batch_op.drop_column(name)
