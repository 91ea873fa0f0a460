"""Repair Vietnamese text typed with legacy font encodings (TCVN3/ABC and VNI-Windows).

Commune staff often keep household lists in Excel with the old ``.VnTime`` (TCVN3) or
``VNI-Times`` (VNI) fonts. Those fonts draw Vietnamese glyphs on the code points of
Windows-1252 letters, so once the cell text is read as Unicode (an xlsx cell, or a CSV
decoded as cp1252/latin-1/utf-8) "Nguyễn Thị Hương" arrives as ``NguyÔn ThÞ H­¬ng``
(TCVN3) or ``Nguyeãn Thò Höông`` (VNI). This module recognises such text and converts it
back to NFC Unicode, so imported names and places match what people type today.

The converters are plain table look-ups; :func:`detect_legacy_encoding` is a heuristic
that only accepts a conversion when it turns the text into more valid Vietnamese
syllables than it had before, so proper Unicode, English and Latin-1 text are left alone.
A single short word can be ambiguous ("Söa" is "Sửa" in TCVN3 and "Sưa" in VNI); a
whole column joined with newlines gives a surer answer than one cell.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from typing import Literal

__all__ = [
    "LegacyEncoding",
    "detect_legacy_encoding",
    "fix_legacy_text",
    "tcvn3_to_unicode",
    "vni_to_unicode",
]

LegacyEncoding = Literal["tcvn3", "vni"]

#: combining grave, acute, tilde, hook above and dot below: the five Vietnamese tones
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

#: TCVN3 (TCVN 5712:1993 "VN3", the ABC fonts): byte -> Unicode letter. Checked against
#: UniKey's vnconv table (ukengine/data.cpp) and glibc's TCVN5712-1 codec, whose lower
#: case positions are the same. The single-font set has no code for upper-case vowels
#: with a tone: the ``.VnTimeH`` fonts draw those from the lower-case codes below.
# fmt: off
_TCVN3_BYTES: dict[int, str] = {
    # the seven upper-case letters the single font does define, then their lower case
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    # toned vowels, each row in the order grave, hook, tilde, acute, dot below
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
# fmt: on

#: VNI-Windows: lower-case Unicode letter -> the characters the VNI font draws it with
#: (as Latin-1 text). Most letters are an ASCII base letter plus one mark character; a few
#: are a single character. Upper case is the ``str.upper()`` of both sides ("Ấ" is "AÁ").
#: Checked against UniKey's VNI-WIN table (ukengine/data.cpp) and duydev/vietnamese-
#: conversion (src/charsets.ts).
# fmt: off
_VNI_LETTERS: dict[str, str] = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "đ": "ñ",
    "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ế": "eá", "ề": "eà", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ó": "où", "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ố": "oá", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ớ": "ôù", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ú": "uù", "ù": "uø", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ý": "yù", "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
}
# fmt: on


def _decodings(byte: int) -> set[str]:
    """Every character a legacy byte can turn into once the text is read as Unicode.

    xlsx files and CSVs decoded as latin-1 keep bytes 0x80-0x9F as C1 controls, while
    cp1252 turns most of them into typographic characters, so both must be recognised.
    Today every TCVN3 and VNI letter code is 0xA1 or above, where both readings agree (the
    invisible soft hyphen U+00AD is TCVN3 "ư"); this keeps any added code safe too.
    """
    found = {chr(byte)}
    # the five holes in cp1252 (0x81, 0x8D, ...) only ever show up as C1 controls
    with contextlib.suppress(UnicodeDecodeError):
        found.add(bytes([byte]).decode("cp1252"))
    return found


def _spellings(legacy: str) -> set[str]:
    """All Unicode spellings of a legacy byte string, one per cp1252/latin-1 reading."""
    spellings = {""}
    for char in legacy:
        spellings = {head + tail for head in spellings for tail in _decodings(ord(char))}
    return spellings


_TCVN3_TABLE: dict[int, str] = {
    ord(char): letter for byte, letter in _TCVN3_BYTES.items() for char in _decodings(byte)
}

#: Characters for the toned vowels: TCVN3 has no upper-case code for them, so their case
#: says nothing about the case the typist meant.
_TCVN3_CASELESS: frozenset[str] = frozenset(
    chr(code)
    for code, letter in _TCVN3_TABLE.items()
    if not _TONE_MARKS.isdisjoint(unicodedata.normalize("NFD", letter))
)

_VNI_TABLE: dict[str, str] = {
    spelling: letter
    for lower, legacy in _VNI_LETTERS.items()
    for letter, form in ((lower, legacy), (lower.upper(), legacy.upper()))
    for spelling in _spellings(form)
}
# Longest first, so a base letter and its mark are read together before either alone.
_VNI_PATTERN = re.compile(
    "|".join(re.escape(key) for key in sorted(_VNI_TABLE, key=len, reverse=True))
)

#: A "word": a run of characters that are neither spaces, digits nor ASCII/general
#: punctuation. Legacy letters such as "§" or "«" are symbols in Unicode, so \w won't do.
_WORD = re.compile(r"[^\s\d!-/:-@\[-`{-~\u2000-\u206f]+")
#: for capitalisation a hyphenated loan word ("Xê-út") is one word, not two
_HYPHENATED_WORD = re.compile(rf"{_WORD.pattern}(?:-{_WORD.pattern})*")

#: Letters that only proper Unicode Vietnamese uses; legacy text never contains them.
_UNICODE_ONLY = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9\u0300-\u036f]")

# --- Vietnamese syllable check -------------------------------------------------------------
# A syllable is an optional initial consonant, a rhyme and at most one tone mark. The
# tables are deliberately a little generous: they only need to tell Vietnamese from garble.

_VOWEL_SHAPE_MARKS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn
_VOWELS = frozenset("aeiouy")
_SHAPED_VOWELS = frozenset("ăâêôơư")
#: open two-vowel groups where the newer spelling puts the tone on the second vowel (hoà)
_TONE_ON_SECOND = frozenset({"oa", "oe", "uy"})
# fmt: off
_INITIALS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
# fmt: on
_OPEN_RHYMES = frozenset(
    (
        *("a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),
        *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "iêu", "yêu"),
        *("oa", "oai", "oao", "oay", "oe", "oeo", "oi", "ôi", "ơi"),
        *("ua", "uây", "uê", "ui", "uôi", "uơ", "uy", "uya", "uyu"),
        *("ưa", "ưi", "ưu", "ươi", "ươu"),
    )
)
#: vowel nucleus -> the final consonants it can take
_CLOSED_RHYMES: dict[str, tuple[str, ...]] = {
    "a": ("c", "ch", "m", "n", "ng", "nh", "p", "t"),
    "ă": ("c", "m", "n", "ng", "p", "t"),
    "â": ("c", "m", "n", "ng", "p", "t"),
    "e": ("c", "m", "n", "ng", "p", "t"),
    "ê": ("ch", "m", "n", "nh", "p", "t"),
    "i": ("ch", "m", "n", "nh", "p", "t"),
    "o": ("c", "m", "n", "ng", "p", "t"),
    "ô": ("c", "m", "n", "ng", "p", "t"),
    "ơ": ("m", "n", "p", "t"),
    "u": ("c", "m", "n", "ng", "p", "t"),
    "ư": ("c", "m", "n", "ng", "t"),
    "y": ("ch", "n", "nh", "t"),  # after "qu": quýt, quỳnh
    "iê": ("c", "m", "n", "ng", "p", "t"),
    "yê": ("m", "n", "ng", "t"),
    "uô": ("c", "m", "n", "ng", "t"),
    "ươ": ("c", "m", "n", "ng", "p", "t"),
    "oa": ("c", "ch", "m", "n", "ng", "nh", "p", "t"),
    "oă": ("c", "m", "n", "ng", "t"),
    "oe": ("n", "t"),
    "oo": ("c", "ng"),
    "uâ": ("n", "ng", "t"),
    "uê": ("ch", "n", "nh"),
    "uy": ("ch", "n", "nh", "t"),
    "uyê": ("n", "t"),
}
#: syllables closed by a stop consonant can only carry the acute or dot-below tone
_STOP_FINALS = frozenset({"c", "ch", "p", "t"})
_STOP_TONES = frozenset({"\u0301", "\u0323"})


def _split_tone(word: str) -> tuple[str, int | None, str | None] | None:
    """The syllable without its tone, the index of the toned letter and the tone.

    None when the marks are impossible: two tones, or a tone on a consonant (Spanish ñ).
    """
    letters: list[str] = []
    tone: str | None = None
    toned_at: int | None = None
    for char in unicodedata.normalize("NFD", word):
        if char in _TONE_MARKS:
            if tone is not None or not letters or letters[-1][0] not in _VOWELS:
                return None
            tone, toned_at = char, len(letters) - 1
        elif char in _VOWEL_SHAPE_MARKS and letters:
            letters[-1] += char
        else:
            letters.append(char)
    composed = [unicodedata.normalize("NFC", letter) for letter in letters]
    if any(len(letter) != 1 for letter in composed):
        return None  # a shape mark that makes no Vietnamese letter
    return "".join(composed), toned_at, tone


def _rhyme_final(rhyme: str) -> str | None:
    """The final consonant of a valid rhyme ("" when open), or None if it is not one."""
    if rhyme in _OPEN_RHYMES:
        return ""
    for nucleus, finals in _CLOSED_RHYMES.items():
        final = rhyme[len(nucleus) :]
        if rhyme.startswith(nucleus) and final in finals:
            return final
    return None


def _tone_fits(vowels: str, position: int, closed: bool) -> bool:
    """Whether the tone sits where Vietnamese spelling puts it in this vowel group.

    This is what tells "Lê" apart from "Leõ": both letter sets spell a rhyme, but only one
    puts the tone on the right vowel. Old and new placements ("hòa", "hoà") both pass.
    """
    shaped = [i for i, vowel in enumerate(vowels) if vowel in _SHAPED_VOWELS]
    if shaped:
        return position == shaped[-1]
    if closed or len(vowels) == 1:
        return position == len(vowels) - 1
    if len(vowels) == 2:
        return position == 0 or vowels in _TONE_ON_SECOND
    return position == 1


def _is_syllable(word: str) -> bool:
    """Whether ``word`` is spelt like one Vietnamese syllable (case-insensitive)."""
    split = _split_tone(word.lower())
    if split is None:
        return False
    bare, toned_at, tone = split
    for initial in _INITIALS:
        if not bare.startswith(initial):
            continue
        rhyme = bare[len(initial) :]
        final = _rhyme_final(rhyme)
        if final is None:
            continue
        if final in _STOP_FINALS and tone not in _STOP_TONES:
            continue
        if toned_at is not None:
            vowels = rhyme[: len(rhyme) - len(final)]
            position = toned_at - len(initial)
            if not 0 <= position < len(vowels) or not _tone_fits(vowels, position, bool(final)):
                continue
        return True
    return False


# --- converters ----------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tcvn3_letters(text: str) -> str:
    return text.translate(_TCVN3_TABLE)


def _vni_letters(text: str) -> str:
    return _VNI_PATTERN.sub(lambda match: _VNI_TABLE[match.group()], text)


def _restore_tcvn3_case(source: str, converted: str) -> str:
    """Guess the case of toned vowels, which the single TCVN3 font can only write in lower case.

    Two safe cases: a word whose other letters are all capitals (``TH¸NG`` is "THÁNG"),
    extended to the whole text when nothing in it is lower case (``Hå Sü QUANG``); and a word
    starting with a toned vowel in a title-cased name or place (``Lª ThÞ Ngäc ¸nh`` is
    "Lê Thị Ngọc Ánh").
    """
    chars = list(converted)
    spans = [match.span() for match in _HYPHENATED_WORD.finditer(source)]

    def known_letters(start: int, end: int) -> list[str]:
        return [
            converted[i]
            for i in range(start, end)
            if source[i] not in _TCVN3_CASELESS and converted[i].lower() != converted[i].upper()
        ]

    known = {span: known_letters(*span) for span in spans}
    # one capital is just a title-cased word ("§¸" is "Đá"); two or more mean all caps
    capital_words = {
        span
        for span, letters in known.items()
        if len(letters) >= 2 and all(letter.isupper() for letter in letters)
    }
    # an all-caps acronym ("Sè CCCD" is "Số CCCD") says nothing about the words around it,
    # so only an all-caps Vietnamese word makes the whole text count as written in capitals
    shouting = any(_is_syllable(converted[slice(*span)]) for span in capital_words) and not any(
        letter.islower() for letters in known.values() for letter in letters
    )
    initials = [
        converted[start]
        for start, _ in spans
        if source[start] not in _TCVN3_CASELESS and converted[start].isalpha()
    ]
    title_case = bool(initials) and all(initial.isupper() for initial in initials)

    for span in spans:
        start, end = span
        if not any(source[i] in _TCVN3_CASELESS for i in range(start, end)):
            continue
        if shouting or span in capital_words:
            for i in range(start, end):
                chars[i] = chars[i].upper()
        elif title_case and source[start] in _TCVN3_CASELESS:
            chars[start] = chars[start].upper()
    return "".join(chars)


def tcvn3_to_unicode(text: str) -> str:
    """Convert text typed in a TCVN3 (ABC, ``.VnTime``) font to NFC Unicode.

    Characters that are not TCVN3 letters are kept. Upper-case toned vowels have no code
    of their own in the single-font standard; they are restored from context (all-caps
    words, title-cased names), otherwise they stay lower case as typed.
    """
    source = _nfc(text)
    # the table maps one character to one character, so positions line up for the case pass
    return _nfc(_restore_tcvn3_case(source, _tcvn3_letters(source)))


def vni_to_unicode(text: str) -> str:
    """Convert text typed in a VNI-Windows (``VNI-Times``) font to NFC Unicode."""
    # NFC first: a decomposed "â" would otherwise no longer match its VNI mark character
    return _nfc(_vni_letters(_nfc(text)))


# --- detection -----------------------------------------------------------------------------

_LETTER_CONVERTERS: dict[LegacyEncoding, Callable[[str], str]] = {
    "tcvn3": _tcvn3_letters,
    "vni": _vni_letters,
}


def detect_legacy_encoding(text: str) -> LegacyEncoding | None:
    """Whether ``text`` is garbled TCVN3 or VNI, or None when it is not (or it is unclear).

    An encoding is accepted only if converting with it yields more valid Vietnamese
    syllables than the text already has, more than half of all its words end up valid,
    and so do more than half of the words the conversion changes. Text that contains
    letters only proper Unicode Vietnamese uses is never flagged.
    """
    text = _nfc(text)
    if text.isascii() or _UNICODE_ONLY.search(text):
        return None
    words = _WORD.findall(text)
    already_valid = sum(map(_is_syllable, words))

    scores: dict[LegacyEncoding, tuple[int, int]] = {}
    for name, convert in _LETTER_CONVERTERS.items():
        valid = changed = changed_invalid = 0
        for word in words:
            converted = convert(word)
            ok = _is_syllable(converted)
            valid += ok
            if converted != word:
                changed += 1
                changed_invalid += not ok
        if valid > already_valid and 2 * valid > len(words) and 2 * changed_invalid < changed:
            scores[name] = (valid, -changed_invalid)

    if not scores:
        return None
    best = max(scores.values())
    winners = [name for name, score in scores.items() if score == best]
    # equally good readings are a guess either way, so the text is left alone
    return winners[0] if len(winners) == 1 else None


def fix_legacy_text(text: str) -> tuple[str, LegacyEncoding | None]:
    """The text as NFC Unicode and the legacy encoding it was repaired from, if any."""
    encoding = detect_legacy_encoding(text)
    if encoding == "tcvn3":
        return tcvn3_to_unicode(text), encoding
    if encoding == "vni":
        return vni_to_unicode(text), encoding
    return _nfc(text), None
