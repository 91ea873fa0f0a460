"""Legacy Vietnamese font encodings (TCVN3/ABC and VNI-Windows) read back as Unicode.

The legacy samples here are written out by hand from the published code charts, not
generated from the module's tables, so a wrong table entry fails a test.
"""

from __future__ import annotations

import subprocess
import unicodedata

import pytest

from lms.core.legacy_text import (
    detect_legacy_encoding,
    fix_legacy_text,
    tcvn3_to_unicode,
    vni_to_unicode,
)
from tests.tools import missing, need_tool


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def latin1(hex_bytes: str) -> list[str]:
    """Legacy bytes as the characters an xlsx cell or a latin-1 CSV shows for them."""
    return list(bytes.fromhex(hex_bytes).decode("latin-1"))


# The 67 lower-case Vietnamese letters that are not plain ASCII, built from their parts.
_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
LOWER_LETTERS = sorted(
    {nfc(nfd(base) + tone) for base in _BASES for tone in _TONES} - set("aeiouy") | {"đ"}
)
TONED_LOWER = [letter for letter in LOWER_LETTERS if set(nfd(letter)) & set(_TONES[1:])]

# TCVN3 code chart: each row lists Unicode letters and their bytes in the same order.
TCVN3_ROWS = {
    "áàảãạ": "b8 b5 b6 b7 b9",
    "ắằẳẵặ": "be bb bc bd c6",
    "ấầẩẫậ": "ca c7 c8 c9 cb",
    "éèẻẽẹ": "d0 cc ce cf d1",
    "ếềểễệ": "d5 d2 d3 d4 d6",
    "íìỉĩị": "dd d7 d8 dc de",
    "óòỏõọ": "e3 df e1 e2 e4",
    "ốồổỗộ": "e8 e5 e6 e7 e9",
    "ớờởỡợ": "ed ea eb ec ee",
    "úùủũụ": "f3 ef f1 f2 f4",
    "ứừửữự": "f8 f5 f6 f7 f9",
    "ýỳỷỹỵ": "fd fa fb fc fe",
    "ăâêôơưđ": "a8 a9 aa ab ac ad ae",
    "ĂÂÊÔƠƯĐ": "a1 a2 a3 a4 a5 a6 a7",
}
TCVN3_LETTERS = {
    letter: code
    for letters, codes in TCVN3_ROWS.items()
    for letter, code in zip(letters, latin1(codes), strict=True)
}

# VNI-Windows: base letter + mark characters, lower case; upper case upper-cases both.
VNI_ROWS = {
    "áàảãạ": "aù aø aû aõ aï",
    "ăắằẳẵặ": "aê aé aè aú aü aë",
    "âấầẩẫậ": "aâ aá aà aå aã aä",
    "éèẻẽẹ": "eù eø eû eõ eï",
    "êếềểễệ": "eâ eá eà eå eã eä",
    "íìỉĩị": "í ì æ ó ò",
    "óòỏõọ": "où oø oû oõ oï",
    "ôốồổỗộ": "oâ oá oà oå oã oä",
    "ơớờởỡợ": "ô ôù ôø ôû ôõ ôï",
    "úùủũụ": "uù uø uû uõ uï",
    "ưứừửữự": "ö öù öø öû öõ öï",
    "ýỳỷỹỵ": "yù yø yû yõ î",
    "đ": "ñ",
}
VNI_LETTERS = {
    letter: code
    for letters, codes in VNI_ROWS.items()
    for letter, code in zip(letters, codes.split(), strict=True)
}

