"""Reconciliation with a marketplace: its seller export, matched to the registry.

A marketplace (Postmart, Voso) exports its sellers as .xlsx or .csv, with headers that vary.
Each seller is matched to a household of the official's scope: by phone, else by national ID,
else by name and commune. A match is sure only when the registry's identity rule holds (the
rule household imports apply: the same name, diacritics and case aside, the same CCCD, the
same commune) and no other seller of the file lands on the same household; every other match
"needs confirmation" (cần xác nhận) and an official confirms or rejects it row by row. The
commit, once per uploaded list and in one transaction, records each recorded seller's
products as listed on that marketplace, creating the products the registry does not hold yet
(``ProductSource.RECONCILIATION``: a name only, no rating or certification). The report
(matched, doubtful, unmatched, matched without a certificate) downloads as Excel.

The uploaded file is a ``SellerList`` record, kept in the instance folder under a random
name; only its uploader can come back to it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import orjson
from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, select, true, update
from sqlalchemy.orm import selectinload

from lms.areas.models import Area, AreaLevel
from lms.auth.models import User
from lms.core.audit import record_event
from lms.core.database import vietnamese
from lms.core.errors import RuleViolation, rollback_on_violation
from lms.core.models import today, utcnow
from lms.core.scope import visible_households
from lms.core.spreadsheets import (
    HEADER_SEARCH_ROWS,
    cell_text,
    has_data,
    header_key,
    read_table,
    read_workbook,
)
from lms.core.text import clean, fold, normalize_national_id, normalize_phones
from lms.extensions import db
from lms.households.importing import _disagreements, field_label
from lms.households.models import Household
from lms.products.models import (
    Listing,
    Marketplace,
    PartnerKind,
    Product,
    ProductSource,
    SellerList,
)
from lms.reports.targets import has_valid_certificate

# fmt: off
#: the headers marketplaces and people use, folded (no diacritics, lower case)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "shop_id": ("ma gian hang", "id gian hang", "ma shop", "shop id", "id shop", "shop code",
                "seller id", "ma nguoi ban", "ma ncc", "store id", "ma cua hang",
                "ma nha cung cap", "supplier id", "supplier code"),
    "seller_name": ("ten nguoi ban", "nguoi ban", "chu gian hang", "ten chu gian hang", "ho ten",
                    "ho va ten", "ten chu ho", "chu ho", "seller", "seller name", "owner",
                    "owner name", "nguoi dai dien", "ten nguoi dai dien", "chu shop",
                    "ho ten chu shop", "ho ten nguoi ban", "full name", "nguoi lien he",
                    "ten nguoi lien he", "contact name", "contact person", "chu so huu"),
    "shop_name": ("ten gian hang", "gian hang", "shop name", "ten shop", "store name",
                  "ten cua hang", "cua hang", "shop", "ten nha cung cap", "nha cung cap",
                  "ten ncc", "supplier", "supplier name", "ten doanh nghiep", "ten ho kinh doanh"),
    "phone": ("so dien thoai", "sdt", "so dt", "dien thoai", "phone", "phone number", "mobile",
              "sdt lien he", "dien thoai lien he", "so dien thoai lien he", "sdt chu shop",
              "dt", "tel"),
    "national_id": ("cccd", "so cccd", "cmnd", "so cmnd", "cmnd cccd", "so cmnd cccd",
                    "national id", "id number", "can cuoc", "so can cuoc", "cccd cmnd",
                    "so cccd cmnd"),
    "address": ("dia chi", "address", "dia chi lay hang", "dia chi kho", "pickup address",
                "dia chi gian hang", "dia chi shop", "dia chi kinh doanh"),
    "commune": ("xa", "xa phuong", "phuong xa", "commune", "ward", "phuong"),
    "products": ("san pham", "ten san pham", "cac san pham", "danh sach san pham", "products",
                 "product names", "product", "ten hang", "mat hang", "hang hoa",
                 "san pham dang ban"),
    "listed_on": ("ngay tham gia", "ngay dang ky", "ngay tao", "ngay mo gian hang", "ngay len san",
                  "ngay kich hoat", "created at", "join date", "created", "registered on"),
    "url": ("link", "url", "duong dan", "link gian hang", "shop url", "link shop"),
    "status": ("trang thai", "tinh trang", "status", "trang thai gian hang", "trang thai shop"),
}
# fmt: on
HEADERS = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ")
PRODUCT_SEPARATORS = re.compile(r"[;\n|]+|,(?![^(]*\))")
#: a product name of the file is taken for a registry product containing it (or contained
#: in it) only from this many letters: "chè" alone names no product
PRODUCT_MATCH_MIN_LENGTH = 5


class MatchMethod(StrEnum):
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    MEMBER_PHONE = "member_phone"
    NAME_COMMUNE = "name_commune"
    NONE = "none"


METHOD_LABELS: dict[MatchMethod, LazyString] = {
    MatchMethod.PHONE: _l("Phone number"),
    MatchMethod.NATIONAL_ID: _l("National ID (CCCD)"),
    MatchMethod.MEMBER_PHONE: _l("A member's phone number"),
    MatchMethod.NAME_COMMUNE: _l("Name and commune"),
    MatchMethod.NONE: _l("Not matched"),
}


class Decision(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"


class MatchState(StrEnum):
    """Where a seller stands: what the commit will do with it."""

    #: by phone or CCCD, the identity agrees, the only seller on its household: recorded
    SURE = "sure"
    #: a doubtful match nobody has decided yet: the commit waits for it
    TO_CONFIRM = "to_confirm"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    UNMATCHED = "unmatched"


STATE_LABELS: dict[MatchState, LazyString] = {
    MatchState.SURE: _l("Sure match"),
    MatchState.TO_CONFIRM: _l("Needs confirmation"),
    MatchState.CONFIRMED: _l("Match confirmed"),
    MatchState.REJECTED: _l("Match rejected"),
    MatchState.UNMATCHED: _l("Not matched"),
}


@dataclass
class SellerMatch:
    #: the line of the file (of its sheet, for a workbook of several)
    line: int
    shop_id: str
    seller_name: str
    phone: str
    national_id: str
    address: str
    products: list[str]
    shop_name: str = ""
    #: the shop's status as the file gives it ("Đang hoạt động", "Đã khóa")
    status: str = ""
    #: the commune column, when the file has one (it is in ``address`` too)
    commune: str = ""
    url: str = ""
    listed_on: date | None = None
    method: MatchMethod = MatchMethod.NONE
    household: Household | None = None
    #: why the match needs a person's confirmation (empty: sure)
    doubts: list[str] = field(default_factory=list)
    #: the official's decision, when it still holds for this household
    decision: Decision | None = None
    #: the household's products named in the export (to record as listed)
    matched_products: list[Product] = field(default_factory=list)
    #: product names of the export that match none of the household's products: the commit
    #: creates them
    unknown_products: list[str] = field(default_factory=list)
    certified: bool = False
    #: why a seller is not matched, or what else the official should know
    note: str = ""
    #: 1, 2, 3 … in the file, across its sheets: what decisions are kept by
    number: int = 0
    #: the sheet's name, for a workbook with sellers on several sheets
    sheet: str = ""

    @property
    def where(self) -> str:
        """Where the official finds the seller in the file: the line, and the sheet."""
        return f"{self.sheet} {self.line}" if self.sheet else str(self.line)

    @property
    def state(self) -> MatchState:
        if self.household is None:
            return MatchState.UNMATCHED
        if not self.doubts:
            return MatchState.SURE
        if self.decision is Decision.CONFIRM:
            return MatchState.CONFIRMED
        if self.decision is Decision.REJECT:
            return MatchState.REJECTED
        return MatchState.TO_CONFIRM

    @property
    def is_recorded(self) -> bool:
        """The commit records this seller's listings."""
        return self.state in (MatchState.SURE, MatchState.CONFIRMED)

    @property
    def is_doubtful(self) -> bool:
        return self.household is not None and bool(self.doubts)

    @property
    def confidence(self) -> int | None:
        """100 for a sure match; None (shown "needs confirmation") for any other."""
        return 100 if self.state is MatchState.SURE else None


