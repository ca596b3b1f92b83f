from .content import Article, Category, Hospital, HospitalKind, HospitalLevel, HospitalPhone, Hotline, Purpose
from .imports import DumpImport
from .regions import Region, RegionAreaCode, RegionLevel
from .sources import Source
from .verification import PhoneKind, VerificationStatus

__all__ = [
    "Article",
    "Category",
    "DumpImport",
    "Hospital",
    "HospitalKind",
    "HospitalLevel",
    "HospitalPhone",
    "Hotline",
    "PhoneKind",
    "Purpose",
    "Region",
    "RegionAreaCode",
    "RegionLevel",
    "Source",
    "VerificationStatus",
]