# Unicode, TCVN3 as read from the file, VNI as read from the file.
NAMES = [
    ("Nguyễn Thị Hương", "NguyÔn ThÞ H\u00ad¬ng", "Nguyeãn Thò Höông"),
    ("Trần Văn Đức", "TrÇn V¨n §øc", "Traàn Vaên Ñöùc"),
    ("Đặng Văn Ánh", "§Æng V¨n ¸nh", "Ñaëng Vaên AÙnh"),
    ("Xã Diễn Châu", "X· DiÔn Ch©u", "Xaõ Dieãn Chaâu"),
    ("Thôn Tân Hợp", "Th«n T©n Hîp", "Thoân Taân Hôïp"),
    ("Bản Khe Choăng", "B¶n Khe Cho¨ng", "Baûn Khe Choaêng"),
    ("Phường Trường Vinh", "Ph\u00adêng Tr\u00adêng Vinh", "Phöôøng Tröôøng Vinh"),
    ("Hồ Sỹ Quang", "Hå Sü Quang", "Hoà Syõ Quang"),
    ("Lê Thị Ngọc Ánh", "Lª ThÞ Ngäc ¸nh", "Leâ Thò Ngoïc AÙnh"),
    ("Đặng Thị Mai", "§Æng ThÞ Mai", "Ñaëng Thò Mai"),
    ("Nguyễn Đình Thắng", "NguyÔn §×nh Th¾ng", "Nguyeãn Ñình Thaéng"),
    ("Vi Văn Tám", "Vi V¨n T¸m", "Vi Vaên Taùm"),
    ("Trương Công Thành", "Tr\u00ad¬ng C«ng Thµnh", "Tröông Coâng Thaønh"),
    ("Phan Thị Lợi", "Phan ThÞ Lîi", "Phan Thò Lôïi"),
    ("Bùi Thị Thủy", "Bïi ThÞ Thñy", "Buøi Thò Thuûy"),
    ("Lương Văn Quyết", "L\u00ad¬ng V¨n QuyÕt", "Löông Vaên Quyeát"),
    ("Xóm Đồng Tâm, xã Nghi Lộc", "Xãm §ång T©m, x· Nghi Léc", "Xoùm Ñoàng Taâm, xaõ Nghi Loäc"),
    ("Thôn 3, xã Diễn Châu", "Th«n 3, x· DiÔn Ch©u", "Thoân 3, xaõ Dieãn Chaâu"),
    ("NGUYỄN VĂN ĐỨC", "NGUYÔN V¡N §øC", "NGUYEÃN VAÊN ÑÖÙC"),
]

NOT_LEGACY = [
    "Nguyễn Thị Hương",
    "Đặng Văn Ánh",
    "Phường Trường Vinh",
    "Lê Minh Tâm",
    "Nguyen Van A",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog",
    "12345",
    "1.234,56",
    "0912 345 678",
    "+84 912 345 678",
    "nguyen.van.a@example.com",
    "https://example.com/ho-so?id=42",
    "café",
    "Café au lait",
    "Ñoño",
    "José Muñoz",
    "Crème brûlée",
    "Müller",
    "naïve",
    "São Paulo",
    "Curaçao",
    "Zoë",
    "Où est la gare ?",
    "",
    "   ",
]


def test_the_sample_tables_cover_every_vietnamese_letter():
    assert len(LOWER_LETTERS) == 67
    assert set(VNI_LETTERS) == set(LOWER_LETTERS)
    assert set(TCVN3_LETTERS) == set(LOWER_LETTERS) | set("ĂÂÊÔƠƯĐ")


@pytest.mark.parametrize("letter", sorted(TCVN3_LETTERS))
def test_every_tcvn3_letter(letter):
    assert tcvn3_to_unicode(TCVN3_LETTERS[letter]) == letter
    assert tcvn3_to_unicode(f"x{TCVN3_LETTERS[letter]}y") == f"x{letter}y"


@pytest.mark.parametrize("letter", TONED_LOWER)
def test_tcvn3_upper_case_toned_vowels_come_from_context(letter):
    code, upper = TCVN3_LETTERS[letter], letter.upper()
    # the single font has no code for them: on its own the letter stays as typed
    assert tcvn3_to_unicode(code) == letter
    # inside an all-caps word, or starting a word of a title-cased name, it is a capital
    assert tcvn3_to_unicode(f"B{code}N") == f"B{upper}N"
    assert tcvn3_to_unicode(f"V¨n {code}nh") == f"Văn {upper}nh"
    assert tcvn3_to_unicode(f"v¨n {code}nh") == f"văn {letter}nh"


@pytest.mark.parametrize("letter", LOWER_LETTERS)
def test_every_vni_letter_in_both_cases(letter):
    code = VNI_LETTERS[letter]
    assert vni_to_unicode(code) == letter
    assert vni_to_unicode(code.upper()) == letter.upper()
    assert vni_to_unicode(f"x{code}y") == f"x{letter}y"