@dataclass
class Reconciliation:
    record: SellerList
    rows: list[SellerMatch]
    problems: list[str]
    #: what the reading passed over (hidden sheets, sheets that are no seller list)
    notices: list[str] = field(default_factory=list)

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def marketplace(self) -> Marketplace:
        return self.record.marketplace

    @property
    def filename(self) -> str:
        return self.record.filename

    def _in(self, *states: MatchState) -> list[SellerMatch]:
        return [row for row in self.rows if row.state in states]

    @property
    def matched(self) -> list[SellerMatch]:
        return [row for row in self.rows if row.household is not None]

    @property
    def sure(self) -> list[SellerMatch]:
        return self._in(MatchState.SURE)

    @property
    def doubtful(self) -> list[SellerMatch]:
        return [row for row in self.rows if row.is_doubtful]

    @property
    def to_confirm(self) -> list[SellerMatch]:
        return self._in(MatchState.TO_CONFIRM)

    @property
    def rejected(self) -> list[SellerMatch]:
        return self._in(MatchState.REJECTED)

    @property
    def unmatched(self) -> list[SellerMatch]:
        return self._in(MatchState.UNMATCHED)

    @property
    def recorded(self) -> list[SellerMatch]:
        return [row for row in self.rows if row.is_recorded]

    @property
    def without_certificate(self) -> list[SellerMatch]:
        return [row for row in self.recorded if not row.certified]

    @property
    def can_commit(self) -> bool:
        return not self.record.is_committed and not self.problems and bool(self.recorded)


# ---------------------------------------------------------------- the uploaded file


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "reconciliations"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload(actor: User | None, marketplace: Marketplace, stream: IO[bytes], filename: str) -> str:
    """Keep the seller export as a seller list; returns the token its pages use.

    Rule: only a marketplace's list; the file is read before it is kept, and one that
    cannot be read (too large, damaged, a sheet too big to open) is refused and leaves no
    file behind; every preview reads it again, so a kept file must be one that reads. The
    stored name is a random token, never what was uploaded.
    """
    _check_upload(marketplace, filename)
    _rows, problems = read_table(stream, filename)
    if problems:
        raise RuleViolation(problems[0], field="file")
    stream.seek(0)
    return keep(actor, marketplace, stream, filename).token


