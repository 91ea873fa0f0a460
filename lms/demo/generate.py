"""``flask demo generate``: a synthetic but realistic province, for demos and benchmarks.

Households are spread unevenly over the real communes of Nghệ An, with Vietnamese names,
phones of real carriers and CCCD numbers of the province; a fifth of them have products with
OCOP stars, certifications and marketplace listings; most have been informed about the
programme. The same seed, on the same database and day, gives the same data.

Rows go in with ORM bulk INSERTs, 10,000 households at a time, never one ORM object per row:
a province of 500,000 households takes minutes, not hours.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from importlib import resources
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import Insert, insert, select

from lms.areas.models import Area, AreaLevel
from lms.areas.services import import_areas_csv
from lms.core.models import today, utcnow
from lms.core.text import fold
from lms.extensions import db
from lms.households.models import (
    Household,
    OutreachChannel,
    OutreachEvent,
    ProductGroup,
    ScaleClass,
)
from lms.households.services import refresh_informed
from lms.products.models import Certification, CertificationKind, Listing, Marketplace, Product
from lms.products.services import MIN_OCOP_STARS

T = TypeVar("T")

PROVINCE_CODE = "40"
#: first digits of every CCCD issued in Nghệ An
CCCD_PROVINCE = "040"
CHUNK = 10_000
MARKETPLACE_CODES = ("postmart", "voso")

#: the scale classes migration 0015 seeds (lms.households.defaults), by the same codes
SCALE_CLASSES = (
    ("ho-nho", "Hộ nhỏ"),
    ("ho-vua", "Hộ vừa"),
    ("ho-lon", "Hộ lớn"),
    ("hop-tac-xa", "Hợp tác xã"),
)
PRODUCT_GROUPS = (
    ("trong-trot", "Trồng trọt"),
    ("chan-nuoi", "Chăn nuôi"),
    ("thuy-san", "Thủy sản"),
    ("lam-san", "Lâm sản"),
    ("che-bien", "Chế biến thực phẩm"),
    ("thu-cong", "Thủ công mỹ nghệ"),
)


@dataclass
class GenerateReport:
    households: int = 0
    products: int = 0
    certifications: int = 0
    listings: int = 0
    outreach_events: int = 0
    #: communes the households were spread over
    communes: int = 0
    #: areas created by importing the Nghệ An list (0 when it was already there)
    areas_created: int = 0
    #: scale classes and product groups created (0 on a second run)
    classes_created: int = 0


class _Choice(Generic[T]):
    """Weighted values drawn with one random number (much faster than ``random.choices``)."""

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        values, weights = zip(*weighted, strict=True)
        self.values: Sequence[T] = values
        self.cumulative = list(itertools.accumulate(weights))
        self.last = len(self.values) - 1

    def __call__(self, rng: random.Random) -> T:
        point = rng.random() * self.cumulative[-1]
        return self.values[bisect.bisect_right(self.cumulative, point, 0, self.last)]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _zipf(names: str, exponent: float = 0.8) -> _Choice[str]:
    """Names listed from the most to the least common, weighted like real name frequencies."""
    return _Choice((_nfc(name), 1 / rank**exponent) for rank, name in enumerate(names.split(), 1))


def _names(text: str) -> list[str]:
    """``"Tân Hợp, Bắc Sơn"`` → ``["Tân Hợp", "Bắc Sơn"]``."""
    return [_nfc(name.strip()) for name in text.split(",")]


def _weighted(pairs: str) -> list[tuple[str, float]]:
    """``"Nguyễn:40 Trần:11"`` → ``[("Nguyễn", 38.0), ("Trần", 11.0)]``."""
    return [(_nfc(name), float(weight)) for name, weight in (p.split(":") for p in pairs.split())]


# --- names ----------------------------------------------------------------------------------

#: the Kinh majority, close to national frequencies, with Nghệ An's own (Hồ, Thái, Đậu, Cao)
KINH_SURNAMES = _weighted(
    "Nguyễn:40 Trần:11 Lê:9.5 Phạm:6.5 Hoàng:4.8 Phan:4.5 Võ:2.6 Vũ:1.4 Đặng:2.1 Bùi:2 "
    "Đỗ:1.4 Hồ:2.6 Ngô:1.3 Dương:1 Lý:0.5 Thái:1.1 Cao:1 Đậu:1 Trương:0.9 Đinh:0.8 Chu:0.4 "
    "Mai:0.5 Tăng:0.3 Lưu:0.3 Tạ:0.3 Hà:0.4 Kiều:0.2 Quách:0.2 Nghiêm:0.2 Lương:0.3"
)
#: Thái and Khơ Mú families of the western mountain communes
THAI_SURNAMES = _weighted("Lô:10 Vi:10 Lương:8 Lang:6 Sầm:4 Hà:4 Kha:3 Quang:3 Moong:2 Lữ:2")
#: H'Mông families (Kỳ Sơn, Tương Dương): men "Bá", women "Y" as middle names
HMONG_SURNAMES = _weighted("Vừ:4 Lầu:3 Xồng:2 Thò:1 Lỳ:1")
HMONG = frozenset(name for name, _ in HMONG_SURNAMES)

LOWLAND_SURNAMES = _Choice(KINH_SURNAMES)
#: mountain communes: about 40% Kinh, 48% Thái and Khơ Mú, 12% H'Mông families
MOUNTAIN_SURNAMES = _Choice(
    (name, share * weight / sum(w for _, w in names))
    for names, share in ((KINH_SURNAMES, 40), (THAI_SURNAMES, 48), (HMONG_SURNAMES, 12))
    for name, weight in names
)


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


#: heads of household are mostly men in the registries the plan starts from
MALE_SHARE = 0.72
MIDDLE = {
    Sex.MALE: _Choice(
        _weighted(
            "Văn:46 Đình:9 Hữu:8 Công:6 Xuân:5 Minh:5 Đức:5 Quang:4 Ngọc:3 Sỹ:3 Bá:2 "
            "Trọng:2 Thanh:2 Viết:2 Duy:1 Khắc:1"
        )
    ),
    Sex.FEMALE: _Choice(
        _weighted("Thị:72 Ngọc:5 Thu:4 Thanh:4 Minh:3 Xuân:3 Hồng:3 Kim:3 Phương:2 Mai:2 Hải:1")
    ),
}
#: "Thị" followed by a second middle name, as in "Lê Thị Ngọc Ánh"
SECOND_FEMALE_MIDDLE = _zipf("Ngọc Thu Thanh Hồng Kim Minh Mỹ Bích Hoài")
GIVEN = {
    Sex.MALE: _zipf(
        "Hùng Dũng Tuấn Minh Hải Nam Sơn Thắng Quang Đức Long Bình Cường Hòa Lâm Tâm Thành "
        "Trung Tùng Vinh Phúc Lộc Tiến Hoàng Hưng Toàn Thái Hiếu Nghĩa Phong Tài Thanh Hào "
        "Khánh Lợi Quý Tú Việt Vũ Anh Bảo Chiến Công Đạt Điệp Giang Hiền Huy Kiên Luận Mạnh "
        "Ninh Phương Quyết Sáu Tám Thuận Trường Tứ Vượng Xuân Yên Châu Cảnh Đông Hậu Kỳ Lam"
    ),
    Sex.FEMALE: _zipf(
        "Hương Lan Hoa Mai Hằng Hà Nga Thảo Trang Linh Loan Lý Tuyết Xuân Hạnh Hiền Huệ "
        "Nhung Oanh Phương Quyên Thủy Yến Vân Sen Lài Cúc Đào Liên Thanh Thúy Tâm Tình "
        "Hòa Hồng Dung Chung Thơ Nhàn Lệ Lụa Nguyệt Minh Ngân Phượng Quế Sương Thắm Thoa "
        "Trinh Vinh Ánh Bích Diệp Giang Hải Hiên Khuyên Lựu Mận Mơ Ngọc Nhi Tuyên"
    ),
}
THAI_GIVEN = {
    Sex.MALE: _zipf("Tám Chương Pằn Khăm Bun Phòng Thoong Xăm Hoan Kháy Sơn Thanh Hợi Pọm"),
    Sex.FEMALE: _zipf("Xuân Hoa Ban Bình Ơn Pản Xoan Chiên Lả Mai Phương Nga"),
}
HMONG_GIVEN = {
    Sex.MALE: _zipf("Tủa Chò Pó Dê Sống Giống Chống Vừ Xía Cở Nhìa Lử Dua Sày"),
    Sex.FEMALE: _zipf("Dính Mỷ Xia Dợ Pà Sùng Dia Mai Chá Nhù"),
}
THAI = frozenset(name for name, _ in THAI_SURNAMES)

# --- places ---------------------------------------------------------------------------------


class Terrain(StrEnum):
    LOWLAND = "lowland"
    COASTAL = "coastal"
    MOUNTAIN = "mountain"
    WARD = "ward"


#: the western districts before 2025 (Quế Phong, Quỳ Châu, Kỳ Sơn, Tương Dương, Quỳ Hợp,
#: Con Cuông), by GSO commune code: fewer households, bản rather than xóm, Thái and H'Mông names
MOUNTAIN_CODES = (range(16738, 16937), range(17035, 17108), range(17230, 17264))
COASTAL_CODES = frozenset(
    _names(
        "16732, 17110, 17125, 17128, 17143, 17176, 17212, 17224, 17419, 17443, 17464, 17827, 17833"
    )
)
#: how many households a commune of each kind has, relative to the others
TERRAIN_SIZE = {
    Terrain.LOWLAND: 1.2,
    Terrain.COASTAL: 1.1,
    Terrain.MOUNTAIN: 0.55,
    Terrain.WARD: 0.35,
}

VILLAGE_NAMES = _names(
    "Tân Hợp, Bắc Sơn, Trung Tiến, Yên Lạc, Đông Hồ, Phú Lợi, Kim Liên, Hồng Phong, "
    "Quyết Thắng, Tân Tiến, Đông Đoài, Thượng Khê, Đồng Tâm, Tân Lập, Xuân Sơn, Mỹ Hòa, "
    "Phúc Thịnh, Quang Trung, Liên Minh, Đại Đồng, Nam Sơn, Bắc Thành, Đông Xuân, Trung Thành, "
    "Hòa Bình, Tân Phong, Yên Thịnh, Tiến Thành, Thịnh Mỹ, Phú Thọ, An Thịnh, Khánh Thành, "
    "Sơn Hà, Thuận Yên, Đình Long, Tràng Sơn, Kim Tân, Văn Tràng, Hồng Sơn, Thanh Xuân, "
    "Lam Sơn, Hưng Thịnh, Phú Xuân, Đức Thịnh, Yên Trạch, Cồn Bãi"
)
BAN_NAMES = _names(
    "Nưa, Khe Choăng, Huồi Cọ, Xiềng, Nà Hiềng, Cha Nga, Pủng, Tạt, Cáng, Kẻo Lực, Hủa Na, "
    "Xốp Mạt, Na Lượng, Phá Lỏm, Huồi Pốc, Nậm Nhạ, Cà Moong, Tà Cạ, Mường Ải, Xiêng Thù, "
    "Pà Khốm, Hạt, Na Hy, Đồng Mới, Tục, Chà Lạc, Xàng, Lè, Huồi Xái, Piềng Cu, Na Ngân, "
    "Khủn Tinh, Mường Phú, Huồi Giảng, Bà Hạ, Tân Hương, Na Khướng, Lũng"
)


class HouseholdNotes(NamedTuple):
    """What a household's products are drawn from (not stored)."""

    scale: str | None
    group: str
    place: str


