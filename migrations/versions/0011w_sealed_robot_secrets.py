"""notification robots: webhook addresses and signing secrets encrypted at rest

notification_robots.url and .secret become TEXT holding a Fernet token, and every value written before is
sealed here (an empty secret stays empty). The key: HKDF-SHA256 of the app's SECRET_KEY with the info below,
as booking/notifications/sealing.py derives it (repeated here: migrations import no app code). Downgrade
opens the values again, with the SECRET_KEY or one of SECRET_KEY_FALLBACKS, and stops at one it cannot open.

Revision ID: 0011w
Revises: 0011c
Create Date: 2026-12-02 03:30:00.000000

"""
import base64

from alembic import context, op
import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0011w'
down_revision = '0011c'
branch_labels = None
depends_on = None

KEY_INFO = b"district-share notification robots"
ROBOTS = sa.table('notification_robots', sa.column('id', sa.Integer), sa.column('url', sa.Text),
                  sa.column('secret', sa.Text))
PLAIN_TYPES = {'url': sa.String(length=1000), 'secret': sa.String(length=200)}


def _fernet() -> MultiFernet:
    if context.is_offline_mode():
        raise RuntimeError("0011w seals the robots' values: run it against the database, not as SQL")
    keys = [current_app.config["SECRET_KEY"], *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]
    derive = [HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(
        key.encode() if isinstance(key, str) else key) for key in keys]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(material)) for material in derive])


def _rewrite(change) -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(ROBOTS.c.id, ROBOTS.c.url, ROBOTS.c.secret)).all():
        connection.execute(ROBOTS.update().where(ROBOTS.c.id == row.id)
                           .values(url=change(row.url), secret=change(row.secret)))


def upgrade():
    with op.batch_alter_table('notification_robots', schema=None) as batch_op:
        for name, plain in PLAIN_TYPES.items():
            batch_op.alter_column(name, existing_type=plain, type_=sa.Text(), existing_nullable=False)
    fernet = _fernet()
    _rewrite(lambda value: fernet.encrypt(value.encode()).decode("ascii") if value else "")


def downgrade():
    fernet = _fernet()
    _rewrite(lambda value: fernet.decrypt(value.encode("ascii")).decode() if value else "")
    with op.batch_alter_table('notification_robots', schema=None) as batch_op:
        for name, plain in PLAIN_TYPES.items():
            batch_op.alter_column(name, existing_type=sa.Text(), type_=plain, existing_nullable=False)
