"""Vietnamese order everywhere: one helper (``lms.core.database.vietnamese``), ICU's "vi"
collation on PostgreSQL and the same order, computed, on SQLite."""

from __future__ import annotations

from sqlalchemy import select

from lms.areas.models import Area
from lms.areas.services import list_areas
from lms.core.database import vietnamese
from lms.core.text import vietnamese_sort_key
from lms.extensions import db
from tests.builders import make_area

#: in Vietnamese order: a ă â … d đ … o ô ơ u ư …; letters before tones ("Hạ Hòa" before
#: "Hà Huy"), a shorter word before a longer one ("Hòa Bình" before "Hoàng Mai")
NAMES = [
    "Xã An Hòa",
    "Xã Ăn Hòa",
    "Xã Ân Thi",
    "Xã Đa Phúc",
    "Xã Hạ Hòa",
    "Xã Hà Huy Tập",
    "Xã Hòa Bình",
    "Xã Hoàng Mai",
    "Xã Ô Diên",
    "Xã Ơn Lợi",
    "Xã Ưng Hòe",
    "Xã Yên Lạc",
]


def test_the_areas_list_is_in_vietnamese_order(province):
    """The list that put "Hoàng Mai" before "Hà Huy Tập"."""
    for name in reversed(NAMES):
        make_area(name=name, parent=province.province)
    db.session.commit()
    communes = [area.name for area in list_areas(province.official) if area.name in NAMES]
    assert communes.index("Xã Hà Huy Tập") < communes.index("Xã Hoàng Mai")
    assert communes == NAMES == sorted(NAMES, key=vietnamese_sort_key)


def test_the_database_orders_as_the_python_key_does(province):
    for name in NAMES[::-1]:
        make_area(name=name, parent=province.province)
    db.session.commit()
    ordered = db.session.scalars(
        select(Area.name).where(Area.name.in_(NAMES)).order_by(vietnamese(Area.name))
    ).all()
    assert ordered == NAMES
    expected_letters = ["An", "Ăn", "Ân", "Đa"]
    assert [name.split()[1] for name in ordered[:4]] == expected_letters
