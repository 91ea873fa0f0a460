"""postal payment services: PostPay (VNPost) and Viettel Money (at ViettelPost's post offices)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 15:00:00.000000

The plan asks that trained households also hold an online-payment account (issue #19): the
postal operators' payment services become data beside Postmart and Voso, offered through the
same gate (a valid certificate; no product needed).

- PostPay (https://postpay.vn): VNPost's e-wallet and payment service.
- Viettel Money (https://viettelmoney.vn, formerly ViettelPay): the e-wallet and mobile
  money of Viettel, ViettelPost's group, which ViettelPost offers households at its post
  offices (the wallet's company is Viettel, so that is its ``operator``).

Who decides their requests is data too (``partner_operators``, as 0011 made it for Postmart
and Voso): the organisations that already run the same company's marketplace run its payment
service (VNPost branches running Postmart run PostPay; ViettelPost branches running Voso run
Viettel Money). An administrator corrects it on the organisation's page from then on. A row
with the same code already there (``flask demo generate --training`` made one named
'viettelmoney' before this migration) is kept as it is and linked the same way.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

#: (code, name, operator, url, the marketplace whose operators run it)
PAYMENT_SERVICES = (
    ('postpay', 'PostPay', 'VNPost', 'https://postpay.vn', 'postmart'),
    ('viettelmoney', 'Viettel Money', 'Viettel', 'https://viettelmoney.vn', 'voso'),
)

marketplaces = sa.table(
    'marketplaces', sa.column('id', sa.Integer), sa.column('code', sa.String),
    sa.column('name', sa.String), sa.column('operator', sa.String), sa.column('url', sa.String),
    sa.column('kind', sa.String), sa.column('is_active', sa.Boolean),
)
operators = sa.table(
    'partner_operators', sa.column('marketplace_id', sa.Integer),
    sa.column('organisation_id', sa.Integer),
)


def _partner_id(connection, code):
    return connection.scalar(sa.select(marketplaces.c.id).where(marketplaces.c.code == code))


def upgrade():
    connection = op.get_bind()
    for code, name, operator, url, sibling in PAYMENT_SERVICES:
        if _partner_id(connection, code) is None:
            connection.execute(marketplaces.insert().values(
                code=code, name=name, operator=operator, url=url, kind='payment_provider',
                is_active=True,
            ))
        service, marketplace = _partner_id(connection, code), _partner_id(connection, sibling)
        if marketplace is None:
            continue
        running = sa.select(operators.c.organisation_id).where(
            operators.c.marketplace_id == marketplace
        )
        already = set(connection.scalars(
            sa.select(operators.c.organisation_id).where(operators.c.marketplace_id == service)
        ))
        links = [
            {'marketplace_id': service, 'organisation_id': organisation}
            for organisation in connection.scalars(running) if organisation not in already
        ]
        if links:
            connection.execute(operators.insert(), links)


def downgrade():
    """The payment services go, with who runs them; one a household has asked for stays
    (its requests refer to it), as data no migration created."""
    connection = op.get_bind()
    requests = sa.table('activation_requests', sa.column('marketplace_id', sa.Integer))
    for code, *_rest in PAYMENT_SERVICES:
        service = _partner_id(connection, code)
        asked = connection.scalar(
            sa.select(sa.func.count()).select_from(requests)
            .where(requests.c.marketplace_id == service)
        )
        if service is None or asked:
            continue
        connection.execute(operators.delete().where(operators.c.marketplace_id == service))
        connection.execute(marketplaces.delete().where(marketplaces.c.id == service))
