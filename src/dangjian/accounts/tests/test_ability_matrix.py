"""Route × ability × role: every route names the ability it needs, and every role of the cast
is let in exactly where it holds that ability.

The route list is read from the URL resolver, so a new route without an entry in `ROUTES`
fails `test_every_route_has_an_entry` until someone decides which ability it needs. Each route
is requested once per role (as that role, on the cast's branch 东街社区党支部 or its objects):
let in means neither 403 nor 404; refused means 404 when the role does not even see the object
and 403 when it sees it without the ability.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.accounts.abilities import Ability, GlobalAbility
from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.accounts.tests.test_scope_matrix import all_routes
from dangjian.conftest import PASSWORD
from dangjian.core.models import Notification
from dangjian.documents.services import upload_document
from dangjian.documents.tests.conftest import PDF

A, G = Ability, GlobalAbility
LOGIN = "login"  # any logged-in user (the page shows only what the user's scope holds)
PUBLIC = "public"
OWNER = "owner"  # the export file's owner only
SELF = "self"  # a member's own login only (申请转接本人组织关系)


@dataclass(frozen=True)
class Route:
    ability: str
    target: str | None = None  # the object of the URL: org, member, event, poll, …
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    own: bool = False  # a member may also act on their own record (查看本人完整信息)
    # what a user holding the ability gets when the object is not ready for it (计票单 of a
    # poll not yet counted: 404); None means any answer but 401/403/404/5xx
    allowed_status: int | None = None


ROUTES: dict[str, Route] = {
    "core:home": Route(LOGIN),
    "core:notifications": Route(LOGIN),
    # one's own notifications only: another user's id changes nothing and redirects
    "core:notification-read": Route(LOGIN, "notification", "post"),
    "core:notifications-read-all": Route(LOGIN, method="post"),
    # 规则参数: public texts and settings, no personal data: every login, members included
    "core:rules": Route(LOGIN),
    # 录入规则参数修订: the 系统管理员 only (a GET shows the form, nothing is written)
    "core:rule-revise": Route(G.MANAGE_ACCOUNTS),
    "rule-list": Route(LOGIN),
    "rule-revise": Route(G.MANAGE_ACCOUNTS, method="post", allowed_status=400),
    "accounts:login": Route(PUBLIC),
    # 健康检查: probes carry no login; the answers name checks, never data
    "health": Route(PUBLIC, allowed_status=503),  # no worker runs in the test: not ready
    "health-live": Route(PUBLIC),
    "accounts:logout": Route(PUBLIC, method="post"),
    "accounts:password-change": Route(LOGIN),
    "accounts:users": Route(G.MANAGE_ACCOUNTS),
    "accounts:user-toggle": Route(G.MANAGE_ACCOUNTS, "user", "post"),
    "accounts:user-reset-password": Route(G.MANAGE_ACCOUNTS, "user", "post"),
    "accounts:grants": Route(G.MANAGE_GRANTS),
    "accounts:grant-revoke": Route(G.MANAGE_GRANTS, "grant", "post"),
    # 两步验证: one's own (the matrix runs with DANGJIAN_2FA=optional, nobody enrolled: the
    # code page sends to 工作台), and the 安全管理员's list and reset
    "accounts:otp": Route(LOGIN),
    "accounts:otp-enrol": Route(LOGIN),
    "accounts:otp-verify": Route(LOGIN),
    "accounts:otp-recovery-codes": Route(LOGIN),
    "accounts:otp-accounts": Route(G.MANAGE_GRANTS),
    "accounts:otp-reset": Route(G.MANAGE_GRANTS, "user", "post"),
    # 接口令牌: one's own token, for the offices that connect other systems
    "accounts:api-token": Route(G.USE_API),
    "members:account": Route(A.MANAGE_ACCOUNTS_OF_MEMBERS, "member"),
    "members:accounts": Route(A.MANAGE_ACCOUNTS_OF_MEMBERS, "org"),
    "documents:upload": Route(A.EDIT_MEMBERS, "upload", "post", {"kind": "其他材料"}),
    "documents:document-download": Route(A.VIEW_MEMBERS, "document"),
    "document-list": Route(LOGIN),  # lists only what the user's scope holds
    "document-detail": Route(A.VIEW_MEMBERS, "document"),
    "document-download": Route(A.VIEW_MEMBERS, "document"),
    "members:account-unlink": Route(A.MANAGE_ACCOUNTS_OF_MEMBERS, "member", "post"),
    "audit:list": Route(G.READ_AUDIT),
    "orgs:tree": Route(LOGIN),
    "orgs:detail": Route(A.VIEW_MEMBERS, "org"),
    "orgs:children": Route(A.VIEW_MEMBERS, "org"),
    "orgs:create": Route(A.MANAGE_ORGS, "org"),
    "orgs:edit": Route(A.MANAGE_ORGS, "org"),
    "orgs:move": Route(A.MANAGE_ORGS, "org"),
    "orgs:merge": Route(A.MANAGE_ORGS, "org"),
    "orgs:dissolve": Route(A.MANAGE_ORGS, "org"),
    "members:list": Route(LOGIN),
    "members:create": Route(A.EDIT_MEMBERS, "anywhere"),
    "members:detail": Route(A.VIEW_MEMBERS, "member", own=True),
    "members:edit": Route(A.EDIT_MEMBERS, "member"),
    "members:reveal": Route(A.REVEAL_PERSONAL, "member", "post", own=True),
    "members:group": Route(A.EDIT_MEMBERS, "member"),
    "members:event-create": Route(A.EDIT_MEMBERS, "member"),
    "members:event-void": Route(A.EDIT_MEMBERS, "event", "post"),
    "members:probations": Route(A.REVEAL_PERSONAL, "member", "post"),  # and EDIT_MEMBERS
    "members:probation-add": Route(A.REVEAL_PERSONAL, "member", "post"),  # and EDIT_MEMBERS
    "members:probation-end": Route(A.REVEAL_PERSONAL, "probation", "post"),  # and EDIT_MEMBERS
    "rosters:home": Route(A.IMPORT_ROSTERS, "anywhere"),
    "rosters:template": Route(A.IMPORT_ROSTERS, "anywhere"),
    "rosters:upload": Route(A.IMPORT_ROSTERS, "anywhere", "post"),
    "rosters:batch": Route(A.IMPORT_ROSTERS, "batch"),
    "rosters:batch-file": Route(A.REVEAL_PERSONAL, "batch"),  # full ID numbers
    "rosters:batch-confirm": Route(A.IMPORT_ROSTERS, "batch", "post"),
    "rosters:batch-undo": Route(A.IMPORT_ROSTERS, "batch", "post"),
    "rosters:export": Route(LOGIN, method="post"),
    "rosters:export-job": Route(OWNER, "export"),
    "rosters:export-download": Route(OWNER, "export"),
    "rosters:member-sheet": Route(A.VIEW_MEMBERS, "member", own=True),
    "rosters:org-roster": Route(A.VIEW_MEMBERS, "org"),
    "stats:report": Route(A.VIEW_MEMBERS, "anywhere"),
    "stats:coverage": Route(A.VIEW_MEMBERS, "anywhere"),
    "stats:report-xlsx": Route(A.VIEW_MEMBERS, "anywhere"),
    "stats:query": Route(A.VIEW_MEMBERS, "anywhere"),
    "stats:query-xlsx": Route(A.VIEW_MEMBERS, "anywhere"),
    "stats:query-members": Route(A.VIEW_MEMBERS, "anywhere"),
    "votes:list": Route(LOGIN),
    "votes:create": Route(A.RUN_VOTES, "anywhere"),
    "votes:detail": Route(A.VIEW_MEMBERS, "poll", own=True),
    "votes:turnout": Route(A.VIEW_MEMBERS, "poll", own=True),
    "votes:reorder": Route(A.RUN_VOTES, "poll", "post"),
    "votes:poll-open": Route(A.RUN_VOTES, "poll", "post"),
    "votes:poll-close": Route(A.RUN_VOTES, "poll", "post"),
    "votes:attendance": Route(A.RUN_VOTES, "poll", "post"),
    "votes:written-opinion": Route(A.RUN_VOTES, "poll", "post"),
    "votes:paper-ballot": Route(A.RUN_VOTES, "poll", "post"),
    "votes:paper-counts": Route(A.RUN_VOTES, "poll", "post"),
    "votes:recount": Route(A.RUN_VOTES, "poll", "post"),
    "votes:next-round": Route(A.RUN_VOTES, "poll", "post"),
    "votes:record-pdf": Route(A.RUN_VOTES, "poll", allowed_status=404),
    "votes:vote": Route(A.VIEW_MEMBERS, "token", own=True),
    # 组织关系转接: "transfer" is 李明's issued letter from the branch to another system (the
    # branch sends); "incoming" is 王芳's issued letter from 河口村党支部 to the branch (the
    # branch receives). Steps not open in that state are refused with a message (302).
    "transfers:list": Route(LOGIN),
    "transfers:request": Route(SELF),
    "transfers:create": Route(A.EDIT_MEMBERS, "member"),
    "transfers:detail": Route(A.VIEW_MEMBERS, "transfer", own=True),
    "transfers:letter": Route(A.VIEW_MEMBERS, "transfer"),
    "transfers:accept": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfers:decline": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfers:withdraw": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfers:receipt": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfers:packet": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfers:issue": Route(A.APPROVE_TRANSFERS, "transfer", "post"),
    "transfers:refuse": Route(A.APPROVE_TRANSFERS, "transfer", "post"),
    "transfers:arrive": Route(A.EDIT_MEMBERS, "incoming", "post"),
    "transfers:return": Route(A.EDIT_MEMBERS, "incoming", "post"),
    # 四议两公开: "matter" is a proposed matter of the branch (set in a village for it); a
    # step posted without its form's fields is answered 400 by those who may take it.
    "deliberations:list": Route(LOGIN),
    "deliberations:create": Route(A.RUN_MEETINGS, "anywhere"),
    "deliberations:detail": Route(A.VIEW_MEMBERS, "matter", own=True),
    "deliberations:consult": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:send-plan": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:convene": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:poll": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:review": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:resolve": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:publish-decision": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:publish-result": Route(A.RUN_MEETINGS, "matter", "post"),
    "deliberations:record": Route(A.VIEW_MEMBERS, "matter"),
    "stations:list": Route(LOGIN),  # the stations the user's scope holds
    "stations:public": Route(PUBLIC),
    "stations:create": Route(A.MANAGE_ORGS, "anywhere"),
    "stations:detail": Route(A.VIEW_MEMBERS, "station"),
    "stations:edit": Route(A.MANAGE_ORGS, "station"),
    "stations:help-list": Route(LOGIN),
    "stations:help-create": Route(A.EDIT_MEMBERS, "anywhere"),
    "stations:help-detail": Route(A.VIEW_MEMBERS, "help"),
    "stations:help-edit": Route(A.EDIT_MEMBERS, "help"),
    # 跨系统转接: letters and packets by those who keep a register; the trust list by the
    # 安全管理员; the packet's capability URL by whoever holds the letter (no login).
    "exchange:home": Route(A.EDIT_MEMBERS, "anywhere"),
    "exchange:letter-create": Route(A.EDIT_MEMBERS, "anywhere"),
    "exchange:letter-detail": Route(A.VIEW_MEMBERS, "letter"),
    "exchange:packet-import": Route(A.EDIT_MEMBERS, "anywhere"),
    "exchange:packet-detail": Route(A.VIEW_MEMBERS, "packet"),
    "exchange:packet-withdraw": Route(A.EDIT_MEMBERS, "packet", "post"),
    "exchange:packet-export": Route(A.EDIT_MEMBERS, "member"),
    "exchange:packet-download": Route(PUBLIC, "packet_token"),
    "exchange:installations": Route(G.MANAGE_GRANTS),
    "exchange:installation-revoke": Route(G.MANAGE_GRANTS, "installation", "post"),
    # 民主评议党员: "appraisal" is the branch's appraisal of this year (李明 is in it, so he sees
    # it and his own "entry"); "disposition" is a 组织处置 of 李明 approved by 城关镇 党委.
    # 发展党员: "applicant" is a file on the branch, waiting for its 谈话 (a branch step).
    "recruitment:list": Route(LOGIN),  # lists only what the user's scope holds and their own
    "recruitment:new": Route(A.EDIT_MEMBERS, "anywhere"),
    "recruitment:detail": Route(A.VIEW_MEMBERS, "applicant"),
    "recruitment:step": Route(A.EDIT_MEMBERS, "applicant_step"),
    # 支部党员大会表决计票: not a step; on a file with no vote under way it says so and redirects
    "recruitment:count": Route(A.RUN_VOTES, "applicant", "post"),
    "recruitment:worklist": Route(A.VIEW_MEMBERS, "anywhere"),  # 工作清单 of the user's scope
    "recruitment:mine": Route(LOGIN),  # the user's own file only (a note when there is none)
    "recruitment:link-account": Route(A.EDIT_MEMBERS, "applicant"),
    # 发展对象公示 PDF: before the 预审 (as the matrix's file is) it says so and redirects
    "recruitment:notice": Route(A.VIEW_MEMBERS, "applicant"),
    # 思想汇报: the branch; 培养考察: the branch, or the file's 培养联系人 (none in this world)
    "recruitment:report-new": Route(A.EDIT_MEMBERS, "applicant"),
    "recruitment:assessment-new": Route(A.EDIT_MEMBERS, "applicant"),
    "recruitment:full-record": Route(A.VIEW_MEMBERS, "applicant"),  # 全程纪实表, audited
    "recruitment:report-edit": Route(A.EDIT_MEMBERS, "applicant_report"),
    "recruitment:assessment-edit": Route(A.EDIT_MEMBERS, "applicant_assessment"),
    "appraisal:list": Route(LOGIN),  # lists only what the user's scope holds and his own
    "appraisal:start": Route(A.RUN_MEETINGS, "anywhere"),
    "appraisal:detail": Route(A.VIEW_MEMBERS, "appraisal", own=True),
    "appraisal:peer-review": Route(A.RUN_MEETINGS, "appraisal", "post"),
    "appraisal:hold-test": Route(A.RUN_VOTES, "appraisal", "post"),
    "appraisal:count-test": Route(A.RUN_VOTES, "appraisal", "post"),
    "appraisal:record-test": Route(A.RUN_VOTES, "appraisal", "post"),
    "appraisal:rate": Route(A.EDIT_MEMBERS, "appraisal"),
    "appraisal:publish": Route(A.RUN_MEETINGS, "appraisal", "post"),
    "appraisal:apply": Route(A.EDIT_MEMBERS, "appraisal", "post"),
    "appraisal:sheet": Route(A.VIEW_MEMBERS, "appraisal"),
    "appraisal:entry": Route(A.RUN_MEETINGS, "entry", own=True),  # 个人自评: self or branch
    "appraisal:entry-peer": Route(A.RUN_MEETINGS, "entry", "post"),
    "appraisal:dispositions": Route(LOGIN),
    "appraisal:disposition": Route(A.VIEW_MEMBERS, "disposition"),
    "appraisal:d-set-deadline": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:d-correct": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:d-propose": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:d-hear-member": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:d-put-to-vote": Route(A.RUN_VOTES, "disposition", "post"),
    "appraisal:d-count": Route(A.RUN_VOTES, "disposition", "post"),
    "appraisal:d-decide": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:d-approve": Route(A.APPROVE_DISPOSITIONS, "disposition", "post"),
    "appraisal:d-refuse": Route(A.APPROVE_DISPOSITIONS, "disposition", "post"),
    "appraisal:d-refuses-advice": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:d-record-exit": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:d-withdraw": Route(A.EDIT_MEMBERS, "disposition", "post"),
    "appraisal:lapses": Route(LOGIN),  # lists only the user's branches
    "appraisal:lapse-propose": Route(A.EDIT_MEMBERS, "member", "post"),
    "mobile:list": Route(LOGIN),  # lists only what the user's scope holds
    "mobile:create": Route(A.EDIT_MEMBERS, "member"),
    "mobile:detail": Route(A.VIEW_MEMBERS, "stay", own=True),
    "mobile:contact": Route(A.EDIT_MEMBERS, "stay", "post"),
    "mobile:participation": Route(A.EDIT_MEMBERS, "stay", "post"),  # the destination's, or
    "mobile:return": Route(A.EDIT_MEMBERS, "stay", "post"),  # the home side's when outside
    "mobile:permit": Route(A.EDIT_MEMBERS, "stay", "post"),
    "mobile:permit-pdf": Route(A.EDIT_MEMBERS, "stay"),
    "mobile:information": Route(A.VIEW_MEMBERS, "anywhere"),
    "mobile:information-export": Route(A.VIEW_MEMBERS, "anywhere"),
    "meetings:list": Route(LOGIN),  # lists only what the user's scope holds
    "meetings:create": Route(A.RUN_MEETINGS, "anywhere"),
    "meetings:detail": Route(A.VIEW_MEMBERS, "meeting", own=True),  # 李明 is invited
    "meetings:edit": Route(A.RUN_MEETINGS, "meeting"),
    "meetings:notice": Route(A.RUN_MEETINGS, "meeting", "post"),
    "meetings:cancel": Route(A.RUN_MEETINGS, "meeting", "post"),
    "meetings:attendance": Route(A.RUN_MEETINGS, "meeting"),
    "meetings:minutes": Route(A.RUN_MEETINGS, "meeting"),
    "meetings:poll": Route(A.RUN_MEETINGS, "meeting"),  # and RUN_VOTES
    "meetings:minutes-pdf": Route(A.VIEW_MEMBERS, "meeting"),
    "meetings:register-pdf": Route(A.VIEW_MEMBERS, "org"),
    "exchange-letter-list": Route(LOGIN),
    "exchange-letter-detail": Route(A.VIEW_MEMBERS, "letter"),
    "exchange-letter-preview": Route(A.EDIT_MEMBERS, "anywhere", "post"),
    "exchange-letter-receive": Route(A.EDIT_MEMBERS, "anywhere", "post"),
    "exchange-letter-return": Route(A.EDIT_MEMBERS, "anywhere", "post"),
    "exchange-letter-import-packet": Route(A.EDIT_MEMBERS, "anywhere", "post"),
    # The API: the same abilities as the pages.
    "api-root": Route(LOGIN),
    "workbench": Route(LOGIN),
    "api-schema": Route(G.USE_API),
    "api-docs": Route(G.USE_API),
    "org-list": Route(LOGIN),
    "org-detail": Route(A.MANAGE_ORGS, "org", "patch", {"name": "东街社区党支部"}),
    "org-children": Route(A.VIEW_MEMBERS, "org"),
    "org-roster": Route(A.VIEW_MEMBERS, "org"),
    "org-move": Route(A.MANAGE_ORGS, "org", "post"),
    "org-merge": Route(A.MANAGE_ORGS, "org", "post"),
    "org-dissolve": Route(A.MANAGE_ORGS, "org", "post"),
    "member-list": Route(LOGIN),
    "member-detail": Route(A.EDIT_MEMBERS, "member", "patch", {"version": 1}),
    "member-events": Route(A.VIEW_MEMBERS, "member", own=True),
    "member-event-kinds": Route(A.EDIT_MEMBERS, "member"),
    "member-reveal": Route(A.REVEAL_PERSONAL, "member", "post", own=True),
    "roster-import-list": Route(LOGIN),
    "roster-import-detail": Route(A.IMPORT_ROSTERS, "batch"),
    "roster-import-confirm": Route(A.IMPORT_ROSTERS, "batch", "post"),
    "roster-import-undo": Route(A.IMPORT_ROSTERS, "batch", "post"),
    "poll-list": Route(LOGIN),
    "poll-detail": Route(A.VIEW_MEMBERS, "poll", own=True),
    "poll-turnout": Route(A.VIEW_MEMBERS, "poll", own=True),
    "poll-open": Route(A.RUN_VOTES, "poll", "post"),
    "poll-close": Route(A.RUN_VOTES, "poll", "post"),
    "poll-attendance": Route(A.RUN_VOTES, "poll", "post"),
    "poll-written-opinions": Route(A.RUN_VOTES, "poll", "post"),
    "poll-paper-ballots": Route(A.RUN_VOTES, "poll", "post"),
    "poll-paper-counts": Route(A.RUN_VOTES, "poll", "post"),
    "poll-recount": Route(A.RUN_VOTES, "poll", "post"),
    "poll-next-round": Route(A.RUN_VOTES, "poll", "post"),
    "poll-ballot": Route(A.VIEW_MEMBERS, "poll", "post", own=True),
    "transfer-list": Route(LOGIN),
    "transfer-detail": Route(A.VIEW_MEMBERS, "transfer", own=True),
    "transfer-accept": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfer-decline": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfer-withdraw": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfer-receipt": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfer-packet": Route(A.EDIT_MEMBERS, "transfer", "post"),
    "transfer-issue": Route(A.APPROVE_TRANSFERS, "transfer", "post"),
    "transfer-refuse": Route(A.APPROVE_TRANSFERS, "transfer", "post"),
    "transfer-arrive": Route(A.EDIT_MEMBERS, "incoming", "post"),
    "transfer-return": Route(A.EDIT_MEMBERS, "incoming", "post"),
    "stats-report": Route(A.VIEW_MEMBERS, "anywhere"),
    "stats-query": Route(A.VIEW_MEMBERS, "anywhere"),
    "stats-coverage": Route(A.VIEW_MEMBERS, "anywhere"),
    "station-list": Route(LOGIN),
    "station-detail": Route(A.MANAGE_ORGS, "station", "patch", {"version": 1}),
    "station-help-list": Route(LOGIN),
    "station-help-detail": Route(A.EDIT_MEMBERS, "help", "patch", {"version": 1}),
    # 扫码确认出席: the member's own presence only (a login without a member record, or not on
    # the meeting's list, is refused with the reason: 403); the typing form is any login's
    "meetings:scan": Route(SELF, "scan"),
    "meetings:scan-type": Route(LOGIN),
    "meetings:scan-screen": Route(A.RUN_MEETINGS, "meeting"),
    "meetings:scan-screen-code": Route(A.RUN_MEETINGS, "meeting"),
    "meetings:scan-toggle": Route(A.RUN_MEETINGS, "meeting", "post"),
    # 会议频次 (the default is the top of the user's scope) and the 年度工作计划
    "meetings:cadence": Route(A.VIEW_MEMBERS, "anywhere"),
    "meetings:cadence-export": Route(A.VIEW_MEMBERS, "anywhere"),
    "meetings:cadence-org": Route(A.VIEW_MEMBERS, "org"),
    "meetings:plan": Route(A.VIEW_MEMBERS, "org"),
    "meetings:plan-create": Route(A.RUN_MEETINGS, "org", "post"),
    "meetings:plan-generate": Route(A.RUN_MEETINGS, "org", "post"),
    "meetings:plan-item-add": Route(A.RUN_MEETINGS, "org", "post"),
    "meetings:plan-item-edit": Route(A.RUN_MEETINGS, "plan_item", "post"),
    "meetings:plan-item-delete": Route(A.RUN_MEETINGS, "plan_item", "post"),
    "recruitment-applicant-list": Route(LOGIN),  # lists only the user's scope and their own
    "recruitment-applicant-detail": Route(A.VIEW_MEMBERS, "applicant"),
    "recruitment-applicant-steps": Route(
        A.EDIT_MEMBERS, "applicant", "post", {"step": "talk", "version": 1}
    ),
    "appraisal-list": Route(LOGIN),
    "appraisal-detail": Route(A.VIEW_MEMBERS, "appraisal", own=True),
    "appraisal-steps": Route(
        A.RUN_MEETINGS, "appraisal", "post", {"step": "publish", "version": 1}
    ),
    "appraisal-lapses": Route(LOGIN),
    "appraisal-entry-detail": Route(A.RUN_MEETINGS, "entry", own=True),
    "disposition-list": Route(LOGIN),
    "disposition-detail": Route(A.VIEW_MEMBERS, "disposition"),
    "disposition-steps": Route(
        A.EDIT_MEMBERS, "disposition", "post", {"step": "set_deadline", "version": 1}
    ),
    "mobile-stay-list": Route(LOGIN),
    "mobile-stay-detail": Route(A.VIEW_MEMBERS, "stay", own=True),
    "mobile-stay-contacts": Route(A.EDIT_MEMBERS, "stay", "post"),
    "mobile-stay-participations": Route(A.EDIT_MEMBERS, "stay", "post"),
    "mobile-stay-return": Route(A.EDIT_MEMBERS, "stay", "post"),
    "mobile-information": Route(A.VIEW_MEMBERS, "anywhere"),
    "meeting-cadence": Route(A.VIEW_MEMBERS, "anywhere"),
    "meeting-cadence-org": Route(A.VIEW_MEMBERS, "org"),
    "meeting-plan": Route(A.VIEW_MEMBERS, "org"),
    "matter-list": Route(LOGIN),
    "matter-detail": Route(A.VIEW_MEMBERS, "matter", own=True),
    "matter-consult": Route(A.RUN_MEETINGS, "matter", "post"),
    "matter-send-plan": Route(A.RUN_MEETINGS, "matter", "post"),
    "matter-convene": Route(A.RUN_MEETINGS, "matter", "post"),
    "matter-review": Route(A.RUN_MEETINGS, "matter", "post"),
    "matter-resolve": Route(A.RUN_MEETINGS, "matter", "post"),
    "matter-publish-decision": Route(A.RUN_MEETINGS, "matter", "post"),
    "matter-publish-result": Route(A.RUN_MEETINGS, "matter", "post"),
    "meeting-list": Route(LOGIN),
    "meeting-detail": Route(A.VIEW_MEMBERS, "meeting", own=True),
    "meeting-attendance": Route(A.VIEW_MEMBERS, "meeting", own=True),  # PUT: RUN_MEETINGS
    "meeting-minutes": Route(A.RUN_MEETINGS, "meeting", "put"),
    "meeting-notice": Route(A.RUN_MEETINGS, "meeting", "post"),
    "meeting-cancel": Route(A.RUN_MEETINGS, "meeting", "post"),
}

BRANCH_WORK = {
    A.VIEW_MEMBERS,
    A.EDIT_MEMBERS,
    A.IMPORT_ROSTERS,
    A.RUN_VOTES,
    A.MANAGE_ACCOUNTS_OF_MEMBERS,
    A.MANAGE_DUES,
    A.MANAGE_ORGS,
    A.RUN_MEETINGS,
}
# The cast, written out: what each holds on the branch, what it holds anywhere (its own county
# for the outsider), and its 三员 abilities. A change to a role's abilities changes this table.
ON_BRANCH: dict[str, set[str]] = {
    "county_admin": BRANCH_WORK | {A.REVEAL_PERSONAL},  # 组织管理员, may unmask
    "township_admin": BRANCH_WORK,  # 组织管理员
    "secretary": BRANCH_WORK,  # 支部书记
    # 基层党委（审批）
    "dangwei": {A.VIEW_MEMBERS, A.APPROVE_RECRUITMENT, A.APPROVE_TRANSFERS, A.APPROVE_DISPOSITIONS},
    "jiwei": {A.VIEW_MEMBERS, A.RECORD_DISCIPLINE},  # 纪委
    "member_user": set(),  # 李明, a member of the branch with his own login
    "outsider": set(),  # 组织管理员 of another county
    "sysadmin": set(),
    "secadmin": set(),
    "auditadmin": set(),
}
ANYWHERE = ON_BRANCH | {"outsider": BRANCH_WORK}
GLOBAL = {
    "county_admin": {G.USE_API},
    "township_admin": {G.USE_API},
    "outsider": {G.USE_API},
    "sysadmin": {G.MANAGE_ACCOUNTS, G.USE_API},
    "secadmin": {G.MANAGE_GRANTS},
    "auditadmin": {G.READ_AUDIT},
}
CAST = list(ON_BRANCH)


def allowed(username: str, route: Route) -> bool:
    if route.ability in (PUBLIC, LOGIN):
        return True
    if route.ability == OWNER:
        return username == "county_admin"
    if route.ability == SELF:
        return username == "member_user"
    if route.ability in GlobalAbility.values:
        return route.ability in GLOBAL.get(username, set())
    if route.own and username == "member_user":
        return True
    held = ANYWHERE if route.target == "anywhere" else ON_BRANCH
    return route.ability in held[username]


def sees(username: str, route: Route) -> bool:
    """Whether the user sees the route's object (refusal is then 403, else 404)."""
    if route.target in (None, "anywhere", "user", "grant", "notification", "installation", "scan"):
        return True
    if route.target == "export":
        return username == "county_admin"
    if route.target == "batch":  # import batches are seen by those who import
        return A.IMPORT_ROSTERS in ON_BRANCH[username]
    if username == "member_user":  # his own record and his branch's poll
        return route.target in (
            "member", "event", "probation", "poll", "token", "transfer", "stay", "matter",
            "appraisal", "entry", "meeting",
        )  # fmt: skip
    return A.VIEW_MEMBERS in ON_BRANCH[username]