def _check_upload(marketplace: Marketplace, filename: str) -> str:
    if marketplace.kind is not PartnerKind.MARKETPLACE:
        raise RuleViolation(_l("Please choose a marketplace."), field="marketplace_id")
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise RuleViolation(_l("Only .xlsx and .csv files can be imported."), field="file")
    return suffix


def keep(
    actor: User | None, marketplace: Marketplace, stream: IO[bytes], filename: str
) -> SellerList:
    """Keep a seller export not yet read: a large one, which a job reads and matches
    (``match_and_keep``); refused then, it is forgotten (``forget``)."""
    suffix = _check_upload(marketplace, filename)
    token = secrets.token_hex(16)
    record = SellerList(
        token=token,
        created_by_id=actor.id if actor else None,
        marketplace_id=marketplace.id,
        filename=Path(filename).name[:255] or "seller-list",
        stored_name=f"{token}{suffix}",
        decisions={},
    )
    db.session.add(record)
    stored = _folder() / record.stored_name
    with stored.open("wb") as target:
        shutil.copyfileobj(stream, target, 2**20)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        stored.unlink(missing_ok=True)
        raise
    return record


def forget(record: SellerList) -> None:
    """A kept export that cannot be read: its row and its files go."""
    for path in _folder().glob(f"{record.token}*"):
        path.unlink(missing_ok=True)
    db.session.execute(delete(SellerList).where(SellerList.id == record.id))
    db.session.commit()


