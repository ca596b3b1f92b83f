"""Parsing and normalising Chinese telephone numbers (pure: no database).

Everything about what a valid number is comes from libphonenumber (``phonenumbers``); this module only
adds the rules of how numbers are written in Chinese sources: full-width digits and brackets, ``转``
for extensions, local numbers written without their area code, and government short service numbers
(12393, 12345, 12333) that are dialled without any area code.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType, shortnumberinfo

REGION = "CN"
KIND_FIXED = "fixed"
KIND_MOBILE = "mobile"
KIND_SERVICE = "service"  # 400 / 800 numbers
KIND_SHORT = "short"  # 12393, 12345, 95518 …

# A landline's subscriber number (after the area code) has seven or eight digits in mainland China.
SUBSCRIBER_DIGITS = (7, 8)

_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_ALLOWED = re.compile(r"^[\d\s()+\-./]+$")
_MOBILE_PREFIXES = ("13", "14", "15", "16", "17", "18", "19")
_NON_GEOGRAPHIC_PREFIXES = (*_MOBILE_PREFIXES, "400", "800")


class PhoneNumberError(ValueError):
    """A number that cannot be a Chinese telephone number; ``message`` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Phone:
    number: str  # E.164 (+867595586822), or the digits of a short service number (12393)
    display: str  # the form readers know: 0759-5586822, 13800138000, 400-812-3123, 12393
    kind: str
    area_code: str = ""  # without the trunk 0: "759"
    extension: str = ""
    completed: bool = False  # the area code was added from the record's region


def clean_text(raw: str) -> str:
    """Full-width digits, brackets and dashes to their ASCII forms; surrounding space trimmed."""
    text = unicodedata.normalize("NFKC", raw or "")
    return text.replace("－", "-").replace("—", "-").replace("–", "-").strip()


def parse_phone(raw: str, *, area_codes: Sequence[str] = ()) -> Phone:
    """Parse ``raw`` as a Chinese number. ``area_codes`` (without the trunk 0) complete a local
    number written without its area code, such as 85767777 for a record in 连云港 (518)."""
    text = clean_text(raw)
    if not text:
        raise PhoneNumberError("电话号码为空。")
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()].strip()
    if not _ALLOWED.match(text):
        bad = "".join(sorted({c for c in text if not re.match(r"[\d\s()+\-./]", c)}))
        raise PhoneNumberError(f"“{raw}”含有电话号码中不应出现的字符：{bad}。")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") and not digits.startswith("86"):
        raise PhoneNumberError(f"“{raw}”不是中国大陆的号码（国家代码不是 +86）。")
    if text.startswith("00") and not digits.startswith("0086"):
        raise PhoneNumberError(f"“{raw}”不是中国大陆的号码（国际冠码后不是 86）。")
    if text.startswith("+") or digits.startswith("0086"):
        digits = "0" + digits[4:] if digits.startswith("0086") else "0" + digits[2:]
        if len(digits) == 12 and digits[1:3] in _MOBILE_PREFIXES:
            digits = digits[1:]  # +86 138… is a mobile number, not 0138…
    if len(digits) < 3:
        raise PhoneNumberError(f"“{raw}”位数太少，不是电话号码。")

    if not digits.startswith("0") and len(digits) <= 6:
        return _short(raw, digits, extension)
    if not digits.startswith("0") and not digits.startswith(_NON_GEOGRAPHIC_PREFIXES):
        if len(digits) in SUBSCRIBER_DIGITS:
            return _complete_local(raw, digits, extension, area_codes)
    return _full(raw, digits, extension)


def _short(raw: str, digits: str, extension: str) -> Phone:
    if not _is_short_number(digits):
        raise PhoneNumberError(f"“{raw}”既不是完整的电话号码，也不是已知的短号码（如 12393、12345）。")
    if extension:
        raise PhoneNumberError(f"短号码“{digits}”不能带分机号。")
    return Phone(number=digits, display=digits, kind=KIND_SHORT)


