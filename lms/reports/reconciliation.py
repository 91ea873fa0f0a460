"""Reconciliation with a marketplace: its seller export, matched to the registry.

A marketplace (Postmart, Voso) exports its sellers as .xlsx or .csv, with headers that vary.
Each seller is matched to a household of the official's scope: by phone, else by national ID,
else by name and commune (shown with a lower confidence). The preview writes nothing; the
commit, in one transaction, records the matched sellers' products as listed on that
marketplace. The report (matched, unmatched, matched without a certificate) downloads as
Excel. The uploaded file is kept in the instance folder under a random name, with the
uploader's id in it, so only the uploader can come back to it.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.areas.models import Area
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.models import today
from lms.core.scope import visible_households
from lms.core.spreadsheets import HEADER_SEARCH_ROWS, cell_text, has_data, header_key, read_table
from lms.core.text import fold, normalize_national_id, normalize_phone
from lms.extensions import db
from lms.households.models import Household
from lms.products.models import Listing, Marketplace, PartnerKind, Product
from lms.reports.targets import has_valid_certificate

# fmt: off
#: the headers marketplaces and people use, folded (no diacritics, lower case)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "shop_id": ("ma gian hang", "id gian hang", "ma shop", "shop id", "id shop", "shop code",
                "seller id", "ma nguoi ban", "ma ncc", "store id"),
    "seller_name": ("ten nguoi ban", "nguoi ban", "chu gian hang", "ten chu gian hang", "ho ten",
                    "ho va ten", "ten chu ho", "seller", "seller name", "owner", "owner name",
                    "ten gian hang", "shop name"),
    "phone": ("so dien thoai", "sdt", "so dt", "dien thoai", "phone", "phone number", "mobile",
              "sdt lien he", "dien thoai lien he"),
    "national_id": ("cccd", "so cccd", "cmnd", "so cmnd", "cmnd cccd", "so cmnd cccd",
                    "national id", "id number", "can cuoc"),
    "address": ("dia chi", "address", "dia chi lay hang", "dia chi kho", "pickup address"),
    "commune": ("xa", "xa phuong", "phuong xa", "commune", "ward"),
    "products": ("san pham", "ten san pham", "cac san pham", "danh sach san pham", "products",
                 "product names", "product"),
}
# fmt: on
HEADERS = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ")
PRODUCT_SEPARATORS = re.compile(r"[;\n|]+|,(?![^(]*\))")


class MatchMethod(StrEnum):
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    NAME_COMMUNE = "name_commune"
    NONE = "none"


METHOD_LABELS: dict[MatchMethod, LazyString] = {
    MatchMethod.PHONE: _l("Phone number"),
    MatchMethod.NATIONAL_ID: _l("National ID (CCCD)"),
    MatchMethod.NAME_COMMUNE: _l("Name and commune"),
    MatchMethod.NONE: _l("Not matched"),
}
#: how sure a match is, in percent: phones and CCCDs are unique, names are not
CONFIDENCE = {
    MatchMethod.PHONE: 100,
    MatchMethod.NATIONAL_ID: 100,
    MatchMethod.NAME_COMMUNE: 70,
    MatchMethod.NONE: 0,
}


@dataclass
class SellerMatch:
    line: int
    shop_id: str
    seller_name: str
    phone: str
    national_id: str
    address: str
    products: list[str]
    method: MatchMethod = MatchMethod.NONE
    household: Household | None = None
    #: the household's products named in the export (to record as listed)
    matched_products: list[Product] = field(default_factory=list)
    #: product names of the export that match none of the household's products
    unknown_products: list[str] = field(default_factory=list)
    certified: bool = False
    note: str = ""

    @property
    def confidence(self) -> int:
        return CONFIDENCE[self.method]


@dataclass
class Reconciliation:
    token: str
    marketplace: Marketplace
    filename: str
    rows: list[SellerMatch]
    problems: list[str]

    @property
    def matched(self) -> list[SellerMatch]:
        return [row for row in self.rows if row.household is not None]

    @property
    def unmatched(self) -> list[SellerMatch]:
        return [row for row in self.rows if row.household is None]

    @property
    def without_certificate(self) -> list[SellerMatch]:
        return [row for row in self.matched if not row.certified]


# ---------------------------------------------------------------- the uploaded file


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "reconciliations"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(user: User, token: str) -> Path | None:
    """The user's uploaded file for ``token``; None for anyone else's or a made-up token."""
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    matches = list(_folder().glob(f"{user.id}-{token}-*"))
    return matches[0] if matches else None


def upload(user: User, stream: IO[bytes], filename: str) -> str:
    """Keep the seller export; returns the token its preview, commit and report use.

    Rule: the file is read before it is kept, and one that cannot be read (too large,
    damaged, a sheet too big to open) is refused and leaves no file behind; every preview
    reads it again, so a kept file must be one that reads. The stored name is the user and
    a random token, never what was uploaded.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise RuleViolation(_l("Only .xlsx and .csv files can be imported."), field="file")
    _rows, problems = read_table(stream, filename)
    if problems:
        raise RuleViolation(problems[0], field="file")
    token = secrets.token_hex(16)
    stream.seek(0)
    (_folder() / f"{user.id}-{token}-{suffix.lstrip('.')}{suffix}").write_bytes(stream.read())
    return token


