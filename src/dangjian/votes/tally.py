"""计票: the count of one poll round, as a pure function of its inputs.

No database here: `services.close_poll` gathers the inputs (the electorate snapshot, the
attendance, the stored ballots or the tellers' totals) and stores what `tally` returns, and a
re-count (`services.recount_poll`) calls it again on the stored ballots. The rules follow
《中国共产党基层组织选举工作条例》(2020) and the 支部党员大会 rules in docs/zh/votes.md:

* a ballot marking 赞成 for more candidates than there are seats is invalid (多选无效);
* a round in which more ballots come back than were issued is void (收回票数多于发出票数，选举无效);
* quorum: present (实到会) compared with the entitled (应到会), e.g. more than 4/5 for elections;
* a candidate or motion needs its yes votes to reach the majority threshold of the base
  (应到会 / 实到会 / 有效票), e.g. more than half of those present;
* more qualified candidates than seats: the seats go by votes; a tie across the last seat goes
  to another round among the tied (再次投票); too few qualified: the remaining seats stay open
  (另行选举);
* in that 再次投票 among the tied, the most votes win (得票多的当选, `Rules.relative`): they all
  had more than half already, so no new absolute majority is required;
* 另选他人: an election ballot may write in eligible members who are not candidates (`others`);
  a write-in is a vote for that person, and one with more than half is elected like a candidate;
* 书面意见: written opinions of absent voters count toward a motion's yes/no (never toward who
  is present) — the 支部党员大会 rule (发展党员工作细则第二十七条).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

MOTION, ELECTION, GRADE = "motion", "election", "grade"
YES, NO, ABSTAIN = "yes", "no", "abstain"
MARKS = (YES, NO, ABSTAIN)
ENTITLED, PRESENT, VALID = "entitled", "present", "valid"
KINDS = (MOTION, ELECTION, GRADE)
BASES = (ENTITLED, PRESENT, VALID)
ELECTED, RUNOFF, NOT_ELECTED = "elected", "runoff", "not_elected"
PASSED, REJECTED = "passed", "rejected"

# What a ballot of each kind may carry besides the tellers' {"invalid": true}.
_BALLOT_KEY = {MOTION: "vote", ELECTION: "marks", GRADE: "grades"}
_MARK_NAMES = {YES: "赞成", NO: "反对", ABSTAIN: "弃权"}
_UNREADABLE = "选票格式无法识别"
OTHERS = "others"  # an election ballot's write-ins (另选他人): member ids

# "vote" (MOTION) or an option id as str → mark or grade → ballots; the keys are in ballot
# order and every mark or grade is present, so both entry modes give the same counts.
Counts = dict[str, dict[str, int]]


class TallyInputError(ValueError):
    """The inputs cannot be counted: totals that do not add up, an unknown kind, and so on.

    The message is Chinese and names what is wrong: the tellers see it and correct their entry.
    """


@dataclass(frozen=True)
class Threshold:
    """A share of a base: `strict` means more than (超过), else at least (不少于)."""

    share: Fraction
    strict: bool = True

    def met(self, count: int, base: int) -> bool:
        """Whether `count` reaches this share of `base` (exact: no floating point)."""
        needed = self.share * base
        return count > needed if self.strict else count >= needed


@dataclass(frozen=True)
class Rules:
    """表决规则 of a round."""

    quorum: Threshold  # present against entitled
    base: str  # ENTITLED, PRESENT or VALID: what the majority is a share of
    majority: Threshold
    seats: int = 1  # 应选人数 (elections); 1 for a motion
    relative: bool = False  # 再次投票 among the tied: the most votes win, no majority needed


@dataclass(frozen=True)
class Inputs:
    """Everything a round's count depends on.

    `options` are the candidate ids (ELECTION) or the ids of the people graded (GRADE), in
    ballot order; `grades` the scale's codes, best first (GRADE only).

    A ballot (`ballots`, one mapping each) is:
    * MOTION: {"vote": "yes" | "no" | "abstain"}; {} (nothing marked) counts as abstain;
    * ELECTION: {"marks": {candidate id as str: "yes" | "no" | "abstain"}}; an unmarked
      candidate counts as abstain;
    * GRADE: {"grades": {person id as str: grade code}}; an unmarked person is not counted
      for that person (未评);
    * any kind: {"invalid": true} for a paper ballot the tellers ruled unreadable (废票).
    Any other shape (unknown option, unknown mark or grade) is invalid too.

    An ELECTION ballot may also carry {"others": [member id, ...]}: 另选他人, each one of
    `eligible` (and not a candidate); yes marks and write-ins together may not exceed the seats.
    `opinions` (MOTION only) are the marks of absent voters' written opinions (书面意见).

    `totals` replaces `ballots` when the tellers entered only totals (汇总录入):
    {"invalid": n, "counts": {option or "vote": {mark or grade: n}}} — for MOTION the key is
    "vote", else the option's id (as str, or int); a mark or grade left out counts 0; then
    `returned` = valid + invalid ballots. Otherwise `returned` is the number of `ballots`.
    """

    kind: str
    rules: Rules
    entitled: int  # 应到会 (the electorate snapshot)
    present: int  # 实到会
    issued: int  # ballots handed out (online: the voters who opened a ballot = present)
    returned: int  # ballots that came back (online: ballots stored)
    options: Sequence[int] = ()
    grades: Sequence[str] = ()
    ballots: Sequence[Mapping[str, Any]] = ()
    totals: Mapping[str, Any] | None = None
    eligible: Sequence[int] = ()  # members who may be written in (ELECTION)
    opinions: Sequence[str] = ()  # 书面意见 (MOTION): "yes" | "no" | "abstain" each


@dataclass
class OptionResult:
    """One candidate's, person's or the motion's counts and outcome."""

    option: int | None  # None for a motion; a member id for a write-in
    counts: dict[str, int]  # mark or grade → ballots
    outcome: str = ""  # elected / runoff / not_elected / passed / rejected / a grade code / ""
    write_in: bool = False  # 另选他人: `option` is a member, not a candidate