def find(actor: User | None, token: str) -> SellerList | None:
    """The actor's seller list of ``token``; None for anyone else's or a made-up token."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    creator = (
        SellerList.created_by_id.is_(None)
        if actor is None
        else SellerList.created_by_id == actor.id
    )
    return db.session.scalar(select(SellerList).where(SellerList.token == token, creator))


def load(actor: User | None, token: str, fresh: bool = False) -> Reconciliation | None:
    """The actor's seller list, every seller matched (writes nothing): read again and
    matched now, or, for a large list a job matched (``match_and_keep``), as the job left it
    (``fresh``: matched now all the same, as the commit does).

    Every visible sheet is read: a sheet without the columns of a seller list (a cover
    page, notes, totals) is passed over with a notice; the file is refused only when no
    sheet has them.
    """
    record = find(actor, token)
    if record is None:
        return None
    if not fresh and _cache(record).exists():
        return _from_cache(actor, record)
    return match_file(actor, record)


def match_file(actor: User | None, record: SellerList) -> Reconciliation | None:
    """Read the kept file and match every seller (writes nothing)."""
    path = _folder() / record.stored_name
    if not path.exists():
        return None
    with path.open("rb") as stream:
        sheets, problems, notices = read_workbook(stream, path.name)
    sellers: list[SellerMatch] = []
    headerless: list[str] = []
    found = [(sheet, *_sellers(sheet.rows)) for sheet in sheets]
    several = sum(1 for _sheet, rows, more in found if not more) > 1
    for sheet, rows, more in found:
        if more:
            headerless.append(sheet.name)
            continue
        for row in rows:
            row.number = len(sellers) + 1
            row.sheet = sheet.name if several else ""
            sellers.append(row)
    if found and len(headerless) == len(found):
        problems = [*problems, *found[0][2]]
    elif headerless and len(found) > 1:
        notices = [
            *notices,
            _(
                "Sheets without the columns of a seller list were not read: %(names)s.",
                names=", ".join(f"“{name}”" for name in headerless),
            ),
        ]
    _match(actor, sellers, record)
    return Reconciliation(record, sellers, problems, notices)


#: a seller's fields kept as they are in the matches a job keeps
_KEPT = (
    "line", "shop_id", "seller_name", "phone", "national_id", "address", "products",
    "shop_name", "status", "commune", "url", "doubts", "unknown_products", "certified",
    "note", "number", "sheet",
)  # fmt: skip


def _cache(record: SellerList) -> Path:
    return _folder() / f"{record.token}.matches.json"


def is_matched(record: SellerList) -> bool:
    """A job read and matched this list (a large one): its pages read what it kept."""
    return _cache(record).exists()


def match_and_keep(actor: User | None, record: SellerList) -> Reconciliation:
    """A large list, in its job: read and matched once, and the matches kept beside the file
    (households and products by id), so its pages do not read and match it again on every
    view. Rule: a file that cannot be read fails the job and leaves nothing behind."""
    try:
        result = match_file(actor, record)
        if result is None:
            raise RuleViolation(_l("The file could not be read."))
        if result.problems and not result.rows:
            raise RuleViolation(result.problems[0])
    except BaseException:
        db.session.rollback()
        forget(record)
        raise
    sellers = []
    for seller in result.rows:
        kept = {name: getattr(seller, name) for name in _KEPT}
        kept["listed_on"] = seller.listed_on.isoformat() if seller.listed_on else None
        kept["method"] = seller.method.value
        kept["household_id"] = seller.household.id if seller.household else None
        kept["product_ids"] = [product.id for product in seller.matched_products]
        sellers.append(kept)
    data = {"problems": result.problems, "notices": result.notices, "sellers": sellers}
    partial = _cache(record).with_suffix(".part")
    partial.write_bytes(orjson.dumps(data))
    os.replace(partial, _cache(record))
    return result


def _from_cache(actor: User | None, record: SellerList) -> Reconciliation:
    """The matches a job kept, with their households and products read again (in scope)."""
    data = orjson.loads(_cache(record).read_bytes())
    household_ids = {s["household_id"] for s in data["sellers"] if s["household_id"]}
    product_ids = {i for s in data["sellers"] for i in s["product_ids"]}
    households: dict[int, Household] = {}
    products: dict[int, Product] = {}
    for chunk in _chunks(sorted(household_ids)):
        statement = select(Household).where(Household.id.in_(chunk), _in_scope(actor))
        households.update((h.id, h) for h in db.session.scalars(statement))
    for chunk in _chunks(sorted(product_ids)):
        products.update(
            (p.id, p) for p in db.session.scalars(select(Product).where(Product.id.in_(chunk)))
        )
    sellers = []
    for kept in data["sellers"]:
        seller = SellerMatch(**{name: kept[name] for name in _KEPT})
        seller.listed_on = date.fromisoformat(kept["listed_on"]) if kept["listed_on"] else None
        seller.method = MatchMethod(kept["method"])
        seller.household = households.get(kept["household_id"])
        seller.matched_products = [products[i] for i in kept["product_ids"] if i in products]
        sellers.append(seller)
    _apply_decisions(sellers, record.decisions or {})
    return Reconciliation(record, sellers, data["problems"], data["notices"])


def _chunks(values: list, size: int = 900):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def marketplaces() -> list[Marketplace]:
    statement = select(Marketplace).where(Marketplace.kind == PartnerKind.MARKETPLACE)
    return list(db.session.scalars(statement.order_by(vietnamese(Marketplace.name))))


def marketplace_by_code(code: str) -> Marketplace | None:
    return db.session.scalar(
        select(Marketplace).where(
            Marketplace.code == code.strip().lower(), Marketplace.kind == PartnerKind.MARKETPLACE
        )
    )


#: the preview's views of the sellers: every one, the doubtful ones, those not matched
SHOWN = {
    "doubtful": lambda row: row.is_doubtful,
    "to_confirm": lambda row: row.state is MatchState.TO_CONFIRM,
    "unmatched": lambda row: row.state is MatchState.UNMATCHED,
    "uncertified": lambda row: row.is_recorded and not row.certified,
}


def shown_rows(reconciliation: Reconciliation, show: str) -> list[SellerMatch]:
    """The sellers the preview shows: those needing confirmation first when all are shown."""
    if show in SHOWN:
        return [row for row in reconciliation.rows if SHOWN[show](row)]
    return sorted(reconciliation.rows, key=lambda row: row.state is not MatchState.TO_CONFIRM)


# ---------------------------------------------------------------- reading


def _sellers(rows: list[list[Any]]) -> tuple[list[SellerMatch], list[str]]:
    header_row = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = {_field(value) for value in row}
        wanted = {"phone", "national_id", "seller_name", "shop_name"}
        if fields & wanted and len(fields - {None}) >= 2:
            header_row = index
            break
    if header_row is None:
        return [], [
            _(
                "No header row found: the file needs columns such as “Số điện thoại” "
                "and “Tên người bán”."
            )
        ]
    columns = {i: _field(header) for i, header in enumerate(rows[header_row])}
    sellers = []
    for number, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
        if not has_data(row):
            continue
        values: dict[str, str] = {}
        raw: dict[str, Any] = {}
        for i, value in enumerate(row):
            name = columns.get(i)
            if name and not values.get(name):
                values[name] = cell_text(value)
                raw[name] = value
        address = values.get("address", "")
        if values.get("commune"):
            address = f"{address}, {values['commune']}" if address else values["commune"]
        sellers.append(
            SellerMatch(
                line=number,
                shop_id=values.get("shop_id", ""),
                seller_name=values.get("seller_name", ""),
                shop_name=values.get("shop_name", ""),
                phone=values.get("phone", ""),
                national_id=values.get("national_id", ""),
                address=address,
                url=values.get("url", "")[:500],
                status=values.get("status", ""),
                commune=values.get("commune", ""),
                listed_on=_day(raw.get("listed_on")),
                products=list(
                    dict.fromkeys(
                        clean(name)[:160]
                        for name in PRODUCT_SEPARATORS.split(values.get("products", ""))
                        if clean(name)
                    )
                ),
            )
        )
    return sellers, []


#: headers that begin with one of these (of two words or more, or "sdt") and go on are
#: read as it: "SĐT người bán", "Tên sản phẩm chính", "Địa chỉ lấy hàng mặc định"
PREFIX_ALIASES = sorted(
    (alias for alias in HEADERS if " " in alias or alias == "sdt"), key=len, reverse=True
)


def _field(header: Any) -> str | None:
    """The seller field a header names: one of the usual wordings, or a longer header
    beginning with one (an e-mail column is never an address)."""
    key = header_key(cell_text(header))
    if key in HEADERS:
        return HEADERS[key]
    if not key or "mail" in key:
        return None
    return next((HEADERS[alias] for alias in PREFIX_ALIASES if key.startswith(f"{alias} ")), None)


def _day(value: Any) -> date | None:
    """A date as a marketplace writes it: an Excel date, 25/11/2026, 2026-11-25 (a time
    after it is dropped); None when it is none of these or in the future."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = cell_text(value).split(" ")[0].split("T")[0]
        day_first = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        year_first = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        try:
            if day_first:
                day = date(*(int(day_first.group(n)) for n in (3, 2, 1)))
            elif year_first:
                day = date(*(int(n) for n in year_first.groups()))
            else:
                day = None
        except ValueError:
            day = None
    return day if day is not None and date(2000, 1, 1) <= day <= today() else None