def test_vni_upper_case_uses_upper_case_marks():
    assert vni_to_unicode("AÙNH") == "ÁNH"
    assert vni_to_unicode("ÑAËNG") == "ĐẶNG"
    assert vni_to_unicode("TRÖÔØNG") == "TRƯỜNG"
    assert vni_to_unicode("KHUYÛU") == "KHUỶU"


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), NAMES)
def test_names_and_places_are_converted(unicode, tcvn3, vni):
    assert tcvn3_to_unicode(tcvn3) == unicode
    assert vni_to_unicode(vni) == unicode


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), NAMES)
def test_names_and_places_are_detected_and_fixed(unicode, tcvn3, vni):
    assert detect_legacy_encoding(tcvn3) == "tcvn3"
    assert detect_legacy_encoding(vni) == "vni"
    assert fix_legacy_text(tcvn3) == (unicode, "tcvn3")
    assert fix_legacy_text(vni) == (unicode, "vni")


@pytest.mark.parametrize("text", NOT_LEGACY)
def test_other_text_is_not_flagged(text):
    assert detect_legacy_encoding(text) is None
    assert fix_legacy_text(text) == (text, None)


def test_proper_vietnamese_in_any_normal_form_is_left_alone():
    for unicode, _, _ in NAMES:
        assert detect_legacy_encoding(nfd(unicode)) is None
        assert fix_legacy_text(nfd(unicode)) == (unicode, None)


def test_undetected_text_is_only_normalised():
    assert fix_legacy_text("cafe\u0301") == ("café", None)


def test_output_is_nfc():
    for unicode, tcvn3, vni in NAMES:
        for text in (tcvn3, vni, nfd(vni), unicode):
            fixed, _ = fix_legacy_text(text)
            assert fixed == nfc(fixed) == unicode
    assert unicodedata.is_normalized("NFC", tcvn3_to_unicode("NguyÔn"))
    assert unicodedata.is_normalized("NFC", vni_to_unicode(nfd("Nguyeãn")))


def test_cp1252_and_latin1_readings_of_a_csv_agree():
    raw = "NguyÔn ThÞ H\u00ad¬ng, Ph\u00adêng Tr\u00adêng Vinh".encode("latin-1")
    for encoding in ("cp1252", "latin-1"):
        assert fix_legacy_text(raw.decode(encoding)) == (
            "Nguyễn Thị Hương, Phường Trường Vinh",
            "tcvn3",
        )


def test_everything_around_the_letters_is_kept():
    assert fix_legacy_text("NguyÔn V¨n A - 0912 345 678; a.b@c.vn (hé 12)") == (
        "Nguyễn Văn A - 0912 345 678; a.b@c.vn (hộ 12)",
        "tcvn3",
    )
    assert vni_to_unicode("Leâ Thò B, soá 5") == "Lê Thị B, số 5"


def test_an_acronym_does_not_make_a_tcvn3_text_all_caps():
    assert tcvn3_to_unicode("Sè CCCD") == "Số CCCD"
    assert tcvn3_to_unicode("UBND x· Nghi Léc") == "UBND xã Nghi Lộc"
    assert tcvn3_to_unicode("Hå Sü QUANG") == "HỒ SỸ QUANG"
    assert tcvn3_to_unicode("§¸ B¹c") == "Đá Bạc"


def test_a_word_that_reads_well_in_both_encodings_is_left_alone():
    # "Söa" is "Sửa" in TCVN3 and "Sưa" in VNI: no way to choose from one word
    assert detect_legacy_encoding("Söa") is None
    # with more of the column the answer is clear
    assert detect_legacy_encoding("Söa\nNguyÔn V¨n A") == "tcvn3"


def test_tcvn3_letters_match_glibc_iconv():
    """glibc's TCVN5712-1 codec is an independent source for the same byte positions."""
    iconv = need_tool("iconv")
    for letter, code in TCVN3_LETTERS.items():
        result = subprocess.run(
            [iconv, "-f", "TCVN5712-1", "-t", "UTF-8"],
            input=code.encode("latin-1"),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            missing("iconv's TCVN5712-1 codec", "glibc's gconv modules (libc-bin)")
        assert nfc(result.stdout.decode()) == letter
