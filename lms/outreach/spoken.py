"""Dates, times and phone numbers as a commune radio reads them aloud, in Vietnamese.

An announcement is read by a person, often without rehearsal: "sáng thứ Ba, ngày mùng 8
tháng 12" and "7 giờ 30" read without thinking, where "08/12" and "07:30" make the reader
stop. The words are always Vietnamese: the radio speaks to the commune, whatever language
the official's screen is in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from lms.core.models import PROGRAMME_TIMEZONE

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
ORDINALS = ("thứ nhất", "thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy")
PHONE = re.compile(r"(?<!\d)0\d{9}(?!\d)")


def spoken_date(day: date) -> str:
    """'thứ Ba, ngày mùng 8 tháng 12': the first ten days of a month are 'mùng'."""
    number = f"mùng {day.day}" if day.day <= 10 else str(day.day)
    return f"{WEEKDAYS[day.weekday()]}, ngày {number} tháng {day.month}"


def part_of_day(moment: time) -> str:
    if moment.hour < 11:
        return "sáng"
    if moment.hour < 13:
        return "trưa"
    if moment.hour < 18:
        return "chiều"
    return "tối"


def spoken_time(moment: time) -> str:
    """'7 giờ 30', '14 giờ': the 24-hour clock of official announcements, no leading zero."""
    return f"{moment.hour} giờ" + (f" {moment.minute}" if moment.minute else "")


def spoken_when(starts_at: datetime, ends_at: datetime) -> str:
    """'sáng thứ Ba, ngày mùng 8 tháng 12, từ 7 giờ 30 đến 11 giờ' in Vietnam's time."""
    start = starts_at.astimezone(PROGRAMME_TIMEZONE)
    end = ends_at.astimezone(PROGRAMME_TIMEZONE)
    until = spoken_time(end.time())
    if end.date() == start.date() + timedelta(days=1):
        until += " sáng hôm sau" if end.hour < 11 else " hôm sau"
    elif end.date() != start.date():
        until += f" {spoken_date(end.date())}"
    day = f"{part_of_day(start.time())} {spoken_date(start.date())}"
    return f"{day}, từ {spoken_time(start.time())} đến {until}"


def ordinal(number: int) -> str:
    """'thứ nhất', 'thứ hai' … then 'thứ 8'."""
    return ORDINALS[number - 1] if 1 <= number <= len(ORDINALS) else f"thứ {number}"


def in_sentence(name: str) -> str:
    """An area's name inside a sentence: 'Xã Diễn Châu' reads 'xã Diễn Châu'."""
    for prefix in ("Xã ", "Phường ", "Thị trấn ", "Đặc khu "):
        if name.startswith(prefix):
            return prefix.lower() + name[len(prefix) :]
    return name


def spoken_phone(phone: str) -> str:
    """'0912345678' read digit by digit in three groups: 'không chín một hai, ba bốn năm,
    sáu bảy tám'."""
    groups = (phone[:4], phone[4:7], phone[7:])
    return ", ".join(" ".join(DIGITS[int(digit)] for digit in group) for group in groups)


def with_spoken_phones(text: str) -> str:
    """Each 10-digit phone number in ``text`` followed by how to read it."""
    return PHONE.sub(lambda match: f"{match.group()} (đọc là: {spoken_phone(match.group())})", text)
