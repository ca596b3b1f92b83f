from .content import Article, Category, Hospital, HospitalKind, HospitalLevel, HospitalPhone, Hotline, Purpose
from .findings import (
    ComparisonKey,
    Finding,
    FindingField,
    FindingStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Severity,
)
from .history import FactCheck, Flag, FlagKind, Method, RefusedEdit, Revision, Subject, TransitionLog, Verdict
from .imports import DumpImport
from .jobs import CheckKind, CheckOutcome, Job, JobRun, NumberCheck, NumberState, RunStatus, Trigger
from .live import LiveArticle, LiveClock, LiveHospital, LiveHotline, LiveRemoval
from .regions import Region, RegionAreaCode, RegionLevel
from .sources import Source
from .verification import PhoneKind, VerificationStatus

__all__ = [
    "Article",
    "Category",
    "CheckKind",
    "CheckOutcome",
    "ComparisonKey",
    "DumpImport",
    "FactCheck",
    "Finding",
    "FindingField",
    "FindingStatus",
    "Flag",
    "FlagKind",
    "Hospital",
    "HospitalKind",
    "HospitalLevel",
    "HospitalPhone",
    "Hotline",
    "Job",
    "JobRun",
    "LiveArticle",
    "LiveClock",
    "LiveHospital",
    "LiveHotline",
    "LiveRemoval",
    "Method",
    "NumberCheck",
    "NumberState",
    "PhoneKind",
    "Proposal",
    "ProposalKind",
    "ProposalStatus",
    "Purpose",
    "RefusedEdit",
    "Region",
    "RegionAreaCode",
    "RegionLevel",
    "Revision",
    "RunStatus",
    "Severity",
    "Source",
    "Subject",
    "TransitionLog",
    "Trigger",
    "Verdict",
    "VerificationStatus",
]