def load(user: User, token: str, marketplace: Marketplace) -> Reconciliation | None:
    """Read the user's upload again and match every seller (writes nothing)."""
    path = _path(user, token)
    if path is None:
        return None
    with path.open("rb") as stream:
        rows, problems = read_table(stream, path.name)
    sellers, more = _sellers(rows)
    _match(user, sellers, marketplace)
    return Reconciliation(token, marketplace, path.name, sellers, problems + more)


def marketplaces() -> list[Marketplace]:
    statement = select(Marketplace).where(Marketplace.kind == PartnerKind.MARKETPLACE)
    return list(db.session.scalars(statement.order_by(Marketplace.name)))


# ---------------------------------------------------------------- reading


def _sellers(rows: list[list[Any]]) -> tuple[list[SellerMatch], list[str]]:
    header_row = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = {HEADERS.get(header_key(cell_text(value))) for value in row}
        if fields & {"phone", "national_id", "seller_name"} and len(fields - {None}) >= 2:
            header_row = index
            break
    if header_row is None:
        return [], [
            _(
                "No header row found: the file needs columns such as “Số điện thoại” "
                "and “Tên người bán”."
            )
        ]
    columns = {i: HEADERS.get(header_key(cell_text(h))) for i, h in enumerate(rows[header_row])}
    sellers = []
    for number, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
        if not has_data(row):
            continue
        values: dict[str, str] = {}
        for i, value in enumerate(row):
            name = columns.get(i)
            if name and name not in values:
                values[name] = cell_text(value)
        address = values.get("address", "")
        if values.get("commune"):
            address = f"{address}, {values['commune']}" if address else values["commune"]
        sellers.append(
            SellerMatch(
                line=number,
                shop_id=values.get("shop_id", ""),
                seller_name=values.get("seller_name", ""),
                phone=values.get("phone", ""),
                national_id=values.get("national_id", ""),
                address=address,
                products=[
                    name.strip()
                    for name in PRODUCT_SEPARATORS.split(values.get("products", ""))
                    if name.strip()
                ],
            )
        )
    return sellers, []


# ---------------------------------------------------------------- matching


def _match(user: User, sellers: list[SellerMatch], marketplace: Marketplace) -> None:
    """Phone, then national ID, then name + commune: each looked up in bulk, in scope."""
    phones = {s.line: normalize_phone(s.phone) for s in sellers if s.phone}
    national_ids = {s.line: normalize_national_id(s.national_id) for s in sellers if s.national_id}
    by_phone = {
        h.phone: h for h in _households(user, Household.phone, {p for p in phones.values() if p})
    }
    by_national_id = {
        h.national_id: h
        for h in _households(user, Household.national_id, {n for n in national_ids.values() if n})
    }
    by_name: dict[str, list[Household]] = defaultdict(list)
    names = {fold(s.seller_name) for s in sellers if s.seller_name}
    for household in _households(user, Household.name_key, names):
        by_name[household.name_key].append(household)
    communes = _commune_names()
    for seller in sellers:
        national_id = national_ids.get(seller.line)
        if (phone := phones.get(seller.line)) and phone in by_phone:
            seller.method, seller.household = MatchMethod.PHONE, by_phone[phone]
        elif national_id and national_id in by_national_id:
            seller.method, seller.household = MatchMethod.NATIONAL_ID, by_national_id[national_id]
        else:
            candidates = [
                h
                for h in by_name.get(fold(seller.seller_name), [])
                if _mentions(seller.address, communes[h.area_id])
            ]
            if len(candidates) == 1:
                seller.method, seller.household = MatchMethod.NAME_COMMUNE, candidates[0]
            elif len(candidates) > 1:
                seller.note = _(
                    "%(n)d households have this name in this commune.", n=len(candidates)
                )
    matched = [s.household.id for s in sellers if s.household is not None]
    certified = set(
        db.session.scalars(
            select(Household.id).where(Household.id.in_(matched), has_valid_certificate())
        )
    )
    for seller in sellers:
        if seller.household is not None:
            seller.certified = seller.household.id in certified
            _match_products(seller)