def _complete_local(raw: str, digits: str, extension: str, area_codes: Sequence[str]) -> Phone:
    if not area_codes:
        raise PhoneNumberError(f"“{raw}”缺少区号，且记录没有可确定区号的所属地区；请写成“区号-号码”的形式。")
    for area_code in area_codes:
        try:
            phone = _full(raw, "0" + area_code + digits, extension)
        except PhoneNumberError:
            continue
        return Phone(
            number=phone.number,
            display=phone.display,
            kind=phone.kind,
            area_code=phone.area_code,
            extension=extension,
            completed=True,
        )
    codes = "、".join("0" + c for c in area_codes)
    raise PhoneNumberError(f"“{raw}”缺少区号，补上所属地区的区号（{codes}）后仍不是有效号码。")


def split_area_code(digits: str) -> tuple[str, str]:
    """``0759…`` → ("759", "…"). Area codes are 010 and 02x (two digits) or three digits otherwise."""
    length = 2 if digits[1] in "12" else 3
    return digits[1 : 1 + length], digits[1 + length :]


def _is_short_number(digits: str) -> bool:
    if not digits or len(digits) > 6:
        return False
    return shortnumberinfo.is_valid_short_number_for_region(phonenumbers.parse(digits, REGION), REGION)


def _full(raw: str, digits: str, extension: str) -> Phone:
    area_code = subscriber = ""
    if digits.startswith("0"):
        area_code, subscriber = split_area_code(digits)
        if _is_short_number(subscriber):
            raise PhoneNumberError(
                f"“{raw}”是区号 0{area_code} 加短号码 {subscriber}：短号码不加区号拨打，请只写 {subscriber}。"
            )
        if len(subscriber) not in SUBSCRIBER_DIGITS:
            raise PhoneNumberError(
                f"“{raw}”区号 0{area_code} 后的号码有 {len(subscriber)} 位，固定电话应为 7 或 8 位。"
            )
    try:
        number = phonenumbers.parse(digits, REGION)
    except phonenumbers.NumberParseException as exc:
        raise PhoneNumberError(f"“{raw}”无法识别为电话号码。") from exc
    valid = phonenumbers.is_valid_number_for_region(number, REGION)
    geographic = not area_code or (
        valid and _area_code_length(number, area_code, subscriber) == len(area_code)
    )
    if not valid or not geographic:
        if area_code:
            raise PhoneNumberError(f"“{raw}”不是有效的固定电话：区号 0{area_code} 不存在或号码不在其号段内。")
        if digits.startswith("1") and len(digits) == 11:
            raise PhoneNumberError(f"“{raw}”不是有效的手机号码（号段不存在）。")
        raise PhoneNumberError(f"“{raw}”不是有效的中国电话号码（位数或号段不对）。")
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if area_code:
        return Phone(
            number=e164,
            display=f"0{area_code}-{subscriber}",
            kind=KIND_FIXED,
            area_code=area_code,
            extension=extension,
        )
    if phonenumbers.number_type(number) in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return Phone(number=e164, display=str(number.national_number), kind=KIND_MOBILE, extension=extension)
    display = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL).replace(" ", "-")
    return Phone(number=e164, display=display, kind=KIND_SERVICE, extension=extension)


# For a valid number, the length phonenumbers gives its area code depends on the area code and the
# subscriber number's length alone (tests/cms/verification/test_phones.py checks every area code), and
# asking costs a third of a parse: the re-check job parses 100,000 numbers a night.
_AREA_CODE_LENGTHS: dict[tuple[str, int], int] = {}


def _area_code_length(number: phonenumbers.PhoneNumber, area_code: str, subscriber: str) -> int:
    key = (area_code, len(subscriber))
    length = _AREA_CODE_LENGTHS.get(key)
    if length is None:
        length = _AREA_CODE_LENGTHS[key] = phonenumbers.length_of_geographical_area_code(number)
    return length


def display_with_extension(phone: Phone) -> str:
    return f"{phone.display}转{phone.extension}" if phone.extension else phone.display
