"""Monev periods, evaluation campaigns, deadlines and their reminders (design section 6).

A deadline is a row (a monev period of a verified innovation, or one innovation's share of an
admin's campaign). Its reminders are rows too, unique per (deadline, revision, offset,
recipient): planned when the deadline is made, claimed atomically by the sweep, marked sent
once delivered. Moving a deadline bumps its revision and plans a fresh set.

This package is used as ``from models.services import monev`` (``monev.X``); its public names
are imported here from the submodules that hold them:

- ``_common``: ``MonevError`` and the planning of reminder rows shared by the others;
- ``periods``: opening monev periods (``open_periods``, ``open_monev_periods``,
  ``ensure_monev_periods``), ``monev_key``, ``period_of_deadline``;
- ``deadlines``: what a deadline still needs (``still_needed``, ``missing_of``,
  ``campaign_satisfied``), closing one (``close_deadline``, ``settle_if_not_needed``),
  ``open_deadline_of``;
- ``recipients``: who is told (``notice_recipients``, ``Recipients``, ``verifiers_of_unit``,
  ``admin_users``);
- ``escalation``: planning the verifikators' and admins' reminders of an unmet deadline;
- ``reminders``: the sweep's side (``claim_due``, ``Claim``, ``load_reminders``,
  ``mark_sent``, ``mark_finished``, ``release_for_retry``, ``mark_unreachable``);
- ``extensions``: ``snooze``, ``request_extension``, ``may_decide``, ``decide_extension``,
  ``move_deadline``;
- ``reports``: ``ReportInput``, ``MONEV_STATUSES``, ``STOPPED``, ``open_monev_deadlines``,
  ``submit_report``;
- ``campaigns``: ``create_campaign``, ``list_campaigns``, ``CampaignSummary``,
  ``cancel_campaign``, ``get_campaign``, ``campaign_concerns``, ``missing_indicators``,
  ``CAMPAIGN_SCOPES``, ``INDICATORS``;
- ``schedules``: the /jadwal reads (``open_deadlines``, ``overdue_by_unit``,
  ``next_deadline``).

The submodules import one way only: ``_common`` and ``recipients`` first, then ``periods``,
``deadlines`` and ``escalation``, then the rest.
"""

from models.services.monev._common import INDICATORS, MonevError
from models.services.monev.campaigns import (
    CAMPAIGN_SCOPES,
    CampaignSummary,
    campaign_concerns,
    cancel_campaign,
    create_campaign,
    get_campaign,
    list_campaigns,
    missing_indicators,
    settle_indicators,
)
from models.services.monev.deadlines import (
    SUBMITTED,
    campaign_satisfied,
    close_deadline,
    is_indicator_campaign,
    missing_of,
    open_deadline_of,
    settle_if_not_needed,
    still_needed,
)
from models.services.monev.extensions import (
    decide_extension,
    may_decide,
    move_deadline,
    request_extension,
    snooze,
)
from models.services.monev.periods import (
    ensure_monev_periods,
    monev_key,
    open_monev_periods,
    open_periods,
    period_of_deadline,
)
from models.services.monev.recipients import (
    Recipients,
    admin_users,
    notice_recipients,
    verifiers_of_unit,
)
from models.services.monev.reminders import (
    Claim,
    claim_due,
    load_reminders,
    mark_finished,
    mark_sent,
    mark_undelivered,
    mark_unreachable,
    release_for_retry,
    requeue_undelivered,
)
from models.services.monev.reports import (
    MONEV_STATUSES,
    STOPPED,
    ReportInput,
    open_monev_deadlines,
    submit_report,
)
from models.services.monev.schedules import next_deadline, open_deadlines, overdue_by_unit

__all__ = [
    "CAMPAIGN_SCOPES",
    "INDICATORS",
    "MONEV_STATUSES",
    "STOPPED",
    "SUBMITTED",
    "CampaignSummary",
    "Claim",
    "MonevError",
    "Recipients",
    "ReportInput",
    "admin_users",
    "campaign_concerns",
    "campaign_satisfied",
    "cancel_campaign",
    "claim_due",
    "close_deadline",
    "create_campaign",
    "decide_extension",
    "ensure_monev_periods",
    "get_campaign",
    "is_indicator_campaign",
    "list_campaigns",
    "load_reminders",
    "mark_finished",
    "mark_sent",
    "mark_undelivered",
    "mark_unreachable",
    "may_decide",
    "missing_indicators",
    "missing_of",
    "monev_key",
    "move_deadline",
    "next_deadline",
    "notice_recipients",
    "open_deadline_of",
    "open_deadlines",
    "open_monev_deadlines",
    "open_monev_periods",
    "open_periods",
    "overdue_by_unit",
    "period_of_deadline",
    "release_for_retry",
    "request_extension",
    "requeue_undelivered",
    "settle_if_not_needed",
    "settle_indicators",
    "snooze",
    "still_needed",
    "submit_report",
    "verifiers_of_unit",
]