def _user(username: str) -> Any:
    return get_user_model().objects.create_user(username, password=PASSWORD)


@pytest.fixture
def world(cast: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """The cast, the two new roles on 城关镇 and one object of each kind on the branch."""
    settings.DANGJIAN_DOCUMENT_DIR = tmp_path / "documents"
    from dangjian.members.services import record_party_probation
    from dangjian.rosters.services import start_import
    from dangjian.rosters.testing import roster_row, xlsx
    from dangjian.votes.models import Poll
    from dangjian.votes.services import PollDraft, create_poll

    cast.dangwei, cast.jiwei = _user("dangwei"), _user("jiwei")
    grant_role(actor=None, user=cast.dangwei, role=Role.PARTY_COMMITTEE, org=cast.township,
               bootstrap=True)  # fmt: skip
    grant = grant_role(actor=None, user=cast.jiwei, role=Role.DISCIPLINE_COMMITTEE,
                       org=cast.township, bootstrap=True)  # fmt: skip
    draft = PollDraft(title="试探表决", kind=Poll.Kind.MOTION, method=Poll.Method.ONLINE,
                      preset="meeting", electorate_on=dt.date.today())  # fmt: skip
    poll = create_poll(actor=cast.secretary, organization=cast.branch, draft=draft)
    batch = start_import(actor=cast.secretary, org=cast.branch, file_name="花名册.xlsx",
                         data=xlsx([roster_row("陈建国")]))  # fmt: skip
    probation = record_party_probation(actor=cast.county_admin, member=cast.member,
                                       start_date=dt.date(2024, 1, 1), document_no="1")  # fmt: skip
    from dangjian.rosters.models import ExportJob

    export = ExportJob.objects.create(created_by=cast.county_admin, query="", total=0)
    from dangjian.transfers.services import issue_letter, start_transfer

    county_committee = _user("county_committee")  # issues 河口镇's letters (county-wide)
    grant_role(actor=None, user=county_committee, role=Role.PARTY_COMMITTEE, org=cast.county,
               bootstrap=True)  # fmt: skip
    transfer = start_transfer(actor=cast.county_admin, member=cast.member,
                              to_org_text="中共某县某村支部委员会", reason="工作调动")  # fmt: skip
    issue_letter(actor=county_committee, transfer=transfer)
    incoming = start_transfer(actor=cast.county_admin, member=cast.neighbour, to_org=cast.branch,
                              reason="迁居")  # fmt: skip
    issue_letter(actor=county_committee, transfer=incoming)
    from dangjian.stations.testing import make_help, make_station

    station = make_station(cast.secretary, cast.branch)
    from dangjian.exchange.services import export_packet, receive_letter, trust_installation
    from dangjian.exchange.signing import own_public_key
    from dangjian.exchange.tests.conftest import facts
    from dangjian.exchange.tests.conftest import incoming as incoming_letter

    settings.DANGJIAN_SIGNING_KEY_FILE = tmp_path / "keys" / "signing.pem"
    letter = receive_letter(actor=cast.secretary, letter=incoming_letter(cast.branch))
    packet = export_packet(actor=cast.secretary, member=cast.member, letter=facts())
    trusted = trust_installation(actor=cast.secadmin, name="远山县", public_key=own_public_key())
    from dangjian.mobile.services import StayData, register_stay

    away = StayData(region_code="440300", address="深圳市南山区", reason="work",
                    expected_months=3, start_on=dt.date.today() - dt.timedelta(days=5),
                    destination_text="某商会党支部")  # fmt: skip
    stay = register_stay(actor=cast.secretary, member=cast.member, data=away)
    from django.utils import timezone

    from dangjian.appraisal.models import Disposition
    from dangjian.appraisal.services import start_appraisal
    from dangjian.meetings.scan import current_code
    from dangjian.meetings.tests.scan_helpers import meeting_with_list

    appraisal = start_appraisal(actor=cast.secretary, org=cast.branch, year=dt.date.today().year,
                                on=dt.date.today())  # fmt: skip
    disposition = Disposition.objects.create(
        member=cast.member, org=cast.branch, org_path=cast.branch.path, approver=cast.township,
        approver_path=cast.township.path, source=Disposition.Source.UNQUALIFIED,
    )  # fmt: skip
    settings.DANGJIAN_SCAN_WINDOW_SECONDS = 3600  # the code stays valid while the test runs
    scan_meeting = meeting_with_list(cast.branch, [cast.member], on=timezone.localdate())
    from dangjian.meetings.plans import ItemData, add_item, create_plan

    plan = create_plan(actor=None, org=cast.branch, year=2026)
    plan_item = add_item(actor=None, plan=plan, version=plan.version,
                         data=ItemData("theme_day", dt.date(2026, 12, 20), "主题党日"))  # fmt: skip
    from dangjian.deliberations.services import MatterDraft, propose_matter
    from dangjian.orgs.models import Unit

    cast.branch.unit = Unit.objects.create(name="东街村", category=Unit.Category.VILLAGE)
    cast.branch.save(update_fields=["unit"])
    matter = propose_matter(
        actor=cast.secretary,
        org=cast.branch,
        draft=MatterDraft(
            title="修建村道", category="public_works", content="方案", proposed_on=dt.date.today()
        ),
    )
    from dangjian.meetings.services import MeetingData, schedule_meeting

    meeting = schedule_meeting(actor=cast.secretary, org=cast.branch, data=MeetingData(
        kind="general", title="试探会议", date=dt.date.today()))  # fmt: skip
    from dangjian.recruitment.services import ApplicantData, register_applicant
    from dangjian.testing import make_id_number

    born = dt.date(2000, 5, 4)
    applicant = register_applicant(actor=cast.secretary, org=cast.branch, data=ApplicantData(
        name="申请人", gender="F", ethnicity="01", birth_date=born,
        id_number=make_id_number(born, "F"), education="ba", person_category="worker",
        applied_on=dt.date.today()))  # fmt: skip
    from dangjian.recruitment.models import Assessment, Report

    entries = {
        "applicant_report": Report.objects.create(
            applicant=applicant, submitted_on=applicant.applied_on, summary="体会"
        ).pk,
        "applicant_assessment": Assessment.objects.create(
            applicant=applicant, kind="activist", assessed_on=applicant.applied_on, opinion="好"
        ).pk,
    }
    return {
        **entries,
        "applicant": applicant.pk,
        "plan_item": plan_item.pk,
        "scan": (scan_meeting.pk, current_code(scan_meeting, timezone.now())),
        "meeting": meeting.pk,
        "cast": cast,
        "org": cast.branch.pk,
        "member": cast.member.pk,
        "event": (cast.member.pk, cast.member.events.first().pk),
        "probation": probation,
        "poll": poll.pk,
        "token": poll.token,
        "batch": batch.pk,
        "export": export.pk,
        "transfer": transfer.pk,
        "incoming": incoming.pk,
        "station": station.pk,
        "help": make_help(cast.secretary, cast.member, station=station).pk,
        "letter": letter.pk,
        "packet": packet.pk,
        "packet_token": packet.token,
        "installation": trusted.pk,
        "stay": stay.pk,
        "matter": matter.pk,
        "appraisal": appraisal.pk,
        "entry": appraisal.entries.get(member=cast.member).pk,
        "disposition": disposition.pk,
        "user": cast.township_admin.pk,
        "grant": grant.pk,
        "notification": Notification.objects.create(recipient=cast.member_user, title="测试").pk,
        "document": upload_document(
            actor=cast.county_admin,
            target=cast.member,
            kind="其他材料",
            name="扫描件.pdf",
            data=PDF,
        ).pk,
    }


def url_of(name: str, route: Route, world: dict[str, Any]) -> str:
    target = route.target
    if target is None or target == "anywhere":
        return reverse(name)
    if target == "event":
        member, event = world["event"]
        return reverse(name, kwargs={"pk": member, "event_pk": event})
    if target == "probation":
        p = world["probation"]
        return reverse(name, kwargs={"pk": p.member_id, "probation_pk": p.pk})
    if target == "token":
        return reverse(name, kwargs={"token": world["token"]})
    if target == "scan":
        meeting, code = world["scan"]
        return reverse(name, kwargs={"pk": meeting, "code": code})
    if target == "packet_token":
        return reverse(name, kwargs={"token": world["packet_token"]})
    if target in ("applicant_report", "applicant_assessment"):
        kind = target.split("_")[1]
        key = {"report": "report_pk", "assessment": "entry_pk"}[kind]
        return reverse(name, kwargs={"pk": world["applicant"], key: world[target]})
    if target == "applicant_step":
        return reverse(name, kwargs={"pk": world["applicant"], "name": "talk"})
    if target == "upload":
        return reverse(name, kwargs={"label": "members.member", "pk": world["member"]})
    return reverse(name, kwargs={"pk": world[target]})


def test_every_route_has_an_entry():
    assert set(all_routes()) ^ set(ROUTES) == set()


@pytest.mark.parametrize("username", CAST)
def test_each_role_is_let_in_exactly_where_it_holds_the_ability(world, username):
    cast = world["cast"]
    user = getattr(cast, username)
    client = cast.client(user)
    wrong = []
    for name, route in sorted(ROUTES.items()):
        url = url_of(name, route, world)
        # 退出 ends the session: on a client of its own
        send = getattr(cast.client(user) if name == "accounts:logout" else client, route.method)
        kwargs = {"content_type": "application/json"} if route.method in ("patch", "put") else {}
        status = send(url, route.data, **kwargs).status_code
        if allowed(username, route) and route.allowed_status is not None:
            ok = status == route.allowed_status
        elif allowed(username, route):
            ok = status not in (401, 403, 404) and status < 500
        else:
            ok = status == (403 if sees(username, route) else 404)
        if not ok:
            wrong.append((name, route.ability, status))
    assert wrong == [], "\n".join(map(str, wrong))
