"""Content checks: findings on every revision of an article, hospital or hotline (pure: no database).

``check_item`` runs the checks that need one item, ``check_collection`` adds those that compare items
(the same body under two titles, opposite answers, one organisation with two numbers); ``extract``
proposes hotlines, hospitals, regions and policies for an editor to confirm.
"""

from .engine import check_collection, check_item
from .findings import CODES, Finding, Severity
from .items import CheckInput

__all__ = ["CODES", "CheckInput", "Finding", "Severity", "check_collection", "check_item"]