# ---------------------------------------------------------------- matching


def _in_scope(actor: User | None) -> ColumnElement[bool]:
    """The actor's households; every household for the system (the CLI without --as)."""
    return true() if actor is None else visible_households(actor)


def _match(actor: User | None, sellers: list[SellerMatch], record: SellerList) -> None:
    """Phone (the household's, else a member's), then national ID, then name + commune:
    each looked up in bulk, in scope; then the identity rule, the shop's status and the
    other sellers of the file decide whether a match is sure."""
    phones = {s.number: normalize_phones(s.phone) for s in sellers}
    national_ids = {s.number: _national_id(s.national_id) for s in sellers}
    all_phones = {p for ps in phones.values() for p in ps}
    by_phone = {h.phone: h for h in _households(actor, Household.phone, all_phones)}
    members = _members(actor, all_phones - set(by_phone))
    by_national_id = {
        h.national_id: h
        for h in _households(actor, Household.national_id, {n for n in national_ids.values() if n})
    }
    names = {s.number: _person_names(s) for s in sellers}
    by_name: dict[str, list[Household]] = defaultdict(list)
    wanted_names = {key for keys in names.values() for key in keys[0] | keys[1]}
    for household in _households(actor, Household.name_key, wanted_names):
        by_name[household.name_key].append(household)
    communes = _communes()
    for seller in sellers:
        mentioned = _named_commune(seller.commune, communes) or _mentioned(seller.address, communes)
        national_id = national_ids.get(seller.number)
        person, shop = names[seller.number]
        found = {h.id: h for p in phones[seller.number] if (h := by_phone.get(p)) is not None}
        method = MatchMethod.PHONE if found else MatchMethod.NONE
        member_names: set[str] = set()
        if not found:
            for phone in phones[seller.number]:
                if phone in members:
                    household, member_name = members[phone]
                    found[household.id] = household
                    member_names.add(fold(member_name))
                    method = MatchMethod.MEMBER_PHONE
        if national_id and national_id in by_national_id:
            household = by_national_id[national_id]
            if not found:
                method = MatchMethod.NATIONAL_ID
            found.setdefault(household.id, household)
        if len(found) > 1:
            seller.note = _(
                "The phone number and the CCCD belong to two different registered households."
            )
            continue
        if found:
            seller.method, seller.household = method, next(iter(found.values()))
            seller.doubts += _identity_doubts(
                seller, person, shop, member_names, national_id, mentioned, communes
            )
            continue
        named = {h.id: h for key in person | shop for h in by_name.get(key, [])}
        candidates = [h for h in named.values() if _commune_of(h.area_id, communes) in mentioned]
        if not mentioned and len(named) == 1:  # the file names no commune at all
            candidates = list(named.values())
        if len(candidates) > 1:  # namesakes in one commune: the village may tell them apart
            words = f" {_words(seller.address)} "
            in_village = [h for h in candidates if h.village and f" {_words(h.village)} " in words]
            candidates = in_village if len(in_village) == 1 else candidates
        if len(candidates) == 1:
            seller.method, seller.household = MatchMethod.NAME_COMMUNE, candidates[0]
            seller.doubts.append(
                _("Matched by name and commune only: no phone number or CCCD agrees.")
                if mentioned
                else _("Matched by name only: the file gives no commune.")
            )
        elif len(candidates) > 1:
            seller.note = _("%(n)d households have this name in this commune.", n=len(candidates))
    _note_outside_scope(actor, sellers, phones)
    for seller in sellers:
        if seller.household is not None and _is_closed(seller.status):
            seller.doubts.append(
                _("The file gives the shop's status as “%(status)s”.", status=seller.status)
            )
    _flag_shared_households(sellers, phones)
    _apply_decisions(sellers, record.decisions or {})
    matched = [s.household.id for s in sellers if s.household is not None]
    certified: set[int] = set()
    for start in range(0, len(matched), 500):
        certified.update(
            db.session.scalars(
                select(Household.id).where(
                    Household.id.in_(matched[start : start + 500]), has_valid_certificate()
                )
            )
        )
    placeholder = _("Products on %(market)s", market=record.marketplace.name)
    for seller in sellers:
        if seller.household is not None:
            seller.certified = seller.household.id in certified
            _match_products(seller, placeholder)


def _national_id(text: str) -> str | None:
    """A CCCD as a seller file gives it; Excel drops the leading zero of one typed as a
    number (every CCCD starts with 0), as the household import also reads it."""
    digits = re.sub(r"[\s.]", "", text or "")
    if re.fullmatch(r"[1-9]\d{10}", digits):
        digits = "0" + digits
    return normalize_national_id(digits)


