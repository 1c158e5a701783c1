"""The statutory rule values the code reads, with sources (docs/zh/member-registry.md).

Loaded after every migrate (and every test flush) by a post_migrate handler; existing rows are
left alone, so an administrator's correction is never overwritten. A revised regulation is a
new row with a later effective date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

FOUNDING = dt.date(1921, 7, 1)
# 《中国共产党支部工作条例（试行）》, issued and in force 2018-10-28.
BRANCH_RULES = dt.date(2018, 10, 28)
# 《中国共产党发展党员工作细则》, issued and in force 2014-06-10.
DETAILED_RULES = dt.date(2014, 6, 10)

# 依据性质 (RuleValue.Basis), the optional seventh item; national law when absent.
LOCAL = (
    "local"  # a local rule or common practice, not a national text (or not yet confirmed as one)
)
SETTING = "setting"  # this system's own setting (reminder windows), not a rule at all

Seed = tuple[str, str, str, dt.date, str, str] | tuple[str, str, str, dt.date, str, str, str]

RULES: list[Seed] = [
    # key, value, unit, effective_from, source, description[, basis]
    ("admission.min_age", "18", "周岁", FOUNDING,
     "《中国共产党章程》第一章第一条；《中国共产党发展党员工作细则》(2014) 第五条",
     "申请入党须年满十八岁"),
    ("probation.months", "12", "月", FOUNDING,
     "《中国共产党章程》第七条", "预备期一年，自支部大会通过之日起计算"),
    ("probation.months", "12", "月", dt.date(1956, 9, 26),
     "《中国共产党章程》(1956，八大)：预备期一律为一年"
     "（条文号未核；据谭虎娃、高尚斌《中国共产党党员预备期嬗变研究》2010 等二手资料）",
     "八大党章取消按成分区分的预备期，一律一年"),
    ("probation.months", "0", "月", dt.date(1969, 4, 28),
     "《中国共产党章程》(1969，九大) 未规定预备期，1973 年十大党章同"
     "（据谭虎娃、高尚斌 2010 及《精读党章》；党章原文未核）",
     "九大、十大党章取消预备期：此期间入党即为正式党员，转正日期即入党日期"),
    ("probation.months", "12", "月", dt.date(1977, 8, 18),
     "十一大党章第七条：预备期为一年（据谭虎娃、高尚斌 2010 等二手资料；条文号与原文未核）",
     "十一大党章恢复预备期一年，自支部大会通过之日起计算"),
    ("probation.by_class_max_months", "24", "月", FOUNDING,
     "一大党纲至七大党章 (1945)：候补期因成分而异，六大党章 (1928) 未规定；"
     "七大党章工人等六个月、其他成分最长二年（据二手资料，原文未核）",
     "1956 年以前入党的，建档时转正日期可在入党之日至其后该月数之间（宽松处理，不按成分核对）"),
    ("probation.by_class_max_months", "0", "月", dt.date(1956, 9, 26),
     "《中国共产党章程》(1956，八大)：预备期一律一年，不再按成分区分",
     "0 表示预备期不按成分区分，按 probation.months 核对转正日期"),
    ("probation.extension_min_months", "6", "月", FOUNDING,
     "《中国共产党发展党员工作细则》(2014) 第三十四条；《中国共产党章程》第七条",
     "需要继续考察和教育的，可以延长预备期，延长时间不能少于半年"),
    ("probation.extension_max_months", "12", "月", FOUNDING,
     "《中国共产党发展党员工作细则》(2014) 第三十四条；《中国共产党章程》第七条",
     "延长预备期最长不超过一年，且只能延长一次"),
    ("probation.transfer_in_postpone_months", "6", "月", FOUNDING,
     "转入的预备党员转正问题（组织工作问答，nxjgdj.gov.cn）；条文出处待核",
     "转入的预备党员转正讨论可推迟，最长不超过六个月，转正时间仍为原预备期满之日"),
    ("organization.min_full_members", "3", "人", FOUNDING,
     "《中国共产党章程》第三十条",
     "企业、农村、机关、学校等基层单位，凡是有正式党员三人以上的，都应当成立党的基层组织"),
    ("meeting.quorum", "0.5", "比例", dt.date(2014, 6, 10),
     "《中国共产党发展党员工作细则》(2014) 第二十一条；《中国共产党支部工作条例（试行）》(2018)",
     "支部党员大会须有表决权的党员超过半数到会方可进行"),
    ("meeting.majority", "0.5", "比例", dt.date(2014, 6, 10),
     "《中国共产党发展党员工作细则》(2014) 第二十一条",
     "赞成票超过应到会有表决权的正式党员的半数，才能通过（基数为应到会）"),
    ("election.quorum", "0.8", "比例", dt.date(1990, 6, 27),
     "《中国共产党基层组织选举工作暂行条例》(1990) 第十四条；2020年《条例》沿用（条文措辞待核）",
     "进行选举时，有选举权的到会人数超过应到会人数的五分之四，会议有效"),
    ("election.majority", "0.5", "比例", dt.date(1990, 6, 27),
     "《中国共产党基层组织选举工作条例》(2020)；基层选举以实到会人数为基数",
     "被选举人获得的赞成票超过实到会有选举权人数的一半，始得当选"),
    ("election.min_surplus", "0.2", "比例", dt.date(1990, 6, 27),
     "《中国共产党基层组织选举工作暂行条例》(1990) 第十二条；2020年《条例》沿用（条文措辞待核）",
     "委员候选人的差额不少于应选人数的20%"),
    ("evaluation.excellent_cap", "0.3333", "比例", FOUNDING,
     "民主评议党员：各地通知及12371专题（“优秀等次一般不超过党员总数的三分之一”，非全国统一条文，待核）",
     "民主评议评定为优秀的党员一般不超过三分之一；超过时须主持人确认", LOCAL),
    ("appraisal.lapse_months", "6", "月", FOUNDING,
     "《中国共产党章程》第九条：党员如果没有正当理由，连续六个月不参加党的组织生活，或不交纳党费，"
     "或不做党所分配的工作，就被认为是自行脱党",
     "连续不参加组织生活满该月数（无正当理由）的党员列入自行脱党名单，由支部大会决定除名"),
    # 四议两公开 (issue 14; rules.md §6). The 党员大会 thresholds are local implementing rules
    # (UNCONFIRMED nationally); the 村民会议 / 村民代表会议 figures are statutory.
    ("fourtwo.member_notice_days", "3", "天", FOUNDING,
     "各地“四议两公开”实施办法（如“提前3天将方案送达全体党员”；非全国统一条文，待核）",
     "党员大会审议前，方案至少提前该天数送达党员（会议日期减送达日期不少于该天数）", LOCAL),
    ("fourtwo.member_quorum", "0.6667", "比例", FOUNDING,
     "各地“四议两公开”实施办法（党员大会须有三分之二以上党员到会；非全国统一条文，待核）",
     "审议村级重大事项的党员大会，到会党员不少于应到会的该比例（达到即可）", LOCAL),
    ("fourtwo.member_majority", "0.5", "比例", FOUNDING,
     "各地“四议两公开”实施办法（赞成票超过应到会党员半数；与《中国共产党支部工作条例（试行）》"
     "第十二条表决规则一致；非全国统一条文，待核）",
     "审议村级重大事项，赞成票须超过应到会党员的该比例", LOCAL),
    ("fourtwo.merge_when_one_person", "1", "是/否", FOUNDING,
     "各地“四议两公开”实施办法（村党组织书记兼任村委会主任的，党组织提议与“两委”商议可合并进行；"
     "非全国统一条文，待核）",
     "1：“一肩挑”的村可将提议与商议合并（不单独记录商议）；0：不允许合并", LOCAL),
    ("fourtwo.result_reminder_days", "90", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）",
     "决议公开满该天数仍未公开实施结果的，工作台提醒公开实施结果", SETTING),
    ("villager.meeting_quorum", "0.5", "比例", dt.date(1998, 11, 4),
     "《中华人民共和国村民委员会组织法》(2010年修订) 第二十二条（1998年版第十七条）",
     "召开村民会议，应当有本村十八周岁以上村民的过半数参加（须超过该比例）"),
    ("villager.household_quorum", "0.6667", "比例", dt.date(1998, 11, 4),
     "《中华人民共和国村民委员会组织法》(2010年修订) 第二十二条（1998年版第十七条）",
     "或者有本村三分之二以上的户的代表参加（达到该比例即可）"),
    ("villager.majority", "0.5", "比例", dt.date(1998, 11, 4),
     "《中华人民共和国村民委员会组织法》(2010年修订) 第二十二条、第二十六条",
     "村民会议、村民代表会议所作决定应当经到会人员的过半数通过（须超过该比例）"),
    ("villager.rep_quorum", "0.6667", "比例", dt.date(2010, 10, 28),
     "《中华人民共和国村民委员会组织法》(2010年修订) 第二十六条",
     "村民代表会议有三分之二以上的组成人员参加方可召开（达到该比例即可）"),
    # 工作台 reminders: how far ahead a due date is shown. Working practice, not a statutory
    # limit; kept here so an installation changes it as a dated value, not in code.
    ("reminder.probation_days", "30", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）；《中国共产党发展党员工作细则》(2014) 第三十三条："
     "预备期满，党支部应当及时讨论其能否转为正式党员",
     "工作台提前提醒预备期满的天数", SETTING),
    ("reminder.term_days", "90", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）；《中国共产党基层组织选举工作条例》(2020)："
     "基层党组织任期届满应当按期进行换届选举",
     "工作台提前提醒党组织任期届满（应换届）的天数", SETTING),
    # 组织关系转接 (transfers). The letter's validity is UNCONFIRMED nationally: sources say
    # "generally ≤ 3 months", some "≤ 6 months across provinces", unit rules less.
    ("transfer.letter_validity_months", "3", "月", FOUNDING,
     "《中国共产党党员教育管理工作条例》(2019) 第二十五条规定组织关系转接，未规定介绍信有效期；"
     "常见说法“介绍信有效期一般不超过3个月”（全国统一条文待核，见 rules.md §5）",
     "组织关系介绍信的有效期（自开具之日起的月数，到期日当天仍有效）", LOCAL),
    ("transfer.expiry_warning_days", "7", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）",
     "工作台提前提醒组织关系介绍信将到期的天数（转出方和接收方都提醒）", SETTING),
    ("transfer.receipt_overdue_days", "30", "天", FOUNDING,
     "工作惯例：回执一般在一个月内寄回开具介绍信的党委（非全国统一条文，见 practice.md）",
     "转往系统外的介绍信开具后该天数内未收回回执的，工作台提示回执逾期", LOCAL),
    # 流动党员 (issue 13; rules.md §5).
    ("mobile.contact_overdue_days", "90", "天", FOUNDING,
     "《中国共产党党员教育管理工作条例》(2019) 第二十六条：流出地党组织应当与流动党员经常保持联系"
     "（“经常”未规定天数；90 天为本系统提醒设置，条文号待核）",
     "超过该天数未与流动党员联系的，提醒流出地党组织", SETTING),
    ("mobile.lost_contact_months", "6", "月", FOUNDING,
     "中组部《关于加强和改进流动党员管理工作的意见》(2006)：与党组织失去联系 6 个月以上、"
     "经查找仍无法取得联系的党员，按停止党籍处理（条文措辞待核）；《中国共产党章程》第九条",
     "失去联系满该月数的，提示可启动停止党籍程序（不自动处理）"),
    ("mobile.transfer_after_months", "6", "月", FOUNDING,
     "《中国共产党党员教育管理工作条例》(2019) 第二十五条：外出学习、工作、生活在 6 个月以上"
     "并且地点相对固定的，应当转移组织关系",
     "在一地外出满该月数的，提示转移组织关系"),
    ("mobile.permit_max_months", "6", "月", FOUNDING,
     "中组部《关于试行〈流动党员活动证〉制度的通知》：发给短期外出（6 个月以内）"
     "或长期外出但暂时无法转移组织关系的党员",
     "预计外出不超过该月数的（或暂时无法转移组织关系的）可发放流动党员活动证"),
    ("mobile.permit_valid_months", "12", "月", FOUNDING,
     "中组部《关于试行〈流动党员活动证〉制度的通知》：活动证每年查验（有效期全国未统一，待核）",
     "流动党员活动证默认有效期", LOCAL),
    ("mobile.permit_notice_days", "30", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）", "工作台提前提醒流动党员活动证到期的天数", SETTING),
    # 会议频次 (meetings.cadence): how many meetings of a kind each period at least; 0 = not
    # required. The tally records whether a month had one, so a per-month or per-quarter value
    # is read as "at least once" (a value above 1 counts as 1); per-year values are counts.
    ("cadence.general_per_quarter", "1", "次/季度", BRANCH_RULES,
     "《中国共产党支部工作条例（试行）》第四章（支部党员大会一般每季度召开1次；条文号待核）",
     "党支部（含联合、临时党支部）每季度至少召开一次支部党员大会；党总支不计"),
    ("cadence.committee_per_month", "1", "次/月", BRANCH_RULES,
     "《中国共产党支部工作条例（试行）》第四章（支部委员会会议一般每月召开1次；条文号待核）",
     "设支部委员会的党支部每月至少召开一次支委会；正式党员不足设委员会人数的不计"),
    ("cadence.committee_min_full_members", "7", "人", BRANCH_RULES,
     "《中国共产党支部工作条例（试行）》第六章（正式党员7人以上的党支部设立支部委员会）",
     "当月1日正式党员达到该人数的党支部视为设支部委员会，须按月召开支委会"),
    ("cadence.group_per_month", "1", "次/月", BRANCH_RULES,
     "《中国共产党支部工作条例（试行）》第四章（党小组会一般每月召开1次；条文号待核）",
     "每个党小组每月至少召开一次党小组会"),
    ("cadence.lecture_per_quarter", "1", "次/季度", BRANCH_RULES,
     "通行做法（“三会一课”党课一般每季度1次）；支部工作条例仅要求党委（党组）书记每年至少讲1次党课",
     "党支部每季度至少上一次党课：全国性条文无此频次，为地方通行要求，可按本地规定修订", LOCAL),
    ("cadence.theme_day_per_month", "1", "次/月", BRANCH_RULES,
     "《中国共产党支部工作条例（试行）》第四章（党支部每月相对固定1天开展主题党日；条文号待核）",
     "党支部每月至少开展一次主题党日"),
    ("cadence.life_per_year", "1", "次/年", BRANCH_RULES,
     "《中国共产党支部工作条例（试行）》第四章（每年至少召开1次组织生活会，一般安排在第四季度）",
     "党支部每年至少召开一次组织生活会"),
    ("cadence.leadership_per_year", "1", "次/年", BRANCH_RULES,
     "《县以上党和国家机关党员领导干部民主生活会若干规定》（民主生活会每年召开1次）",
     "党委、党工委领导班子每年至少召开一次民主生活会（基层党委按同一频次执行）"),
    # 发展党员 (rules.md §1). 细则 = 《中国共产党发展党员工作细则》(2014-06-10 印发施行). A revision
    # reported in 2026 could not be verified: when its text is confirmed, its values are new rows
    # with its effective date; cases keep the values in force when each clock started.
    ("recruitment.talk_months", "1", "月", DETAILED_RULES,
     "细则第七条", "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话"),
    ("recruitment.league_recommendation_age", "28", "周岁", DETAILED_RULES,
     "细则第八条（群团组织推优）；28周岁以下团员经团组织推优为各地通行规定，全国条文待核",
     "28周岁以下的共青团员入党，一般应经共青团组织推优", LOCAL),
    ("recruitment.contacts_max", "2", "人", DETAILED_RULES,
     "细则第九条", "党组织应当指定一至二名正式党员作入党积极分子的培养联系人"),
    ("recruitment.report_interval_months", "3", "月", DETAILED_RULES,
     "各地发展党员工作规程（入党积极分子每季度至少递交一次书面思想汇报）；全国条文待核",
     "入党积极分子、发展对象、预备党员递交思想汇报的间隔（工作台提醒）", LOCAL),
    ("recruitment.assessment_interval_months", "6", "月", DETAILED_RULES,
     "细则第十一条", "党支部每半年对入党积极分子进行一次考察"),
    ("recruitment.activist_training_months", "12", "月", DETAILED_RULES,
     "细则第十三条",
     "对经过一年以上培养教育和考察、基本具备党员条件的入党积极分子，可列为发展对象"),
    ("recruitment.introducers", "2", "人", DETAILED_RULES,
     "《中国共产党章程》第五条；细则第十四条", "发展对象应当有两名正式党员作入党介绍人"),
    ("recruitment.training_min_days", "3", "天", DETAILED_RULES,
     "细则第十七条", "发展对象集中培训时间一般不少于三天（或不少于二十四个学时）"),
    ("recruitment.training_min_hours", "24", "学时", DETAILED_RULES,
     "细则第十七条", "发展对象集中培训时间一般不少于二十四个学时（或不少于三天）"),
    ("recruitment.publicity_working_days", "5", "工作日", DETAILED_RULES,
     "各地发展党员公示制度（公示期不少于五个工作日）；2014年细则是否规定公示待核",
     "发展对象公示期", LOCAL),
    ("recruitment.vote_after_pre_review_months", "1", "月", DETAILED_RULES,
     "据称见2026年修订的细则（预审通过后一个月内召开支部党员大会）；条文未能核实",
     "上级党委预审通过后召开支部党员大会讨论的期限（逾期提示，不拒绝）", LOCAL),
    ("recruitment.approval_months", "3", "月", DETAILED_RULES,
     "细则第二十五条（条文号待核）", "上级党委应当在支部党员大会决议后三个月内审批"),
    ("recruitment.approval_max_months", "6", "月", DETAILED_RULES,
     "细则第二十五条（条文号待核）", "审批期限因特殊情况可以适当延长，但不得超过六个月"),
    ("recruitment.oath_months", "1", "月", DETAILED_RULES,
     "各地规定（入党宣誓一般在批准后一个月内举行）；全国条文待核",
     "上级党委批准后组织入党宣誓的期限（逾期提示，不拒绝）", LOCAL),
    ("recruitment.probation_review_months", "3", "月", DETAILED_RULES,
     "各地发展党员工作规程（党支部每季度对预备党员考察一次）；全国条文待核",
     "党支部考察预备党员的间隔（工作台提醒）", LOCAL),
    ("reminder.recruitment_days", "7", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）", "发展党员事项到期前该天数内列入工作台“本周到期”", SETTING),
    ("reminder.plan_item_days", "7", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）", "工作台提前提醒年度计划事项到期的天数", SETTING),
    ("meetings.minutes_reminder_days", "30", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）",
     "会议召开后该天数内未录入讨论情况和决定事项的，工作台提示会议记录待补充", SETTING),
    ("meetings.notice_reminder_days", "3", "天", FOUNDING,
     "本系统提醒设置（非党内法规条文）", "会议前该天数内尚未发送会议通知的，工作台提醒", SETTING),
]  # fmt: skip


def seeded_value(key: str, on: dt.date) -> Decimal:
    """The value of rule `key` on date `on` as seeded, without a database (demo generation)."""
    values = sorted((r[3], r[1]) for r in RULES if r[0] == key and r[3] <= on)
    if not values:
        raise LookupError(f"规则参数 {key} 在 {on} 没有生效的取值")
    return Decimal(values[-1][1])


def with_basis(row: Seed) -> tuple[str, str, str, dt.date, str, str, str]:
    """The row with its 依据性质 spelled out (national law when the seed names none)."""
    return (*row, "national") if len(row) == 6 else row  # type: ignore[return-value]


def seed_rules(sender: Any = None, **kwargs: Any) -> None:
    """Add the seeded rows missing from the table, each with its history row, as one
    get_or_create per row would, in two queries and two inserts instead of ~260 queries (this
    runs after every test flush of the suite's transactional tests)."""
    from simple_history.utils import bulk_create_with_history

    from dangjian.core.models import RuleValue

    present = set(RuleValue.objects.values_list("key", "effective_from"))
    missing = [
        RuleValue(
            key=key,
            effective_from=start,
            value=Decimal(value),
            unit=unit,
            source=source,
            description=description,
            basis=basis,
        )
        for key, value, unit, start, source, description, basis in map(with_basis, RULES)
        if (key, start) not in present
    ]
    if missing:
        bulk_create_with_history(missing, RuleValue)
