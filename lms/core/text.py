"""Vietnamese text: NFC normalisation, diacritic folding, phone and CCCD normalisation."""

from __future__ import annotations

import re
import unicodedata

_NON_DIGIT = re.compile(r"[^0-9]")
#: Vietnamese mobile numbers: 03x, 05x, 07x, 08x, 09x followed by 7 digits
_MOBILE = re.compile(r"0[35789]\d{8}", re.ASCII)
#: fixed lines: 02 + area code, 11 digits in all
_FIXED = re.compile(r"02\d{9}", re.ASCII)
#: what separates two phones in one cell: "0912 345 678 / 0987 654 321", "…; …", "… - …"
#: (a hyphen only between spaces, since "912-345-678" is one phone)
_PHONE_SEPARATOR = re.compile(r"[/;,|\n]|\s[-–—]\s|\s(?:hoặc|or|và|and)\s", re.IGNORECASE)

#: The 2018 move of 11-digit mobile numbers to 10 digits, prefix by prefix, as published by
#: the Ministry of Information and Communications (Bộ Thông tin và Truyền thông, Thông tư
#: 22/2014/TT-BTTTT amended; conversion from 15 September 2018). Old numbers are still
#: written down in notebooks and spreadsheets, so both forms must reach one household.
MOBILE_PREFIXES_2018 = {
    # Viettel
    "0162": "032",
    "0163": "033",
    "0164": "034",
    "0165": "035",
    "0166": "036",
    "0167": "037",
    "0168": "038",
    "0169": "039",
    # MobiFone
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    # VinaPhone
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    # Vietnamobile
    "0186": "056",
    "0188": "058",
    # Gmobile
    "0199": "059",
}


def _typed_digits(raw: str | None) -> str:
    """The text with every decimal digit as ASCII (full-width ``０``, Arabic-Indic ``٠`` …) and
    without invisible format characters (zero-width space, joiners, BOM, direction marks),
    which arrive pasted from chat apps and would otherwise sit inside a number."""
    if not raw or raw.isascii():  # as most are typed: nothing to convert
        return raw or ""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() else char
        for char in text
        if unicodedata.category(char) != "Cf"
    )


def clean(text: str | None) -> str:
    """NFC-normalise, trim and collapse inner whitespace."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).split())


#: the combining marks Vietnamese letters decompose into (tones, circumflex, breve, horn)
_COMBINING_MARKS = dict.fromkeys(range(0x300, 0x370))


def fold(text: str | None) -> str:
    """Lower-case and strip diacritics, so "Nguyễn Thị Hương" and "nguyen thi huong" match."""
    lowered = clean(text).lower().replace("đ", "d")
    if lowered.isascii():
        return lowered
    # Vietnamese marks go in one C-level pass; any other mark (category Mn) after
    decomposed = unicodedata.normalize("NFD", lowered).translate(_COMBINING_MARKS)
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def normalize_phone(raw: str | None) -> str | None:
    """The canonical form ``0912345678`` of a Vietnamese phone, or None if it is impossible.

    Accepts ``0912 345 678``, ``+84 912 345 678``, ``84912345678``, ``912.345.678``, full-width
    digits, and the 11-digit numbers of before 2018 (``0162 …`` becomes ``032 …``). A cell with
    two phones gives the first (``normalize_phones`` gives them all).
    """
    phones = normalize_phones(raw)
    return phones[0] if phones else None


def normalize_phones(raw: str | None) -> list[str]:
    """Every phone in ``raw``, canonical and in the order typed, without repeats:
    "0912 345 678 / 0987 654 321" gives both. Empty if any part is not a phone, so that
    nothing typed is silently dropped."""
    text = _typed_digits(raw)
    if not text.strip():
        return []
    whole = _one_phone(text)
    if whole is not None:
        return [whole]
    parts = [part for part in _PHONE_SEPARATOR.split(text) if part.strip()]
    phones = [_one_phone(part) for part in parts]
    if len(parts) < 2 or None in phones:
        return []
    return list(dict.fromkeys(phone for phone in phones if phone))


def _one_phone(text: str) -> str | None:
    digits = _NON_DIGIT.sub("", text)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif len(digits) in (9, 10) and not digits.startswith("0"):
        digits = "0" + digits
    if len(digits) == 11 and digits[:4] in MOBILE_PREFIXES_2018:
        digits = MOBILE_PREFIXES_2018[digits[:4]] + digits[4:]
    if _MOBILE.fullmatch(digits) or _FIXED.fullmatch(digits):
        return digits
    return None


def normalize_national_id(raw: str | None) -> str | None:
    """A CCCD is exactly 12 ASCII digits; spaces, dots, full-width digits and invisible
    characters are forgiven."""
    digits = re.sub(r"[\s.]", "", _typed_digits(raw))
    return digits if re.fullmatch(r"[0-9]{12}", digits) else None


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