@dataclass
class Result:
    """计票结果."""

    valid: int
    invalid: int
    quorum_met: bool
    void: bool  # more ballots returned than issued
    base: int  # the number the majority is a share of
    options: list[OptionResult] = field(default_factory=list)
    elected: list[int] = field(default_factory=list)  # in order of votes
    runoff: list[int] = field(default_factory=list)  # tied across the last seat
    runoff_seats: int = 0
    unfilled: int = 0  # seats left for 另行选举
    passed: bool | None = None  # motions
    ballot_verdicts: list[bool] = field(default_factory=list)  # per ballot: valid?
    written: dict[str, int] = field(default_factory=dict)  # 书面意见 by mark (motions)
    elected_others: list[int] = field(default_factory=list)  # write-ins elected (member ids)
    runoff_others: list[int] = field(default_factory=list)  # write-ins tied across the last seat

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (ints, str, bools, lists, str-keyed dicts) for storing the result."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        """The inverse of `as_json`: a stored result, to compare with a re-count. A field that
        is missing (e.g. `{}` for a round not yet counted) takes its empty value."""
        return cls(
            valid=data.get("valid", 0),
            invalid=data.get("invalid", 0),
            quorum_met=data.get("quorum_met", False),
            void=data.get("void", False),
            base=data.get("base", 0),
            options=[
                OptionResult(o["option"], dict(o["counts"]), o["outcome"], o.get("write_in", False))
                for o in data.get("options", [])
            ],
            elected=list(data.get("elected", [])),
            runoff=list(data.get("runoff", [])),
            runoff_seats=data.get("runoff_seats", 0),
            unfilled=data.get("unfilled", 0),
            passed=data.get("passed"),
            ballot_verdicts=list(data.get("ballot_verdicts", [])),
            written=dict(data.get("written", {})),
            elected_others=list(data.get("elected_others", [])),
            runoff_others=list(data.get("runoff_others", [])),
        )


# --- ballots ---------------------------------------------------------------------------------


def ballot_problem(
    kind: str,
    seats: int,
    options: Sequence[int],
    grades: Sequence[str],
    ballot: Mapping[str, Any],
    eligible: Sequence[int] = (),
) -> str | None:
    """Why `ballot` does not count, as a short Chinese reason; None when it is valid."""
    key = _ballot_key(kind)
    if not isinstance(ballot, Mapping):
        return _UNREADABLE
    if ballot.get("invalid") is True:  # the tellers' ruling wins over whatever else is marked
        return "计票人认定为废票"
    if set(ballot) - ({key, OTHERS} if kind == ELECTION else {key}):
        return _UNREADABLE
    if kind == MOTION:
        return None if ballot.get(key, ABSTAIN) in MARKS else "无法识别的表态"
    entries = ballot.get(key, {})
    if not isinstance(entries, Mapping):
        return _UNREADABLE
    if not set(entries) <= {str(option) for option in options}:
        who = "候选人" if kind == ELECTION else "评议对象"
        return f"选票所列{who}不在本轮名单中"
    if kind == GRADE:
        return None if all(grade in grades for grade in entries.values()) else "无法识别的评议等次"
    others = ballot.get(OTHERS, [])
    return _others_problem(others, eligible) or _marks_problem(seats, entries, len(others))


def _others_problem(others: object, eligible: Sequence[int]) -> str | None:
    """另选他人: a list of distinct eligible members (not candidates: `eligible` excludes them)."""
    if not isinstance(others, list) or not all(
        isinstance(o, int) and not isinstance(o, bool) for o in others
    ):
        return _UNREADABLE
    if len(set(others)) != len(others):
        return "另选他人中有重复的人员"
    if not set(others) <= set(eligible):
        return "另选他人须为本组织有被选举权的党员，且不是本轮候选人"
    return None


def _marks_problem(seats: int, marks: Mapping[str, Any], others: int = 0) -> str | None:
    if not all(mark in MARKS for mark in marks.values()):
        return "无法识别的表态"
    yes = sum(1 for mark in marks.values() if mark == YES)
    if yes + others > seats:  # 多选无效: the whole ballot, not just the extra marks
        written = f"（含另选他人 {others} 人）" if others else ""
        return f"赞成人数超过应选人数（应选 {seats} 人，赞成 {yes + others} 人{written}）"
    return None


def _ballot_key(kind: str) -> str:
    if kind not in _BALLOT_KEY:
        raise TallyInputError(f"未知的表决类型：{kind}")
    return _BALLOT_KEY[kind]


def _empty_counts(inputs: Inputs) -> Counts:
    if inputs.kind == MOTION:
        return {"vote": dict.fromkeys(MARKS, 0)}
    columns = MARKS if inputs.kind == ELECTION else tuple(inputs.grades)
    return {str(option): dict.fromkeys(columns, 0) for option in inputs.options}


def _count_ballots(inputs: Inputs, ballots: Sequence[Mapping[str, Any]]) -> Counts:
    """The counts of valid ballots."""
    counts = _empty_counts(inputs)
    for ballot in ballots:
        for row, column in _choices(inputs.kind, counts, ballot):
            counts[row][column] += 1
    return counts


def _choices(kind: str, rows: Counts, ballot: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What one valid ballot counts for, as (row, mark or grade) pairs."""
    if kind == MOTION:
        return [("vote", ballot.get("vote", ABSTAIN))]
    entries: Mapping[str, str] = ballot.get(_BALLOT_KEY[kind], {})
    if kind == ELECTION:  # every candidate is on every ballot: unmarked means abstain
        return [(row, entries.get(row, ABSTAIN)) for row in rows]
    return list(entries.items())  # 未评: an ungraded person counts for no grade