def _households(user: User, column, values: set[str]) -> list[Household]:
    """The households in the user's scope whose ``column`` is one of ``values``."""
    found: list[Household] = []
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        statement = (
            select(Household)
            .where(visible_households(user), column.in_(ordered[start : start + 500]))
            .options(selectinload(Household.products), selectinload(Household.area))
        )
        found += db.session.scalars(statement)
    return found


def _commune_names() -> dict[int, set[str]]:
    """Every area's folded names that an address may mention: its own, the commune it was
    merged into, each without "xã" / "phường"."""
    areas = {area.id: area for area in db.session.scalars(select(Area))}
    names: dict[int, set[str]] = {}
    for area in areas.values():
        current = areas.get(area.merged_into_id) if area.merged_into_id else None
        folded = {fold(area.name)} | ({fold(current.name)} if current else set())
        names[area.id] = folded | {n.removeprefix(p) for n in folded for p in COMMUNE_PREFIXES}
    return names


def _mentions(address: str, names: set[str]) -> bool:
    words = f" {' '.join(re.sub(r'[^a-z0-9]+', ' ', fold(address)).split())} "
    return any(f" {name} " in words for name in names if len(name) > 2)


def _match_products(seller: SellerMatch) -> None:
    products = {fold(product.name): product for product in seller.household.products}
    for name in seller.products:
        key = fold(name)
        product = products.get(key) or next(
            (p for k, p in products.items() if key in k or k in key), None
        )
        if product is None:
            seller.unknown_products.append(name)
        elif product not in seller.matched_products:
            seller.matched_products.append(product)


# ---------------------------------------------------------------- commit and report


@rollback_on_violation
def commit(actor: User, reconciliation: Reconciliation) -> int:
    """Record every matched seller's named products as listed on the marketplace, in one
    transaction; returns how many listings were made current."""
    if not reconciliation.matched:
        raise RuleViolation(_l("No seller of the file matches a household: nothing to record."))
    marketplace = reconciliation.marketplace
    products = {p.id: p for seller in reconciliation.matched for p in seller.matched_products}
    existing = {
        listing.product_id: listing
        for listing in db.session.scalars(
            select(Listing).where(
                Listing.marketplace_id == marketplace.id, Listing.product_id.in_(list(products))
            )
        )
    }
    changed = 0
    for product_id, product in products.items():
        listing = existing.get(product_id)
        if listing is not None and listing.delisted_on is None:
            continue
        if listing is None:
            listing = Listing(product=product, marketplace=marketplace, listed_on=today())
            db.session.add(listing)
        listing.delisted_on = None
        changed += 1
    db.session.flush()
    record_event(
        actor,
        "reconciliation.commit",
        marketplace,
        after={
            "file": reconciliation.filename,
            "matched": len(reconciliation.matched),
            "unmatched": len(reconciliation.unmatched),
            "without_certificate": len(reconciliation.without_certificate),
            "listings": changed,
        },
    )
    db.session.commit()
    return changed


def report_rows(reconciliation: Reconciliation) -> list[list]:
    """The report: one row per seller, matched or not, with what to do about it."""
    rows: list[list] = [
        [
            _("Line"),
            _("Shop"),
            _("Seller"),
            _("Phone number"),
            _("Matched by"),
            _("Confidence"),
            _("Household"),
            _("Commune"),
            _("Valid certificate"),
            _("Products found"),
            _("Products not in the registry"),
            _("Note"),
        ]
    ]
    for seller in reconciliation.rows:
        household = seller.household
        rows.append(
            [
                seller.line,
                seller.shop_id,
                seller.seller_name,
                seller.phone,
                str(METHOD_LABELS[seller.method]),
                f"{seller.confidence}%" if household else "",
                household.head_name if household else "",
                household.area.name if household else "",
                (_("Yes") if seller.certified else _("No")) if household else "",
                "; ".join(p.name for p in seller.matched_products),
                "; ".join(seller.unknown_products),
                seller.note,
            ]
        )
    return rows