@dataclass
class _Commune:
    id: int
    name: str
    #: the name without "Xã " / "Phường ", as it reads in product names
    place: str
    terrain: Terrain
    villages: list[str]


def _terrain(area: Area) -> Terrain:
    if area.name.startswith("Phường"):
        return Terrain.WARD
    if area.code.isdigit() and any(int(area.code) in codes for codes in MOUNTAIN_CODES):
        return Terrain.MOUNTAIN
    if area.code in COASTAL_CODES:
        return Terrain.COASTAL
    return Terrain.LOWLAND


def _villages(rng: random.Random, terrain: Terrain) -> list[str]:
    """The hamlets of one commune: numbered xóm, named thôn, bản in the mountains, khối in wards."""
    if terrain is Terrain.WARD:
        word = rng.choice(("Khối", "Tổ dân phố"))
        return [f"{word} {n}" for n in range(1, rng.randint(6, 24))]
    if terrain is Terrain.MOUNTAIN:
        return [f"Bản {name}" for name in rng.sample(BAN_NAMES, rng.randint(6, 18))]
    villages = [f"Xóm {n}" for n in range(1, rng.randint(4, 20))]
    villages += [f"{rng.choice(('Thôn', 'Xóm'))} {n}" for n in rng.sample(VILLAGE_NAMES, 8)]
    return villages