def _count_others(ballots: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """另选他人: valid ballots naming each written-in member."""
    others: dict[int, int] = {}
    for ballot in ballots:
        for member in ballot.get(OTHERS, []):
            others[member] = others.get(member, 0) + 1
    return others


def _count_opinions(inputs: Inputs) -> dict[str, int]:
    """书面意见 by mark: only a motion takes them (elections and 评议 do not)."""
    if not inputs.opinions:
        return {}
    if inputs.kind != MOTION:
        raise TallyInputError("只有表决事项可以计入书面意见，选举和评议不接受书面意见")
    if not all(mark in MARKS for mark in inputs.opinions):
        raise TallyInputError("书面意见中有无法识别的表态")
    return {mark: sum(1 for m in inputs.opinions if m == mark) for mark in MARKS}


# --- tellers' totals -------------------------------------------------------------------------


def _read_totals(inputs: Inputs, totals: Mapping[str, Any]) -> tuple[int, Counts]:
    """The invalid ballots and the counts the tellers entered, once they are checked."""
    if not set(totals) <= {"invalid", "counts"}:
        raise TallyInputError("汇总数格式无法识别：应只包含废票数和各项票数")
    invalid = _number(totals.get("invalid", 0), "废票数")
    if invalid > inputs.returned:
        raise TallyInputError(f"废票数（{invalid}）多于收回票数（{inputs.returned}）")
    counts = _totals_counts(inputs, totals.get("counts", {}))
    _check_sums(inputs, counts, inputs.returned - invalid)
    return invalid, counts


def _totals_counts(inputs: Inputs, entered: object) -> Counts:
    if not isinstance(entered, Mapping):
        raise TallyInputError("汇总数格式无法识别：缺少各项票数")
    counts, seen = _empty_counts(inputs), set()
    for key, row in entered.items():
        name, where = _label(inputs.kind, key), str(key)
        if where not in counts:
            raise TallyInputError(f"汇总数中的{name}不在本轮名单中")
        if where in seen or not isinstance(row, Mapping):  # e.g. both 7 and "7"
            raise TallyInputError(f"汇总数中{name}的票数格式无法识别")
        seen.add(where)
        for column, number in row.items():
            if column not in counts[where]:
                what = "评议等次" if inputs.kind == GRADE else "表态"
                raise TallyInputError(f"汇总数中{name}有无法识别的{what}“{column}”")
            counts[where][column] = _number(number, f"{name}的{_column_name(column)}票数")
    return counts


def _check_sums(inputs: Inputs, counts: Counts, valid: int) -> None:
    for key, row in counts.items():
        total, name = sum(row.values()), _label(inputs.kind, key)
        if inputs.kind == GRADE and total > valid:
            raise TallyInputError(f"{name}的各等次票数合计 {total} 票，多于有效票数 {valid} 票")
        if inputs.kind != GRADE and total != valid:
            raise TallyInputError(
                f"{name}的赞成、反对、弃权票合计 {total} 票，应等于有效票数 {valid} 票"
                "（未划票的计为弃权）"
            )
    if inputs.kind == ELECTION:
        yes, limit = sum(row[YES] for row in counts.values()), valid * inputs.rules.seats
        if yes > limit:
            raise TallyInputError(
                f"各候选人赞成票合计 {yes} 票，超过有效票数与应选人数之积 {limit} 票"
            )


def _label(kind: str, key: object) -> str:
    if kind == ELECTION:
        return f"候选人（编号 {key}）"
    if kind == GRADE:
        return f"评议对象（编号 {key}）"
    return "本项表决" if key == "vote" else f"“{key}”"


def _column_name(column: str) -> str:
    return _MARK_NAMES.get(column, f"“{column}”")


def _number(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TallyInputError(f"{what}应为整数（当前为“{value}”）")
    if value < 0:
        raise TallyInputError(f"{what}不能为负数（当前为 {value}）")
    return value


# --- the count -------------------------------------------------------------------------------


def tally(inputs: Inputs) -> Result:
    """Count one round: which ballots are valid, the counts, and what they decide."""
    _check_round(inputs)
    _check_entry(inputs)
    others: dict[int, int] = {}
    if inputs.totals is None:
        verdicts = [_problem(inputs, ballot) is None for ballot in inputs.ballots]
        counted = [ballot for ballot, ok in zip(inputs.ballots, verdicts, strict=True) if ok]
        invalid, counts = len(verdicts) - len(counted), _count_ballots(inputs, counted)
        others = _count_others(counted) if inputs.kind == ELECTION else {}
    else:
        verdicts = []
        invalid, counts = _read_totals(inputs, inputs.totals)
    written = _count_opinions(inputs)
    for mark, n in written.items():  # a written opinion counts like a ballot of that mark
        counts["vote"][mark] += n
    valid = inputs.returned - invalid
    result = Result(
        valid=valid,
        invalid=invalid,
        # Attendance only: a written opinion never makes its writer present.
        quorum_met=inputs.rules.quorum.met(inputs.present, inputs.entitled),
        void=inputs.returned > inputs.issued,
        base=_base(inputs, valid + sum(written.values())),
        options=_option_results(inputs, counts, others),
        ballot_verdicts=verdicts,
        written=written,
    )
    decides = result.quorum_met and not result.void  # else the counts are only reported
    _DECIDERS[inputs.kind](result, inputs, decides)
    return result


def _check_round(inputs: Inputs) -> None:
    _ballot_key(inputs.kind)
    if inputs.rules.base not in BASES:
        raise TallyInputError(f"未知的过半数基数：{inputs.rules.base}")
    if inputs.kind == ELECTION and inputs.rules.seats < 1:
        raise TallyInputError(f"应选人数至少为 1 人（当前为 {inputs.rules.seats} 人）")
    if len(set(inputs.options)) != len(inputs.options):
        raise TallyInputError("名单中有重复的人员")
    if inputs.kind == GRADE and (
        not inputs.grades or len(set(inputs.grades)) != len(inputs.grades)
    ):
        raise TallyInputError("评议等次为空或有重复")


def _check_entry(inputs: Inputs) -> None:
    _number(inputs.entitled, "应到会人数")
    _number(inputs.present, "实到会人数")
    _number(inputs.issued, "发出票数")
    _number(inputs.returned, "收回票数")
    if inputs.present > inputs.entitled:
        raise TallyInputError(f"实到会人数（{inputs.present}）多于应到会人数（{inputs.entitled}）")
    if inputs.totals is not None and inputs.ballots:
        raise TallyInputError("不能同时录入选票和汇总数")
    if inputs.totals is None and len(inputs.ballots) != inputs.returned:
        raise TallyInputError(
            f"录入的选票张数（{len(inputs.ballots)}）与收回票数（{inputs.returned}）不一致"
        )


def _problem(inputs: Inputs, ballot: Mapping[str, Any]) -> str | None:
    rules, eligible = inputs.rules, inputs.eligible
    return ballot_problem(inputs.kind, rules.seats, inputs.options, inputs.grades, ballot, eligible)


def _base(inputs: Inputs, valid: int) -> int:
    return {ENTITLED: inputs.entitled, PRESENT: inputs.present, VALID: valid}[inputs.rules.base]


def _option_results(
    inputs: Inputs, counts: Counts, others: Mapping[int, int]
) -> list[OptionResult]:
    """The candidates in ballot order, then the written-in members who got a vote."""
    if inputs.kind == MOTION:
        return [OptionResult(None, counts["vote"])]
    rows = [OptionResult(option, counts[str(option)]) for option in inputs.options]
    written_in = [m for m in inputs.eligible if others.get(m)]
    return rows + [OptionResult(m, {YES: others[m]}, write_in=True) for m in written_in]


def _wins(majority: Threshold, count: int, base: int) -> bool:
    """Whether `count` reaches the majority; nothing is carried by no votes at all, even where
    a base of 0 would make 不少于 0 hold."""
    return count > 0 and majority.met(count, base)


def _decide_motion(result: Result, inputs: Inputs, decides: bool) -> None:
    motion = result.options[0]
    result.passed = decides and _wins(inputs.rules.majority, motion.counts[YES], result.base)
    if decides:
        motion.outcome = PASSED if result.passed else REJECTED


def _decide_grades(result: Result, inputs: Inputs, decides: bool) -> None:
    if not decides:
        return
    for person in result.options:  # counts are in scale order, best first
        reached = (
            g for g, n in person.counts.items() if _wins(inputs.rules.majority, n, result.base)
        )
        person.outcome = next(reached, "")


Key = tuple[bool, int]  # (written in?, candidate or member id)


def _qualifies(rules: Rules, count: int, base: int) -> bool:
    """More than half (the rule's majority); in a 再次投票 among the tied, any votes: they
    compete only for the order (得票多的当选)."""
    return count > 0 if rules.relative else _wins(rules.majority, count, base)


def _decide_election(result: Result, inputs: Inputs, decides: bool) -> None:
    seats = inputs.rules.seats
    if not decides:
        result.unfilled = seats
        return
    # In ballot order, then the write-ins: a write-in is a vote like a 赞成 for a candidate.
    yes: dict[Key, int] = {
        (row.write_in, row.option or 0): row.counts[YES] for row in result.options
    }
    qualified = [key for key, n in yes.items() if _qualifies(inputs.rules, n, result.base)]
    elected, runoff = _seat(qualified, yes, seats)
    result.elected = [o for written, o in elected if not written]
    result.elected_others = [o for written, o in elected if written]
    result.runoff = [o for written, o in runoff if not written]
    result.runoff_others = [o for written, o in runoff if written]
    result.runoff_seats = seats - len(elected) if runoff else 0
    result.unfilled = 0 if runoff else seats - len(elected)
    for row in result.options:
        key = (row.write_in, row.option or 0)
        row.outcome = ELECTED if key in elected else RUNOFF if key in runoff else NOT_ELECTED


def _seat(qualified: list[Key], yes: Mapping[Key, int], seats: int) -> tuple[list[Key], list[Key]]:
    """The elected (by votes) and those tied across the last seat, who go to a runoff."""
    ranked = sorted(qualified, key=lambda option: -yes[option])  # stable: ties in ballot order
    if len(ranked) <= seats:
        return ranked, []
    cut = yes[ranked[seats - 1]]
    above = [option for option in ranked if yes[option] > cut]
    tied = [option for option in ranked if yes[option] == cut]
    if len(above) + len(tied) <= seats:
        return above + tied, []
    return above, tied


_DECIDERS = {MOTION: _decide_motion, ELECTION: _decide_election, GRADE: _decide_grades}
