"""``/me``: the signed-in account."""

from fastapi import APIRouter

from banqo_server.deps import ApiRoute, CurrentSession, DbSession, SettingsDep, quick
from banqo_server.problems import responses
from banqo_server.routes.views import activity_view
from banqo_server.services import accounts, billing, plans
from banqo_server.services.billing_views import card_view, subscription_view
from banqo_tui.api.models import LastSignIn, Summary, SummaryCounts

router = APIRouter(prefix="/me", tags=["me"], route_class=ApiRoute)


@router.get("/summary", response_model=Summary, summary="Your summary", responses=responses(401))
@quick
def summary(current: CurrentSession, db: DbSession, settings: SettingsDep) -> Summary:
    """« Votre résumé »: name, counts, the previous sign-in, the latest activity, the subscription and the card
    (for its notices: trial end, payment declined, card expiring, data deletion date), and the open plans whose
    review is overdue or due within 30 days, soonest first."""
    data = accounts.summary(db, current)
    notices = plans.review_notices(db, current.account_id, plans.today(settings))
    subscription = billing.subscription_of(db, settings, current.account_id)
    goal_count, learner_count = accounts.collection_counts(db, current.account_id)
    card = billing.card_of(db, current.account_id)
    db.commit()  # an account from before billing may just have got its trial
    previous = data.last_sign_in
    return Summary(
        first_name=data.account.first_name,
        last_name=data.account.last_name,
        email=data.account.email,
        counts=SummaryCounts(
            goals=goal_count,
            learners=learner_count,
            plans_open=notices.open,
            plans_due_soon=notices.due_soon,
            plans_overdue=notices.overdue,
        ),
        last_sign_in=LastSignIn(at=previous.created_at, device=previous.device) if previous else None,
        recent_activity=[
            activity_view(entry) for entry in data.recent_activity
        ],
        subscription=subscription_view(settings, subscription),
        card=card_view(settings, card),
        plans_to_review=notices.to_review,
        time_zone=settings.seller_timezone,
    )
