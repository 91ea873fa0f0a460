"""Vietnamese text rules: folding, phones, national IDs, masking."""

from __future__ import annotations

import unicodedata

import pytest

from lms.core.text import (
    clean,
    fold,
    mask_national_id,
    mask_phone,
    normalize_national_id,
    normalize_phone,
)


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "+84 912 345 678",
        "84912345678",
        "912.345.678",
        "(+84) 912-345-678",
    ],
)
def test_every_phone_form_becomes_one(raw):
    assert normalize_phone(raw) == "0912345678"


def test_fixed_lines_are_phones_too():
    assert normalize_phone("0238 3844 123") == "02383844123"


@pytest.mark.parametrize(
    "raw", ["", "12345", "0112345678", "09123456789", "abc", "0612345678", None]
)
def test_impossible_phones_are_refused(raw):
    assert normalize_phone(raw) is None


def test_fold_ignores_case_and_diacritics():
    assert fold("Nguyễn Thị Hương") == fold("nguyen thi huong") == "nguyen thi huong"
    assert fold("ĐẶNG Văn Đức") == "dang van duc"


def test_clean_normalises_to_nfc_and_trims():
    decomposed = unicodedata.normalize("NFD", "  Hồ   Sỹ  Quang ")
    assert clean(decomposed) == unicodedata.normalize("NFC", "Hồ Sỹ Quang")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("040186001234", "040186001234"),
        ("040 186 001 234", "040186001234"),
        ("04018600123", None),
        ("04018600123X", None),
    ],
)
def test_national_id_is_twelve_digits(raw, expected):
    assert normalize_national_id(raw) == expected


def test_masks():
    assert mask_phone("0912345678") == "0912***678"
    assert mask_national_id("040186001234") == "********1234"
    assert mask_phone(None) == mask_national_id("") == ""
