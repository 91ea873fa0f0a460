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


#: the letters of Vietnamese with their marks, and f j w z (names from other languages)
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệfghiìíỉĩịjklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvwxyỳýỷỹỵz"
)
#: what a person's name may hold: letters, spaces, hyphens, apostrophes (H'Mông) and dots
_NAME_CHARACTERS = frozenset(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " -'’.")


def refused_name_characters(name: str | None) -> str:
    """The characters of a person's name (after ``clean``) that are not letters of Vietnamese
    with their marks, spaces, hyphens, apostrophes or dots — an emoji, a digit, a Chinese
    character — each once, in the order typed. Names are printed on certificates, whose
    font holds these characters and not every other."""
    return "".join(dict.fromkeys(c for c in clean(name) if c not in _NAME_CHARACTERS))


def mask_phone(phone: str | None) -> str:
    """``0912345678`` → ``0912***678``."""
    if not phone:
        return ""
    return phone[:4] + "*" * (len(phone) - 7) + phone[-3:]


def mask_name(name: str | None) -> str:
    """ "Nguyễn Thị Hương" → "Nguyễn T. H.": enough to recognise, not to identify."""
    words = clean(name).split()
    if len(words) < 2:
        return words[0][:1] + "." if words else ""
    return " ".join([words[0], *(word[0] + "." for word in words[1:])])


def mask_national_id(national_id: str | None) -> str:
    """Only the last four digits stay visible."""
    if not national_id:
        return ""
    return "*" * (len(national_id) - 4) + national_id[-4:]


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
# then tones (none, huyền, hỏi, ngã, sắc, nặng), then lower case before upper case: the
# order ICU's "vi" collation gives on PostgreSQL.
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str | None) -> tuple:
    """A key that sorts strings in Vietnamese order (for SQLite and Python sorts)."""
    letters, tones, cases = [], [], []
    for char in unicodedata.normalize("NFC", text or ""):
        base, *marks = unicodedata.normalize("NFD", char)
        lower = base.lower()
        # đ sorts as its own letter right after d
        letter = (ord("d"), 9) if lower == "đ" else (ord(lower), 0)
        letters.append((letter[0], letter[1] + sum(_LETTER_MARKS.get(m, 0) for m in marks)))
        tones.append(sum(_TONES.get(m, 0) for m in marks))
        cases.append(base != lower)
    return (letters, tones, cases)
