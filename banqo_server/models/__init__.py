"""The database tables (SQLAlchemy 2 typed ORM)."""

from banqo_server.models.account import Account
from banqo_server.models.activity import ActivityEntry
from banqo_server.models.base import Base, UTCDateTime, new_id
from banqo_server.models.billing import ChargeAttempt, Invoice, InvoiceSequence, PaymentCard, Subscription
from banqo_server.models.goals import CatalogueGoal, CatalogueState, Goal, Learner, LearnerGoal
from banqo_server.models.plans import Plan, PlanGoal, PlanReview, ProgressEntry, ReviewDecision
from banqo_server.models.security import PasswordReset, RecoveryCode
from banqo_server.models.session import AccountSession
from banqo_server.models.support import SupportMessage
from banqo_server.models.throttle import SignInThrottle

__all__ = [
    "Account",
    "AccountSession",
    "ActivityEntry",
    "Base",
    "CatalogueGoal",
    "ChargeAttempt",
    "CatalogueState",
    "Goal",
    "Invoice",
    "InvoiceSequence",
    "Learner",
    "LearnerGoal",
    "PasswordReset",
    "Plan",
    "PlanGoal",
    "PlanReview",
    "ProgressEntry",
    "ReviewDecision",
    "PaymentCard",
    "RecoveryCode",
    "SignInThrottle",
    "Subscription",
    "SupportMessage",
    "UTCDateTime",
    "new_id",
]