# --- phones and CCCD ------------------------------------------------------------------------

#: (share of subscribers, prefixes) of the Vietnamese mobile carriers
CARRIERS = (
    (52, "032 033 034 035 036 037 038 039 086 096 097 098"),  # Viettel
    (24, "081 082 083 084 085 088 091 094"),  # Vinaphone
    (18, "070 076 077 078 079 089 090 093"),  # MobiFone
    (3, "052 056 058 092"),  # Vietnamobile
    (1.5, "059 099"),  # Gmobile
    (1.5, "087"),  # iTel
)
PHONE_PREFIX = _Choice(
    (prefix, share / len(prefixes.split()))
    for share, prefixes in CARRIERS
    for prefix in prefixes.split()
)
NO_PHONE_SHARE = 0.03
NATIONAL_ID_SHARE = 0.60
#: ~90% classified by both scale and product group, the rest a data-quality gap to show
CLASSIFIED_SHARE = 0.90
ADDRESS_SHARE = 0.40

# --- products -------------------------------------------------------------------------------

#: product group → (name, category, whether the commune's name may follow the name)
CATALOGUE: dict[str, list[tuple[str, str, bool]]] = {
    "trong-trot": [
        ("Chè xanh", "chè", True),
        ("Chè búp khô", "chè", True),
        ("Cam Vinh", "trái cây", False),
        ("Cam Xã Đoài", "trái cây", False),
        ("Bưởi đường", "trái cây", True),
        ("Chanh leo", "trái cây", True),
        ("Dưa lưới", "trái cây", True),
        ("Gạo nếp cái hoa vàng", "gạo", True),
        ("Gạo hữu cơ", "gạo", True),
        ("Gạo thơm", "gạo", True),
        ("Lạc sen", "lạc", True),
        ("Lạc nhân", "lạc", True),
        ("Vừng đen", "nông sản", True),
        ("Tinh bột nghệ", "nông sản", True),
        ("Khoai lang", "nông sản", True),
        ("Rau an toàn", "rau", True),
        ("Nấm sò", "nấm", True),
    ],
    "chan-nuoi": [
        ("Gà đồi", "thịt gia cầm", True),
        ("Vịt bầu", "thịt gia cầm", True),
        ("Trứng gà ta", "trứng", True),
        ("Mật ong hoa nhãn", "mật ong", True),
        ("Mật ong", "mật ong", True),
        ("Thịt bò", "thịt", True),
        ("Lợn đen", "thịt", True),
        ("Dê núi", "thịt", True),
    ],
    "thuy-san": [
        ("Nước mắm Vạn Phần", "nước mắm", False),
        ("Nước mắm", "nước mắm", True),
        ("Cá thu một nắng", "hải sản", True),
        ("Mực khô", "hải sản", True),
        ("Cá khô", "hải sản", True),
        ("Tôm nõn", "hải sản", True),
        ("Ruốc biển", "hải sản", True),
        ("Cá rô đồng", "thủy sản nước ngọt", True),
        ("Cá trắm", "thủy sản nước ngọt", True),
    ],
    "lam-san": [
        ("Măng khô", "lâm sản", True),
        ("Mật ong rừng", "mật ong", True),
        ("Quế", "lâm sản", True),
        ("Tinh dầu quế", "tinh dầu", True),
        ("Tinh dầu sả", "tinh dầu", True),
        ("Nấm hương rừng", "nấm", True),
        ("Sâm Puxailaileng", "dược liệu", False),
        ("Chè vằng", "dược liệu", True),
        ("Trà hoa vàng", "dược liệu", True),
    ],
    "che-bien": [
        ("Nhút Thanh Chương", "đặc sản chế biến", False),
        ("Tương Nam Đàn", "gia vị", False),
        ("Nhút mít", "đặc sản chế biến", True),
        ("Tương ớt", "gia vị", True),
        ("Miến gạo", "miến", True),
        ("Miến dong", "miến", True),
        ("Bánh đa vừng", "bánh kẹo", True),
        ("Kẹo lạc", "bánh kẹo", True),
        ("Chả cá", "đặc sản chế biến", True),
        ("Bột sắn dây", "nông sản chế biến", True),
    ],
    "thu-cong": [
        ("Thổ cẩm", "dệt may", True),
        ("Mây tre đan", "thủ công", True),
        ("Chiếu cói", "thủ công", True),
        ("Nón lá", "thủ công", True),
        ("Gốm Trù Sơn", "gốm", False),
        ("Đồ gỗ mỹ nghệ", "đồ gỗ", True),
    ],
}
#: what households of each terrain mainly produce
GROUP_WEIGHTS = {
    Terrain.LOWLAND: "trong-trot:38 chan-nuoi:26 thuy-san:6 lam-san:4 che-bien:18 thu-cong:8",
    Terrain.COASTAL: "trong-trot:22 chan-nuoi:18 thuy-san:35 lam-san:1 che-bien:18 thu-cong:6",
    Terrain.MOUNTAIN: "trong-trot:34 chan-nuoi:26 thuy-san:3 lam-san:20 che-bien:6 thu-cong:11",
    Terrain.WARD: "trong-trot:20 chan-nuoi:15 thuy-san:12 lam-san:2 che-bien:38 thu-cong:13",
}
SCALE_WEIGHTS = "ho-nho:60 ho-vua:28 ho-lon:9 hop-tac-xa:3"
#: bigger producers are more likely to have a product to sell; ~20% of households in all
PRODUCT_SHARE = {
    "ho-nho": 0.12,
    "ho-vua": 0.25,
    "ho-lon": 0.60,
    "hop-tac-xa": 0.60,
    None: 0.15,
}
PRODUCT_COUNT = _Choice([(1, 70), (2, 22), (3, 8)])
OCOP_STARS = _Choice([(0, 80), (3, 14), (4, 5.5), (5, 0.5)])
OCOP_FIRST_YEAR = 2019
OCOP_LAST_YEAR = 2025
CERTIFIED_SHARE = 0.16
#: which certifications farm products and processed foods get (handicrafts get none)
CERTIFICATION_KINDS = {
    "farm": _Choice(
        [
            (CertificationKind.VIETGAP, 75),
            (CertificationKind.FOOD_SAFETY, 12),
            (CertificationKind.ORGANIC, 5),
            (CertificationKind.GLOBALGAP, 5),
            (CertificationKind.HACCP, 3),
        ]
    ),
    "che-bien": _Choice(
        [
            (CertificationKind.FOOD_SAFETY, 60),
            (CertificationKind.HACCP, 25),
            (CertificationKind.ISO_22000, 15),
        ]
    ),
}
#: how many years a certificate of each kind stays valid
VALID_YEARS = {
    CertificationKind.VIETGAP: 3,
    CertificationKind.GLOBALGAP: 1,
    CertificationKind.HACCP: 3,
    CertificationKind.ISO_22000: 3,
    CertificationKind.FOOD_SAFETY: 3,
    CertificationKind.ORGANIC: 2,
}
ISSUERS = {
    CertificationKind.VIETGAP: (
        "Công ty CP Chứng nhận và Giám định VinaCert",
        "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Nghệ An",
    ),
    CertificationKind.GLOBALGAP: ("Control Union Việt Nam", "Bureau Veritas Việt Nam"),
    CertificationKind.HACCP: ("Trung tâm Chứng nhận Phù hợp (QUACERT)", "Bureau Veritas Việt Nam"),
    CertificationKind.ISO_22000: ("Trung tâm Chứng nhận Phù hợp (QUACERT)",),
    CertificationKind.FOOD_SAFETY: (
        "Chi cục An toàn vệ sinh thực phẩm Nghệ An",
        "Sở Nông nghiệp và Môi trường Nghệ An",
    ),
    CertificationKind.ORGANIC: ("Công ty CP Chứng nhận và Giám định VinaCert",),
}
VIETGAP_SECTOR = {"chan-nuoi": "CN", "thuy-san": "TS"}
NO_EXPIRY_SHARE = 0.03
#: of the products that may be listed, the share listed on each marketplace
LISTED_SHARE = {"postmart": 0.55, "voso": 0.40}
DELISTED_SHARE = 0.03

