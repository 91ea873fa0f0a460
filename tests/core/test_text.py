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
    normalize_phones,
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("09１１０００００１", "0911000001"),  # full-width digits, half typed
        ("０９１２ ３４５ ６７８", "0912345678"),
        ("＋８４ ９１２ ３４５ ６７８", "0912345678"),
        ("٠٩١٢٣٤٥٦٧٨", "0912345678"),  # Arabic-Indic digits
        ("०९१२३४५६७८", "0912345678"),  # Devanagari digits
        ("0912\u200b345678", "0912345678"),  # zero-width space
        ("\ufeff0912345678", "0912345678"),  # byte order mark
        ("0912\u200c345\u200d678\u2060", "0912345678"),  # joiners, word joiner
        ("\u200e0912 345 678\u200f", "0912345678"),  # direction marks
    ],
)
def test_only_ascii_digits_are_kept(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0162 123 4567", "0321234567"),  # Viettel
        ("01691234567", "0391234567"),
        ("+84 162 123 4567", "0321234567"),
        ("841681234567", "0381234567"),
        ("1631234567", "0331234567"),  # the leading zero lost by Excel
        ("01201234567", "0701234567"),  # MobiFone
        ("01211234567", "0791234567"),
        ("01221234567", "0771234567"),
        ("01261234567", "0761234567"),
        ("01281234567", "0781234567"),
        ("01231234567", "0831234567"),  # VinaPhone
        ("01241234567", "0841234567"),
        ("01251234567", "0851234567"),
        ("01271234567", "0811234567"),
        ("01291234567", "0821234567"),
        ("01861234567", "0561234567"),  # Vietnamobile
        ("01881234567", "0581234567"),
        ("01991234567", "0591234567"),  # Gmobile
        ("０１６２１２３４５６７", "0321234567"),
    ],
)
def test_old_eleven_digit_mobiles_become_ten_digits(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678 / 0987 654 321", ["0912345678", "0987654321"]),
        ("0912345678; 0987654321", ["0912345678", "0987654321"]),
        ("0912345678 - 0987654321", ["0912345678", "0987654321"]),
        ("0912345678, 0162 123 4567", ["0912345678", "0321234567"]),
        ("0912345678 hoặc 0987654321", ["0912345678", "0987654321"]),
        ("0912345678\n0987654321", ["0912345678", "0987654321"]),
        ("0912345678 / 0912 345 678", ["0912345678"]),  # the same phone twice
        ("0912-345-678", ["0912345678"]),
        ("0912345678 / 12345", []),  # one part is not a phone: nothing is dropped quietly
        ("", []),
        (None, []),
    ],
)
def test_a_cell_with_several_phones(raw, expected):
    assert normalize_phones(raw) == expected
    assert normalize_phone(raw) == (expected[0] if expected else None)


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
        ("０４０１８６００１２３４", "040186001234"),
        ("040\u200b186\u200b001\u200b234", "040186001234"),
        ("\ufeff040186001234", "040186001234"),
        ("٠٤٠١٨٦٠٠١٢٣٤", "040186001234"),
        ("04018600123４", "040186001234"),
    ],
)
def test_national_id_is_twelve_digits(raw, expected):
    assert normalize_national_id(raw) == expected


def test_masks():
    assert mask_phone("0912345678") == "0912***678"
    assert mask_national_id("040186001234") == "********1234"
    assert mask_phone(None) == mask_national_id("") == ""
