"""The dashboard says what keeps household records from being all standardised, counted by
the rule the "standardised" figure uses, in the official's scope."""

from __future__ import annotations

from lms.reports import targets
from lms.reports.targets import TargetFilter


def gaps(user, **filters) -> dict[str, int]:
    return {c.code: n for c, n in targets.standardisation_gaps(user, TargetFilter(**filters))}


def test_the_gaps_are_counted_by_the_standardised_rule_in_scope(province):
    # Bình (no phone) and Dũng are not classified; Cúc is still in the merged commune
    expected = {
        "phone_missing": 1,
        "commune_merged": 1,
        "scale_class_missing": 2,
        "product_group_missing": 2,
    }
    assert gaps(province.official) == expected
    board = targets.dashboard(province.official, TargetFilter())
    standardised = board.total.shares["standardised"]
    assert standardised.whole - standardised.part == 3  # each failing one check or more
    assert gaps(province.official_1) == dict.fromkeys(expected, 1)  # Bình and Cúc
    assert gaps(province.official, area_id=province.commune_2.id) == {
        "scale_class_missing": 1,
        "product_group_missing": 1,
    }


def test_the_dashboard_shows_the_missing_counts_in_vietnamese(province, client_for):
    body = client_for(province.official).get("/overview/").get_data(as_text=True)
    assert "Còn thiếu để toàn bộ hồ sơ hộ được chuẩn hóa" in body
    assert "Còn 2 hộ: Chưa phân loại quy mô hộ" in body
    assert "Còn 2 hộ: Chưa phân loại nhóm sản phẩm" in body
    assert "Còn 1 hộ: Chưa có số điện thoại" in body
    assert "Còn 1 hộ: Xã, phường đã sáp nhập" in body
    assert "quality=problems" in body


def test_nothing_is_said_when_every_record_is_standardised(province, client_for):
    scale = province.households["active"].scale_class_id
    path = f"/overview/?area_id={province.commune_2.id}&scale_class_id={scale}"
    body = client_for(province.official).get(path).get_data(as_text=True)
    assert "Còn thiếu để toàn bộ hồ sơ hộ được chuẩn hóa" not in body
