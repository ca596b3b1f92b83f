from .content import Article, Category, Hospital, HospitalKind, HospitalLevel, HospitalPhone, Hotline, Purpose
from .history import FactCheck, Flag, FlagKind, Method, RefusedEdit, Revision, Subject, TransitionLog, Verdict
from .imports import DumpImport
from .live import LiveArticle, LiveClock, LiveHospital, LiveHotline, LiveRemoval
from .regions import Region, RegionAreaCode, RegionLevel
from .sources import Source
from .verification import PhoneKind, VerificationStatus

__all__ = [
    "Article",
    "Category",
    "DumpImport",
    "FactCheck",
    "Flag",
    "FlagKind",
    "Hospital",
    "HospitalKind",
    "HospitalLevel",
    "HospitalPhone",
    "Hotline",
    "LiveArticle",
    "LiveClock",
    "LiveHospital",
    "LiveHotline",
    "LiveRemoval",
    "Method",
    "PhoneKind",
    "Purpose",
    "RefusedEdit",
    "Region",
    "RegionAreaCode",
    "RegionLevel",
    "Revision",
    "Source",
    "Subject",
    "TransitionLog",
    "Verdict",
    "VerificationStatus",
]
