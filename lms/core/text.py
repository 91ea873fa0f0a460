"""Vietnamese text: NFC normalisation, diacritic folding, phone and CCCD normalisation."""

from __future__ import annotations

import re
import unicodedata

_NON_DIGIT = re.compile(r"\D")
#: Vietnamese mobile numbers: 03x, 05x, 07x, 08x, 09x followed by 7 digits
_MOBILE = re.compile(r"0[35789]\d{8}")
#: fixed lines: 02 + area code, 11 digits in all
_FIXED = re.compile(r"02\d{9}")


def clean(text: str | None) -> str:
    """NFC-normalise, trim and collapse inner whitespace."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str | None) -> str:
    """Lower-case and strip diacritics, so "Nguyễn Thị Hương" and "nguyen thi huong" match."""
    decomposed = unicodedata.normalize("NFD", clean(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def normalize_phone(raw: str | None) -> str | None:
    """The canonical form ``0912345678`` of a Vietnamese phone, or None if it is impossible.

    Accepts ``0912 345 678``, ``+84 912 345 678``, ``84912345678`` and ``912.345.678``.
    """
    digits = _NON_DIGIT.sub("", raw or "")
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif len(digits) in (9, 10) and not digits.startswith("0"):
        digits = "0" + digits
    if _MOBILE.fullmatch(digits) or _FIXED.fullmatch(digits):
        return digits
    return None


def normalize_national_id(raw: str | None) -> str | None:
    """A CCCD is exactly 12 digits; spaces and dots are ignored."""
    digits = re.sub(r"[\s.]", "", raw or "")
    return digits if re.fullmatch(r"\d{12}", digits) else None


def mask_phone(phone: str | None) -> str:
    """``0912345678`` → ``0912***678``."""
    if not phone:
        return ""
    return phone[:4] + "*" * (len(phone) - 7) + phone[-3:]


def mask_national_id(national_id: str | None) -> str:
    """Only the last four digits stay visible."""
    if not national_id:
        return ""
    return "*" * (len(national_id) - 4) + national_id[-4:]