#: words before a person's name in a seller or shop name: a title, a business form
NAME_PREFIXES = (
    "ho kinh doanh ", "hkd ", "ho gia dinh ", "co so san xuat ", "co so ", "cs ", "ong ", "ba ",
    "anh ", "chi ", "chu ho ", "chu shop ",
)  # fmt: skip
#: what a marketplace writes for a shop that does not sell (closed, or not yet approved), folded
CLOSED_WORDS = (
    "khoa", "ngung", "dong cua", "da dong", "huy", "tam dung", "inactive", "locked", "closed",
    "suspended", "banned", "deleted", "disabled", "cho duyet", "chua duyet", "tu choi", "pending",
    "rejected",
)  # fmt: skip


def _name_keys(text: str) -> set[str]:
    """The folded names a seller or shop name may be a person's name as: as typed, without
    a title or business form before it ("Bà", "Hộ kinh doanh"), and each part of a shop
    name ("Nguyễn Văn An - Chè Tân Cương", "Chè Tân Cương (Nguyễn Văn An)")."""
    keys = set()
    for part in re.split(r"\s+[-–—|]\s+|[()\[\]]", fold(text)):
        part = " ".join(part.split())
        if not part:
            continue
        keys.add(part)
        for prefix in NAME_PREFIXES:
            if part.startswith(prefix) and len(part.removeprefix(prefix).split()) >= 2:
                keys.add(part.removeprefix(prefix))
    return keys


def _person_names(seller: SellerMatch) -> tuple[set[str], set[str]]:
    """The folded names a seller may be called by: from the person's name column, and from
    the shop name (a brand as often as a person's name)."""
    return _name_keys(seller.seller_name), _name_keys(seller.shop_name)


def _is_closed(status: str) -> bool:
    words = f" {_words(status)} "
    return any(f" {word} " in words for word in CLOSED_WORDS)


def _members(actor: User | None, phones: set[str]) -> dict[str, tuple[Household, str]]:
    """The households of the members who log in with one of ``phones``, in scope, with the
    member's name, by phone: a seller often registers with a son's or a wife's phone."""
    found: dict[str, tuple[Household, str]] = {}
    ordered = sorted(phones)
    for start in range(0, len(ordered), 500):
        statement = (
            select(User.phone, User.full_name, Household)
            .join(Household, Household.id == User.household_id)
            .where(_in_scope(actor), User.phone.in_(ordered[start : start + 500]))
            .options(selectinload(Household.products), selectinload(Household.area))
        )
        for phone, name, household in db.session.execute(statement):
            found[phone] = (household, name)
    return found


def _note_outside_scope(
    actor: User | None, sellers: list[SellerMatch], phones: dict[int, list[str]]
) -> None:
    """An unmatched seller whose phone or CCCD a household outside the actor's area holds
    says so (the official of that area reconciles it)."""
    if actor is None:
        return
    unmatched = [s for s in sellers if s.household is None and not s.note]
    wanted = sorted({p for s in unmatched for p in phones[s.number]})
    national_ids = sorted({n for s in unmatched if (n := _national_id(s.national_id)) is not None})
    known: set[str] = set()
    for column, values in ((Household.phone, wanted), (Household.national_id, national_ids)):
        for start in range(0, len(values), 500):
            known.update(
                db.session.scalars(select(column).where(column.in_(values[start : start + 500])))
            )
    for seller in unmatched:
        national_id = _national_id(seller.national_id)
        if known & set(phones[seller.number]) or (national_id and national_id in known):
            seller.note = _(
                "This phone number or CCCD is registered to a household outside your area."
            )


def _identity_doubts(
    seller: SellerMatch,
    person: set[str],
    shop: set[str],
    members: set[str],
    national_id: str | None,
    mentioned: set[int],
    communes: dict[int, tuple[int, set[str]]],
) -> list[str]:
    """The registry's identity rule (``lms.households.importing``), for a seller matched by
    phone or CCCD: another name, CCCD or commune says the seller may be another person.

    The name agrees when the person's name column is the household's (or, matched by a
    member's phone, that member's), diacritics, case and titles aside; a shop name alone, often a
    brand, agrees when it holds the household's name and is never a disagreement. The
    certified-name rule is not applied: reconciliation never changes a household's name.
    """
    household = seller.household
    assert household is not None
    own_commune = _commune_of(household.area_id, communes)
    if not mentioned or own_commune in mentioned:
        area_id = household.area_id if mentioned else None
    else:
        area_id = next(iter(sorted(mentioned)))
    if household.name_key in person | shop or person & members:
        name = household.head_name
    else:
        name = seller.seller_name if person else None
    existing = {
        "head_name": household.head_name,
        "national_id": household.national_id,
        "area_id": household.area_id,
    }
    values = {"head_name": name, "national_id": national_id, "area_id": area_id}
    differs = _disagreements(existing, values, is_certified=False)
    if not differs:
        return []
    return [
        _(
            "Matches a registered household but differs on: %(fields)s.",
            fields=", ".join(field_label(name) for name in differs),
        )
    ]


def _flag_shared_households(sellers: list[SellerMatch], phones: dict[int, list[str]]) -> None:
    """Several sellers of the file on one household: each needs confirmation. Rows of one
    seller (one row per product is common) are one seller: the same shop code, else the
    same phone and name."""
    by_household: dict[int, list[SellerMatch]] = defaultdict(list)
    for seller in sellers:
        if seller.household is not None:
            by_household[seller.household.id].append(seller)
    for group in by_household.values():
        keys = {_seller_key(seller, phones) for seller in group}
        if len(keys) > 1:
            lines = ", ".join(s.where for s in group)
            for seller in group:
                seller.doubts.append(
                    _(
                        "%(n)d sellers of the file match this household (lines %(lines)s).",
                        n=len(keys),
                        lines=lines,
                    )
                )