# --- outreach -------------------------------------------------------------------------------

INFORMED_SHARE = 0.60
INFORMED_TWICE_SHARE = 0.07
OUTREACH_DAYS = 548
CHANNELS = _Choice(
    [
        (OutreachChannel.MEETING, 30),
        (OutreachChannel.LOUDSPEAKER, 25),
        (OutreachChannel.DOOR_TO_DOOR, 15),
        (OutreachChannel.ZALO, 15),
        (OutreachChannel.CLASS, 10),
        (OutreachChannel.OTHER, 5),
    ]
)


class SyntheticProvince:
    """Makes the rows of one province; knows the communes, the classes and the phones in use.

    Every random draw comes from ``rng``, in a fixed order, so a seed gives the same rows.
    """

    def __init__(self, rng: random.Random, province: Area) -> None:
        communes = sorted(current_communes(province), key=lambda area: area.code)
        if not communes:
            raise RuntimeError("the province has no current commune to put households in")
        self.rng = rng
        self.today = today()
        self.now = utcnow()
        self.province_name = province.name.removeprefix("Tỉnh ")
        self.communes = []
        for area in communes:
            terrain = _terrain(area)
            place = area.name.removeprefix("Xã ").removeprefix("Phường ")
            villages = _villages(rng, terrain)
            self.communes.append(_Commune(area.id, area.name, place, terrain, villages))
        #: some communes much bigger than others: a log-normal spread on top of the terrain
        self.commune = _Choice(
            (commune, TERRAIN_SIZE[commune.terrain] * rng.lognormvariate(0, 0.5))
            for commune in self.communes
        )
        self.scale_ids = {
            code: id_ for code, id_ in db.session.execute(select(ScaleClass.code, ScaleClass.id))
        }
        self.group_ids = {
            code: id_
            for code, id_ in db.session.execute(select(ProductGroup.code, ProductGroup.id))
        }
        self.name_keys: dict[str, str] = {}
        self.scale = _Choice(_weighted(SCALE_WEIGHTS))
        self.group = {
            terrain: _Choice(_weighted(weights)) for terrain, weights in GROUP_WEIGHTS.items()
        }
        # phones and CCCDs already in the registry are never drawn again, whatever the seed
        self.phones: set[str] = set(
            db.session.scalars(select(Household.phone).where(Household.phone.is_not(None)))
        )
        self.national_ids: set[str] = set(
            db.session.scalars(
                select(Household.national_id).where(Household.national_id.is_not(None))
            )
        )
        self.marketplaces = {
            market.code: market
            for market in db.session.scalars(
                select(Marketplace).where(
                    Marketplace.code.in_(MARKETPLACE_CODES), Marketplace.is_active
                )
            )
        }

    # households ------------------------------------------------------------------------------

    def household_row(self) -> tuple[dict[str, Any], HouseholdNotes]:
        """One household: its columns, and what its products will be drawn from."""
        rng = self.rng
        commune = self.commune(rng)
        sex = Sex.MALE if rng.random() < MALE_SHARE else Sex.FEMALE
        head_name = self._name(commune, sex)
        village = rng.choice(commune.villages)
        classified = rng.random() < CLASSIFIED_SHARE
        scale = self.scale(rng) if classified else None
        group = self.group[commune.terrain](rng) if classified else None
        address = ""
        if rng.random() < ADDRESS_SHARE:
            street = f"Số {rng.randint(1, 250)}, " if commune.terrain is Terrain.WARD else ""
            address = f"{street}{village}, {commune.name}, {self.province_name}"
        row = {
            "head_name": head_name,
            "name_key": self._name_key(head_name),
            "phone": None if rng.random() < NO_PHONE_SHARE else self._phone(),
            "national_id": self._national_id(sex) if rng.random() < NATIONAL_ID_SHARE else None,
            "village": village,
            "address": address,
            "area_id": commune.id,
            "scale_class_id": self.scale_ids.get(scale) if scale else None,
            "product_group_id": self.group_ids.get(group) if group else None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        # an unclassified household still produces something
        group = group or self.group[commune.terrain](rng)
        return row, HouseholdNotes(scale, group, commune.place)

    def _name_key(self, head_name: str) -> str:
        """``fold(head_name)``, set here because bulk inserts skip the model's @validates hook;
        remembered, since the same names come back thousands of times."""
        key = self.name_keys.get(head_name)
        if key is None:
            key = self.name_keys[head_name] = fold(head_name)
        return key

    def _name(self, commune: _Commune, sex: Sex) -> str:
        rng = self.rng
        if commune.terrain is Terrain.MOUNTAIN:
            surname = MOUNTAIN_SURNAMES(rng)
            if surname in HMONG:
                middle = "Bá" if sex is Sex.MALE else "Y"
                return f"{surname} {middle} {HMONG_GIVEN[sex](rng)}"
            if surname in THAI:
                middle = "Văn" if sex is Sex.MALE else "Thị"
                given = THAI_GIVEN[sex](rng) if rng.random() < 0.5 else GIVEN[sex](rng)
                return f"{surname} {middle} {given}"
        else:
            surname = LOWLAND_SURNAMES(rng)
        middle = MIDDLE[sex](rng)
        if middle == "Thị" and rng.random() < 0.12:
            middle = f"Thị {SECOND_FEMALE_MIDDLE(rng)}"
        given = GIVEN[sex](rng)
        while given == middle.rsplit(" ", 1)[-1]:  # no "Nguyễn Minh Minh"
            given = GIVEN[sex](rng)
        return f"{surname} {middle} {given}"

    def _phone(self) -> str:
        while True:
            phone = f"{PHONE_PREFIX(self.rng)}{self.rng.randrange(10_000_000):07d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _national_id(self, sex: Sex) -> str:
        """040 (Nghệ An), a century-and-sex digit, two digits of the birth year, 6 digits."""
        born = round(self.rng.triangular(1946, 2002, 1972))
        century = (0 if born < 2000 else 2) + (0 if sex is Sex.MALE else 1)
        while True:
            serial = self.rng.randrange(1_000_000)
            national_id = f"{CCCD_PROVINCE}{century}{born % 100:02d}{serial:06d}"
            if national_id not in self.national_ids:
                self.national_ids.add(national_id)
                return national_id

    # products --------------------------------------------------------------------------------

    def product_rows(self, household_id: int, notes: HouseholdNotes) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() >= PRODUCT_SHARE[notes.scale]:
            return []
        catalogue = CATALOGUE[notes.group]
        rows = []
        for name, category, with_place in rng.sample(catalogue, PRODUCT_COUNT(rng)):
            if with_place and rng.random() < 0.6:
                name = f"{name} {notes.place}"
            stars = OCOP_STARS(rng)
            year = rng.randint(OCOP_FIRST_YEAR, min(OCOP_LAST_YEAR, self.today.year))
            decision = ""
            if stars:
                body = "QĐ-BNN-VPĐP" if stars == 5 else "QĐ-UBND"
                decision = f"{rng.randint(100, 4999)}/{body}"
            rows.append(
                {
                    "household_id": household_id,
                    "name": name,
                    "category": category,
                    "ocop_stars": stars,
                    "ocop_decision": decision,
                    "ocop_year": year if stars else None,
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
        return rows

    def certification_rows(self, product_id: int, group: str) -> list[dict[str, Any]]:
        rng = self.rng
        if group == "thu-cong" or rng.random() >= CERTIFIED_SHARE:
            return []
        kind = CERTIFICATION_KINDS["che-bien" if group == "che-bien" else "farm"](rng)
        issued = self.today - timedelta(days=rng.randrange(4 * 365))
        expires_on = (
            None if rng.random() < NO_EXPIRY_SHARE else _add_years(issued, VALID_YEARS[kind])
        )
        return [
            {
                "product_id": product_id,
                "kind": kind,
                "number": self._certificate_number(kind, group, issued.year),
                "issuer": rng.choice(ISSUERS[kind]),
                "expires_on": expires_on,
            }
        ]

    def _certificate_number(self, kind: CertificationKind, group: str, year: int) -> str:
        rng = self.rng
        if kind is CertificationKind.VIETGAP:
            sector = VIETGAP_SECTOR.get(group, "TT")
            return (
                f"VietGAP-{sector}-{rng.randint(1, 30):02d}-{rng.randint(1, 99):02d}-"
                f"{PROVINCE_CODE}-{rng.randrange(10_000):04d}"
            )
        if kind is CertificationKind.GLOBALGAP:
            return f"GGN {4063061000000 + rng.randrange(1_000_000)}"
        if kind is CertificationKind.FOOD_SAFETY:
            return f"{rng.randint(1, 999):03d}/{year}/ATTP-CNĐK"
        prefix = {CertificationKind.HACCP: "HACCP", CertificationKind.ISO_22000: "ISO22000"}
        return f"{prefix.get(kind, 'ORG')}-{rng.randint(100, 9999)}/{year}"

    def listing_rows(
        self,
        product_id: int,
        product: dict[str, Any],
        certifications: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Only products that may be listed are (lms.products.services.is_eligible's rule)."""
        rng = self.rng
        eligible = product["ocop_stars"] >= MIN_OCOP_STARS or any(
            c["expires_on"] is None or c["expires_on"] >= self.today for c in certifications
        )
        if not eligible:
            return []
        rows = []
        for code in MARKETPLACE_CODES:
            if rng.random() >= LISTED_SHARE[code] or code not in self.marketplaces:
                continue
            market = self.marketplaces[code]
            listed_on = self.today - timedelta(days=rng.randrange(730))
            if product["ocop_year"]:
                listed_on = max(listed_on, date(product["ocop_year"], 1, 1))
            delisted_on = None
            if rng.random() < DELISTED_SHARE and listed_on < self.today:
                delisted_on = listed_on + timedelta(
                    days=rng.randint(1, (self.today - listed_on).days)
                )
            base = market.url.rstrip("/") if market.url.startswith("https://") else ""
            rows.append(
                {
                    "product_id": product_id,
                    "marketplace_id": market.id,
                    "url": f"{base or f'https://{code}.vn'}/san-pham/"
                    f"{_slug(product['name'])}-{product_id}",
                    "listed_on": listed_on,
                    "delisted_on": delisted_on,
                }
            )
        return rows

    # outreach --------------------------------------------------------------------------------

    def outreach_rows(self, household_id: int) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() >= INFORMED_SHARE:
            return []
        times = 2 if rng.random() < INFORMED_TWICE_SHARE else 1
        return [
            {
                "household_id": household_id,
                "informed_on": self.today - timedelta(days=rng.randrange(OUTREACH_DAYS)),
                "channel": CHANNELS(rng),
                "recorded_by_id": None,
                "created_at": self.now,
            }
            for _ in range(times)
        ]


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    return _NOT_SLUG.sub("-", fold(text)).strip("-")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _chunks(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def ensure_areas() -> tuple[Area, int]:
    """The Nghệ An province, importing the official area list first when it is missing."""
    province = db.session.scalar(select(Area).where(Area.code == PROVINCE_CODE))
    if province is not None:
        return province, 0
    with resources.files("lms.areas").joinpath("data/nghe_an.csv").open("rb") as stream:
        report = import_areas_csv(None, stream)
    if not report.ok:
        raise RuntimeError(f"the Nghệ An areas were refused: {report.errors}")
    province = db.session.scalar(select(Area).where(Area.code == PROVINCE_CODE))
    assert province is not None
    return province, report.created


def current_communes(province: Area) -> list[Area]:
    """The communes of the province as they are now (not the ones merged into others)."""
    statement = select(Area).where(
        Area.path.startswith(province.path, autoescape=True),
        Area.level == AreaLevel.COMMUNE,
        Area.merged_into_id.is_(None),
    )
    return list(db.session.scalars(statement))


def ensure_classes() -> int:
    """Create the scale classes and product groups that are missing (by code); returns how many."""
    created = 0
    for model, rows in ((ScaleClass, SCALE_CLASSES), (ProductGroup, PRODUCT_GROUPS)):
        existing = set(db.session.scalars(select(model.code)))
        for position, (code, name) in enumerate(rows, start=1):
            if code not in existing:
                db.session.add(model(code=code, name=name, position=position))
                created += 1
    db.session.flush()
    return created


def _insert_ids(model: type[Household] | type[Product], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order of ``rows``.

    RETURNING with ``sort_by_parameter_order`` is right on both databases, even with other
    writers: PostgreSQL runs it in batches; on SQLite, which cannot promise the order of a
    multi-row RETURNING, SQLAlchemy runs it row by row: slower, yet minutes for a province.
    Reading back a range of ids would be faster on SQLite but wrong on PostgreSQL, where
    other sessions draw from the same sequence.
    """
    if not rows:
        return []
    statement = _bulk(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _insert(model: type, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(_bulk(model), rows)


def _bulk(model: type) -> Insert:
    """An ORM bulk INSERT that sends None as NULL: without ``render_nulls`` the ORM leaves
    None out and splits the executemany at every row whose empty columns differ."""
    return insert(model).execution_options(render_nulls=True)


def generate_province(
    households: int, seed: int = 2026, progress: Callable[[int], None] | None = None
) -> GenerateReport:
    """Add ``households`` synthetic households (with products, listings, outreach) to Nghệ An.

    The same seed on the same database (and day) gives the same rows. Phones and CCCDs never repeat
    the ones already registered, so runs can be stacked, with the same seed or another.
    ``progress`` is called with the number of households written since its last call.

    Everything is one transaction, committed at the end: an interrupted run (Ctrl-C, a full
    disk) leaves no half-made province behind, as for any import (DESIGN §4.6), and SQLite
    does not sync the file after every chunk. The rows are never kept in the session: memory
    holds one chunk, and the phones and CCCDs in use.
    """
    if households < 1:
        raise ValueError("households must be at least 1")
    report = GenerateReport()
    province, report.areas_created = ensure_areas()
    try:
        report.classes_created = ensure_classes()
        # demo data, not secrets: a seeded generator is the point (the same seed, the same rows)
        synthetic = SyntheticProvince(random.Random(seed), province)  # noqa: S311
        report.communes = len(synthetic.communes)
        for size in _chunks(households, CHUNK):
            _generate_chunk(synthetic, size, report)
            if progress is not None:
                progress(size)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return report


def _generate_chunk(province: SyntheticProvince, size: int, report: GenerateReport) -> None:
    households = [province.household_row() for _ in range(size)]
    household_ids = _insert_ids(Household, [row for row, _ in households])
    product_rows: list[dict[str, Any]] = []
    product_groups: list[str] = []
    outreach_rows: list[dict[str, Any]] = []
    for household_id, (_, notes) in zip(household_ids, households, strict=True):
        products = province.product_rows(household_id, notes)
        product_rows += products
        product_groups += [notes.group] * len(products)
        outreach_rows += province.outreach_rows(household_id)
    product_ids = _insert_ids(Product, product_rows)
    certification_rows: list[dict[str, Any]] = []
    listing_rows: list[dict[str, Any]] = []
    for product_id, product, group in zip(product_ids, product_rows, product_groups, strict=True):
        certifications = province.certification_rows(product_id, group)
        certification_rows += certifications
        listing_rows += province.listing_rows(product_id, product, certifications)
    _insert(Certification, certification_rows)
    _insert(Listing, listing_rows)
    _insert(OutreachEvent, outreach_rows)
    refresh_informed(row["household_id"] for row in outreach_rows)
    report.households += len(households)
    report.products += len(product_rows)
    report.certifications += len(certification_rows)
    report.listings += len(listing_rows)
    report.outreach_events += len(outreach_rows)