def _seller_key(seller: SellerMatch, phones: dict[int, list[str]]) -> tuple[str, ...]:
    if seller.shop_id:
        return ("shop", fold(seller.shop_id))
    first = phones[seller.number][0] if phones[seller.number] else ""
    return ("seller", first, fold(seller.seller_name or seller.shop_name))


def _apply_decisions(sellers: list[SellerMatch], decisions: dict[str, Any]) -> None:
    """An official's decision holds while the seller still matches the household decided
    on; a seller that now matches another needs a new one."""
    for seller in sellers:
        decision = decisions.get(str(seller.number))
        if (
            decision
            and seller.household is not None
            and decision.get("household_id") == seller.household.id
        ):
            seller.decision = Decision(decision["choice"])


def _households(actor: User | None, column, values: set[str]) -> list[Household]:
    """The households in the actor's scope whose ``column`` is one of ``values``."""
    found: list[Household] = []
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        statement = (
            select(Household)
            .where(_in_scope(actor), column.in_(ordered[start : start + 500]))
            .options(selectinload(Household.products), selectinload(Household.area))
        )
        found += db.session.scalars(statement)
    return found


def _communes() -> dict[int, tuple[int, set[str]]]:
    """Every commune's current commune (the one a legacy commune was merged into, by the
    2025 reform) and the folded names an address may call it by, with and without
    "xã" / "phường" / "thị trấn"."""
    found = {}
    statement = select(Area.id, Area.name, Area.merged_into_id).where(
        Area.level == AreaLevel.COMMUNE
    )
    for area_id, name, merged_into_id in db.session.execute(statement):
        folded = _words(name)
        names = {folded} | {folded.removeprefix(p) for p in COMMUNE_PREFIXES}
        found[area_id] = (merged_into_id or area_id, {n for n in names if len(n) > 2})
    return found


def _commune_of(area_id: int, communes: dict[int, tuple[int, set[str]]]) -> int:
    return communes[area_id][0] if area_id in communes else area_id


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def _mentioned(address: str, communes: dict[int, tuple[int, set[str]]]) -> set[int]:
    """The current communes an address names. A name written after "xã" / "phường" /
    "thị trấn" counts first; when the address has such a word but names no commune the
    registry knows after it, the commune is unknown (a bare name could be a former
    district's: "xã Diễn Kỷ, huyện Diễn Châu")."""
    words = f" {_words(address)} "
    if not words.strip():
        return set()
    prefixed = {
        current
        for current, names in communes.values()
        if any(f" {p}{n} " in words for n in names for p in COMMUNE_PREFIXES)
    }
    if prefixed:
        return prefixed
    if any(f" {p}" in words for p in COMMUNE_PREFIXES):
        return set()
    return {
        current for current, names in communes.values() if any(f" {n} " in words for n in names)
    }


def _named_commune(text: str, communes: dict[int, tuple[int, set[str]]]) -> set[int]:
    """The current commune a commune column names, the whole cell read as one name
    ("Yên Thành", "Xã Yên Thành", "xa yen thanh"); empty when it names none."""
    name = _words(text)
    if not name:
        return set()
    names = {name} | {name.removeprefix(p) for p in COMMUNE_PREFIXES}
    return {current for current, known in communes.values() if names & known}


def _match_products(seller: SellerMatch, placeholder: str) -> None:
    """The household's products the seller's product names designate; the rest are
    unknown (created at the commit). A seller that names no product lists "Products on
    <marketplace>" (found again at the next reconciliation)."""
    assert seller.household is not None
    products = {fold(product.name): product for product in seller.household.products}
    names = seller.products or [placeholder]
    for name in names:
        key = fold(name)
        product = products.get(key)
        if product is None and len(key) >= PRODUCT_MATCH_MIN_LENGTH:
            product = next((p for k, p in products.items() if key in k or k in key), None)
        if product is None:
            if key not in {fold(n) for n in seller.unknown_products}:
                seller.unknown_products.append(name)
        elif product not in seller.matched_products:
            seller.matched_products.append(product)


# ---------------------------------------------------------------- decisions, commit, report


@rollback_on_violation
def decide(actor: User | None, reconciliation: Reconciliation, number: int, choice: str) -> None:
    """Confirm or reject one doubtful match.

    Rule: only before the commit, only a seller that needs confirmation; the decision is
    kept with the household it was made about, and holds only while the seller still
    matches it.
    """
    record = reconciliation.record
    if record.is_committed:
        raise RuleViolation(_l("This seller list has already been recorded."))
    if choice not in (Decision.CONFIRM, Decision.REJECT):
        raise RuleViolation(_l("Please confirm or reject the match."))
    seller = next((row for row in reconciliation.rows if row.number == number), None)
    if seller is None or not seller.is_doubtful:
        raise RuleViolation(_l("This seller needs no confirmation."))
    assert seller.household is not None
    record.decisions = {
        **(record.decisions or {}),
        str(number): {"choice": str(choice), "household_id": seller.household.id},
    }
    seller.decision = Decision(choice)
    record_event(
        actor,
        "reconciliation.decide",
        record,
        after={
            "line": seller.where,
            "choice": str(choice),
            "household_id": seller.household.id,
        },
    )
    db.session.commit()


def _claim(record: SellerList) -> None:
    """Mark the list committed in the transaction that records it, or refuse: one UPDATE
    that only an uncommitted list passes (as household imports are claimed), so of two
    commits at once one waits for the other and then finds nothing to claim."""
    claimed = db.session.execute(
        update(SellerList)
        .where(SellerList.id == record.id, SellerList.committed_at.is_(None))
        .values(committed_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if claimed.rowcount != 1:
        raise RuleViolation(_l("This seller list has already been recorded."))


@rollback_on_violation
def commit(actor: User | None, reconciliation: Reconciliation) -> dict[str, int]:
    """Record every sure or confirmed seller's products as listed on the marketplace, in
    one transaction, once per seller list; returns what was recorded.

    Rules: a list is recorded once, whatever the number of clicks or tabs (claimed first);
    not while a doubtful match waits for a decision, nor when nothing would be recorded. A
    product the registry does not hold is created from the file's name for it, marked as
    coming from reconciliation (no OCOP rating, no certification). A listing taken off
    before is listed again from the file's date (today when the file gives none).
    """
    record = reconciliation.record
    _claim(record)
    if reconciliation.problems:
        raise RuleViolation(reconciliation.problems[0])
    if reconciliation.to_confirm:
        raise RuleViolation(
            _l(
                "%(n)d sellers still need confirmation: confirm or reject each before recording.",
                n=len(reconciliation.to_confirm),
            )
        )
    recorded = reconciliation.recorded
    if not recorded:
        raise RuleViolation(_l("No seller of the file matches a household: nothing to record."))
    marketplace = reconciliation.marketplace
    wanted: dict[int, tuple[Product, SellerMatch]] = {}
    created: dict[tuple[int, str], tuple[Product, SellerMatch]] = {}
    for seller in recorded:
        assert seller.household is not None
        for product in seller.matched_products:
            wanted.setdefault(product.id, (product, seller))
        for name in seller.unknown_products:
            key = (seller.household.id, fold(name))
            if key not in created:
                product = Product(
                    household_id=seller.household.id,
                    name=name[:160],
                    source=ProductSource.RECONCILIATION,
                )
                created[key] = (product, seller)
    db.session.add_all(product for product, _seller in created.values())
    db.session.flush()
    for product, seller in created.values():
        wanted[product.id] = (product, seller)
    existing = {
        listing.product_id: listing
        for listing in db.session.scalars(
            select(Listing).where(
                Listing.marketplace_id == marketplace.id, Listing.product_id.in_(list(wanted))
            )
        )
    }
    listings = 0
    for product_id, (product, seller) in wanted.items():
        listing = existing.get(product_id)
        if listing is not None and listing.delisted_on is None:
            continue
        if listing is None:
            listing = Listing(product_id=product.id, marketplace_id=marketplace.id)
            db.session.add(listing)
        listing.listed_on = seller.listed_on or today()
        listing.delisted_on = None
        if seller.url and not listing.url:
            listing.url = seller.url
        listings += 1
    db.session.flush()
    summary = {
        "sellers": len(reconciliation.rows),
        "recorded": len(recorded),
        "households": len({s.household.id for s in recorded if s.household}),
        "listings": listings,
        "products_created": len(created),
        "rejected": len(reconciliation.rejected),
        "unmatched": len(reconciliation.unmatched),
        "without_certificate": len(reconciliation.without_certificate),
    }
    record.summary = summary
    record_event(actor, "reconciliation.commit", record, after={"file": record.filename, **summary})
    db.session.commit()
    return summary


def report_rows(reconciliation: Reconciliation) -> list[list]:
    """The report: one row per seller, matched or not, with what to do about it."""
    rows: list[list] = [
        [
            _("Line"),
            _("Shop"),
            _("Seller"),
            _("Phone number"),
            _("Matched by"),
            _("Match status"),
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
                seller.where if seller.sheet else seller.line,
                seller.shop_id or seller.shop_name,
                seller.seller_name,
                seller.phone,
                str(METHOD_LABELS[seller.method]),
                str(STATE_LABELS[seller.state]),
                household.head_name if household else "",
                household.area.name if household else "",
                (_("Yes") if seller.certified else _("No")) if household else "",
                "; ".join(p.name for p in seller.matched_products),
                "; ".join(seller.unknown_products),
                " ".join([*seller.doubts, seller.note]).strip(),
            ]
        )
    return rows


def report_caption(reconciliation: Reconciliation) -> str:
    """The report's first row: what the file is, what became of its sellers, the date."""
    from lms.core.i18n import format_day

    return _(
        "%(title)s — %(file)s — %(sure)d sure matches, %(doubtful)d needing confirmation, "
        "%(unmatched)d not matched, %(uncertified)d recorded without a certificate — %(day)s",
        title=_("Reconciliation with %(market)s", market=reconciliation.marketplace.name),
        file=reconciliation.filename,
        sure=len(reconciliation.sure),
        doubtful=len(reconciliation.doubtful),
        unmatched=len(reconciliation.unmatched),
        uncertified=len(reconciliation.without_certificate),
        day=format_day(today()),
    )
