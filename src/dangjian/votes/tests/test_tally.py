"""计票: `tally` against an independent counter (tests/oracle.py) on random rounds, and the
statutory cases one by one. Pure functions: no database."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from dangjian.votes.tally import (
    ABSTAIN,
    BASES,
    ELECTION,
    ENTITLED,
    GRADE,
    KINDS,
    MARKS,
    MOTION,
    NO,
    PRESENT,
    VALID,
    YES,
    Inputs,
    Result,
    Rules,
    TallyInputError,
    Threshold,
    ballot_problem,
    tally,
)
from dangjian.votes.tests.oracle import oracle

HALF = Threshold(Fraction(1, 2))
FOUR_FIFTHS = Threshold(Fraction(4, 5))
SCALE = ("excellent", "competent", "basically_competent", "incompetent")  # 优秀 … 不合格

# --- random rounds ---------------------------------------------------------------------------

SHARES = [Fraction(1, 2), Fraction(2, 3), Fraction(3, 4), Fraction(4, 5), Fraction(1, 3)]
thresholds = st.builds(Threshold, st.sampled_from(SHARES), st.booleans())
Ballot = dict[str, Any]
Shapes = tuple[st.SearchStrategy[Ballot], st.SearchStrategy[Ballot]]  # valid, invalid ballots
EMPTY: st.SearchStrategy[Ballot] = st.just({})  # nothing marked
tellers_and_strays: list[Ballot] = [{"invalid": True}, {"invalid": False}, {"note": "涂改"}]


def these(*ballots: Ballot) -> st.SearchStrategy[Ballot]:
    return st.sampled_from(ballots)


def motion_ballots() -> Shapes:
    valid = these({"vote": YES}, {"vote": YES}, {"vote": NO}, {"vote": ABSTAIN}, {})
    invalid = these(
        *tellers_and_strays, {"vote": "maybe"}, {"vote": None}, {"vote": YES, "note": "x"}
    )
    return valid, invalid


def election_ballots(ids: list[str], seats: int, eligible: list[int] = ()) -> Shapes:  # type: ignore[assignment]
    @st.composite
    def marked(draw: st.DrawFn, fewest: int, most: int) -> Ballot:
        yes = draw(st.lists(st.sampled_from(ids), min_size=fewest, max_size=most, unique=True))
        rest = st.sampled_from([i for i in ids if i not in yes] or ["-"])
        others = draw(st.dictionaries(rest, st.sampled_from([NO, ABSTAIN])))
        ballot: Ballot = {"marks": {**others, **dict.fromkeys(yes, YES)}}
        room = seats - len(yes)
        if eligible and room > 0 and draw(st.booleans()):  # 另选他人 in the seats left
            written = st.lists(st.sampled_from(eligible), max_size=room, unique=True)
            ballot["others"] = draw(written)
        return ballot

    # Voters mostly use all their votes (a yes for as many as there are seats).
    valid = st.one_of(marked(seats, seats), marked(seats, seats), marked(0, seats), EMPTY)
    strays = these(
        *tellers_and_strays,
        {"marks": {"0": YES}},  # not on the list
        {"marks": {int(ids[0]): YES}},  # an id that is not a string
        {"marks": {ids[0]: "maybe"}},
        {"marks": YES},
        {"marks": {}, "note": "x"},
        {"marks": {}, "others": [9999]},  # not eligible (nor a member of the electorate)
        {"marks": {}, "others": "王五"},
        {"marks": {}, "others": [*eligible[:1], *eligible[:1]]},  # the same person twice
    )
    over = marked(seats + 1, len(ids))  # 多选
    invalid = strays if seats == len(ids) else st.one_of(over, strays)
    return valid, invalid


def grade_ballots(ids: list[str], grades: tuple[str, ...]) -> Shapes:
    likely = st.sampled_from([grades[0], grades[0], grades[1], *grades])
    everyone = st.fixed_dictionaries(dict.fromkeys(ids, likely))
    some = st.fixed_dictionaries({}, optional=dict.fromkeys(ids, likely))
    valid = st.one_of(everyone, everyone, some).map(graded) | EMPTY
    invalid = these(
        *tellers_and_strays,
        {"grades": {"0": grades[0]}},
        {"grades": {ids[0]: "outstanding"}},
        {"grades": [grades[0]]},
    )
    return valid, invalid


def graded(grades: dict[str, str]) -> Ballot:
    return {"grades": grades}


def fill(
    draw: st.DrawFn, n: int, ways: list[Ballot], rest: st.SearchStrategy[Ballot]
) -> list[Ballot]:
    """`n` ballots: voters fill them in a few `ways`, often in equal blocks (ties happen), the
    rest each their own way; in any order."""
    ballots: list[Ballot] = []
    left, block = n, draw(st.integers(0, n))
    for way in ways:
        alike = min(left, block) if draw(st.booleans()) else draw(st.integers(0, left))
        ballots, left = ballots + [way] * alike, left - alike
    ballots += draw(st.lists(rest, min_size=left, max_size=left))
    return draw(st.permutations(ballots))


@st.composite
def close_elections(draw: st.DrawFn) -> Inputs:
    """A full meeting where more candidates qualify than there are seats: the seats go by
    votes, or to a runoff among those tied across the last seat."""
    options = draw(st.lists(st.integers(1, 500), min_size=2, max_size=8, unique=True))
    ids = [str(option) for option in options]
    seats = draw(st.integers(1, len(ids) - 1))
    front = st.sampled_from(ids[: draw(st.integers(seats + 1, len(ids)))])
    yes = st.lists(front, min_size=seats, max_size=seats, unique=True)
    ways = [{"marks": dict.fromkeys(m, YES)} for m in draw(st.lists(yes, min_size=2, max_size=5))]
    block = draw(st.integers(1, 8))  # voters in equal blocks: ties
    ballots: list[Ballot] = []
    for way in ways:
        ballots += [way] * (block if draw(st.integers(0, 3)) else draw(st.integers(0, 8)))
    ballots, n = draw(st.permutations(ballots)), len(ballots)
    share = draw(st.sampled_from([Fraction(1, 2), Fraction(1, 3)]))
    rules = Rules(
        HALF,
        draw(st.sampled_from([PRESENT, VALID])),
        Threshold(share, draw(st.booleans())),
        seats,
        relative=draw(st.booleans()),
    )
    return Inputs(ELECTION, rules, n, n, n, n, options, ballots=ballots)


@st.composite
def rounds(draw: st.DrawFn, kind: str) -> Inputs:
    entitled = draw(st.integers(1, 40))
    # Mostly a well-attended meeting, so that the quorum is often met.
    least = 0 if draw(st.integers(0, 3)) == 0 else entitled * 3 // 4
    present = draw(st.integers(least, entitled))
    issued = present if draw(st.integers(0, 9)) else draw(st.integers(0, entitled))
    dice = draw(st.integers(0, 19))
    if dice < 12:
        returned = issued
    elif dice < 17:
        returned = draw(st.integers(0, issued))
    else:  # more back than handed out: the round is void
        returned = draw(st.integers(issued + 1, issued + 3))
    options = draw(st.lists(st.integers(1, 500), min_size=1, max_size=8, unique=True))
    ids = [str(option) for option in options]
    seats = draw(st.integers(1, len(options)))
    eligible = (
        draw(st.lists(st.integers(600, 620), max_size=4, unique=True)) if kind == ELECTION else []
    )
    opinions = draw(st.lists(st.sampled_from(MARKS), max_size=5)) if kind == MOTION else []
    grades = draw(st.sampled_from([SCALE, ("pass", "fail")])) if kind == GRADE else ()
    if kind == MOTION:
        valid, invalid = motion_ballots()
    elif kind == ELECTION:
        valid, invalid = election_ballots(ids, seats, eligible)
    else:
        valid, invalid = grade_ballots(ids, grades)
    ways = draw(st.lists(valid, min_size=1, max_size=4))
    ballots = fill(draw, returned, ways, rest=st.one_of(valid, invalid))
    rules = Rules(
        quorum=draw(thresholds),
        base=draw(st.sampled_from(BASES)),
        majority=draw(thresholds),
        seats=seats,
        relative=kind == ELECTION and draw(st.integers(0, 3)) == 0,
    )
    return Inputs(
        kind=kind,
        rules=rules,
        entitled=entitled,
        present=present,
        issued=issued,
        returned=returned,
        options=options,
        grades=grades,
        ballots=ballots,
        eligible=eligible,
        opinions=opinions,
    )


def some_rounds(kind: str) -> st.SearchStrategy[Inputs]:
    return close_elections() if kind == "close election" else rounds(kind)


def totals_from(counted: dict[str, Any], int_keys: bool) -> dict[str, Any]:
    """What tellers would enter for the valid ballots: zeros may be left out."""
    counts = {}
    for row in counted["options"]:
        key = "vote" if row["option"] is None else row["option"] if int_keys else str(row["option"])
        counts[key] = {column: n for column, n in row["counts"].items() if n}
    return {"invalid": counted["invalid"], "counts": counts}


def note_outcome(kind: str, data: dict[str, Any]) -> None:
    """Label the example for `--hypothesis-show-statistics`: which rules were exercised."""
    event("void" if data["void"] else "quorum met" if data["quorum_met"] else "no quorum")
    event(f"some invalid: {bool(data['invalid'])}")
    decided = [row["outcome"] for row in data["options"] if row["outcome"]]
    event(f"{kind}: {sorted(set(decided))}")


@pytest.mark.parametrize("kind", [*KINDS, "close election"])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_tally_agrees_with_the_plain_counter(kind: str, data: st.DataObject) -> None:
    inputs = data.draw(some_rounds(kind))
    counted = tally(inputs).as_json()
    note_outcome(kind, counted)
    assert counted == oracle(inputs)
    assert json.loads(json.dumps(counted)) == counted  # plain JSON
    assert Result.from_json(counted).as_json() == counted


@pytest.mark.parametrize("kind", [*KINDS, "close election"])
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_tellers_totals_count_like_the_ballots_they_sum_up(kind: str, data: st.DataObject) -> None:
    # Totals hold no write-ins (逐张录入 only) nor written opinions (counted apart from totals).
    inputs = dataclasses.replace(data.draw(some_rounds(kind)), eligible=(), opinions=())
    by_ballot = tally(inputs).as_json()
    totals = totals_from(by_ballot, int_keys=data.draw(st.booleans()))
    by_totals = dataclasses.replace(inputs, ballots=(), totals=totals)
    assert tally(by_totals).as_json() == {**by_ballot, "ballot_verdicts": []}

    # A row with more votes than valid ballots, or (marks) fewer, is refused.
    row = data.draw(st.sampled_from(by_ballot["options"]))
    column = data.draw(st.sampled_from(sorted(row["counts"])))
    over = by_ballot["valid"] - sum(row["counts"].values()) + 1
    changes = [over] if kind == GRADE or row["counts"][column] == 0 else [over, -1]
    for change in changes:
        with pytest.raises(TallyInputError):
            tally(miscounted(by_totals, by_ballot, row, column, change))


def miscounted(
    inputs: Inputs, counted: dict[str, Any], row: dict[str, Any], column: str, change: int
) -> Inputs:
    """`inputs` with the tellers' totals of `counted`, one number changed by `change`."""
    totals = totals_from(counted, int_keys=False)
    key = "vote" if row["option"] is None else str(row["option"])
    totals["counts"][key][column] = row["counts"][column] + change
    return dataclasses.replace(inputs, totals=totals)


# --- the statutory cases ---------------------------------------------------------------------


def motion(yes: int, no: int, *, entitled: int | None = None, base: str = PRESENT) -> Inputs:
    ballots = [{"vote": YES}] * yes + [{"vote": NO}] * no
    n = len(ballots)
    rules = Rules(quorum=HALF, base=base, majority=HALF)
    return Inputs(MOTION, rules, entitled or n, n, n, n, ballots=ballots)


def election(seats: int, yes: dict[int, int], valid: int) -> Inputs:
    """An election entered as tellers' totals: `yes` per candidate, the rest voted no."""
    counts = {str(c): {YES: n, NO: valid - n} for c, n in yes.items()}
    rules = Rules(quorum=FOUR_FIFTHS, base=PRESENT, majority=HALF, seats=seats)
    inputs = Inputs(ELECTION, rules, valid, valid, valid, valid, options=list(yes))
    return dataclasses.replace(inputs, totals={"invalid": 0, "counts": counts})


def test_exactly_half_of_those_present_is_not_enough() -> None:
    half = tally(motion(5, 5))
    assert (half.passed, half.options[0].outcome) == (False, "rejected")
    assert tally(motion(6, 4)).passed is True


def test_a_branch_meeting_motion_needs_more_than_half_of_the_entitled() -> None:
    assert tally(motion(10, 5, entitled=20, base=ENTITLED)).passed is False  # 10 of 20
    assert tally(motion(11, 4, entitled=20, base=ENTITLED)).passed is True
    assert tally(motion(10, 5, entitled=20, base=PRESENT)).passed is True  # 10 of 15


def test_a_ballot_with_more_yes_marks_than_seats_is_invalid_but_the_others_count() -> None:
    over = {"marks": {"1": YES, "2": YES, "3": YES}}
    ballots = [over, {"marks": {"1": YES, "2": YES}}, {"marks": {"1": YES, "3": NO}}]
    rules = Rules(quorum=HALF, base=VALID, majority=HALF, seats=2)
    result = tally(Inputs(ELECTION, rules, 3, 3, 3, 3, options=[1, 2, 3], ballots=ballots))
    assert result.ballot_verdicts == [False, True, True]
    assert (result.valid, result.invalid) == (2, 1)
    assert [o.counts for o in result.options] == [
        {YES: 2, NO: 0, ABSTAIN: 0},
        {YES: 1, NO: 0, ABSTAIN: 1},
        {YES: 0, NO: 1, ABSTAIN: 1},
    ]
    assert result.elected == [1]  # 2 needs more than 1 of 2 valid ballots
    reason = ballot_problem(ELECTION, 2, [1, 2, 3], (), over)
    assert reason == "赞成人数超过应选人数（应选 2 人，赞成 3 人）"


def test_more_ballots_returned_than_issued_voids_the_round() -> None:
    inputs = dataclasses.replace(motion(10, 0), issued=9)
    result = tally(inputs)
    assert result.void is True
    assert result.passed is False
    assert result.options[0].outcome == ""
    assert result.options[0].counts[YES] == 10  # still reported


def test_a_quorum_of_four_fifths_is_strict() -> None:
    not_met = tally(dataclasses.replace(election(1, {1: 32}, 32), entitled=40))  # 32 = 4/5 × 40
    assert (not_met.quorum_met, not_met.elected, not_met.unfilled) == (False, [], 1)
    assert not_met.options[0].outcome == ""
    met = tally(dataclasses.replace(election(1, {1: 33}, 33), entitled=40))
    assert (met.quorum_met, met.elected) == (True, [1])


def test_a_tie_across_the_last_seat_goes_to_a_runoff_among_the_tied() -> None:
    result = tally(election(3, {1: 10, 2: 9, 3: 8, 4: 8, 5: 1}, valid=12))
    assert result.elected == [1, 2]
    assert (result.runoff, result.runoff_seats, result.unfilled) == ([3, 4], 1, 0)
    outcomes = [o.outcome for o in result.options]
    assert outcomes == ["elected", "elected", "runoff", "runoff", "not_elected"]


def test_a_tie_that_fits_in_the_seats_elects_all_the_tied() -> None:
    result = tally(election(3, {1: 7, 2: 8, 3: 8, 4: 1}, valid=10))
    assert (result.elected, result.runoff, result.unfilled) == ([2, 3, 1], [], 0)


def test_too_few_qualified_candidates_leave_seats_unfilled() -> None:
    result = tally(election(3, {1: 9, 2: 6, 3: 5, 4: 4}, valid=10))  # 5 of 10 is not more
    assert (result.elected, result.unfilled, result.runoff) == ([1, 2], 1, [])


def test_a_competitive_election_of_five_seats_from_six_candidates() -> None:
    yes = {11: 20, 12: 25, 13: 18, 14: 27, 15: 16, 16: 22}  # all more than half of 30
    result = tally(election(5, yes, valid=30))
    assert result.elected == [14, 12, 16, 11, 13]
    assert result.options[4].outcome == "not_elected"
    assert (result.runoff, result.unfilled) == ([], 0)


def test_a_person_gets_the_best_grade_a_majority_gave() -> None:
    ballots = (
        [{"grades": {"1": "excellent", "2": "competent", "3": "excellent"}}] * 6
        + [{"grades": {"1": "excellent", "2": "competent", "3": "competent"}}]
        + [{"grades": {"1": "competent", "2": "excellent"}}] * 3
        + [{}] * 2  # 未评: still among those present
    )
    rules = Rules(quorum=HALF, base=PRESENT, majority=HALF)
    result = tally(Inputs(GRADE, rules, 12, 12, 12, 12, [1, 2, 3], SCALE, ballots))
    assert [o.outcome for o in result.options] == ["excellent", "competent", ""]  # 6 of 12
    assert result.options[2].counts == {
        "excellent": 6,
        "competent": 1,
        "basically_competent": 0,
        "incompetent": 0,
    }


def test_totals_that_do_not_add_up_are_refused_naming_the_candidate() -> None:
    inputs = election(2, {7: 6, 8: 5}, valid=10)
    wrong = {"invalid": 0, "counts": {"7": {YES: 6, NO: 3}, "8": {YES: 5, NO: 5}}}
    with pytest.raises(
        TallyInputError,
        match=r"候选人（编号 7）的赞成、反对、弃权票合计 9 票，应等于有效票数 10 票",
    ):
        tally(dataclasses.replace(inputs, totals=wrong))


@pytest.mark.parametrize(
    ("totals", "message"),
    [
        ({"invalid": 11, "counts": {}}, "废票数（11）多于收回票数（10）"),
        ({"invalid": -1, "counts": {}}, "废票数不能为负数"),
        ({"invalid": 0, "counts": {"9": {YES: 10}}}, "汇总数中的候选人（编号 9）不在本轮名单中"),
        ({"invalid": 0, "counts": {"7": {"maybe": 10}}}, "候选人（编号 7）有无法识别的表态“maybe”"),
        ({"invalid": 8, "counts": {"7": {YES: 2}, "8": {YES: 2}}}, "赞成票合计 4 票，超过"),
    ],
)
def test_impossible_totals_are_refused_in_chinese(totals: dict[str, Any], message: str) -> None:
    inputs = dataclasses.replace(election(1, {7: 0, 8: 0}, valid=10), totals=totals)
    with pytest.raises(TallyInputError, match=message):
        tally(inputs)


def test_an_election_needs_a_seat_and_a_known_kind() -> None:
    with pytest.raises(TallyInputError, match="应选人数至少为 1 人"):
        tally(election(0, {1: 5}, valid=10))
    with pytest.raises(TallyInputError, match="未知的表决类型"):
        tally(dataclasses.replace(motion(1, 0), kind="poll"))


def test_nothing_is_carried_by_no_votes_at_all() -> None:
    rules = Rules(quorum=HALF, base=VALID, majority=Threshold(Fraction(1, 2), strict=False))
    result = tally(Inputs(MOTION, rules, 2, 2, 2, 2, ballots=[{"invalid": True}] * 2))
    assert (result.base, result.passed) == (0, False)


@pytest.mark.parametrize(
    ("ballot", "reason"),
    [
        ({"invalid": True, "marks": {"1": YES}}, "计票人认定为废票"),
        ({"marks": {"4": YES}}, "选票所列候选人不在本轮名单中"),
        ({"marks": {"1": "yes please"}}, "无法识别的表态"),
        ({"marks": {}, "comment": "好"}, "选票格式无法识别"),
        ({"marks": {"1": NO}}, None),
        ({}, None),
    ],
)
def test_each_invalid_ballot_says_why(ballot: dict[str, Any], reason: str | None) -> None:
    assert ballot_problem(ELECTION, 2, [1, 2, 3], (), ballot) == reason


def test_a_round_not_yet_counted_reads_as_an_empty_result() -> None:
    empty = Result.from_json({})
    assert (empty.valid, empty.options, empty.elected, empty.passed) == (0, [], [], None)


# --- 再次投票, 另选他人, 书面意见 ---------------------------------------------------------------


def test_a_runoff_among_the_tied_elects_the_most_votes_without_a_new_majority() -> None:
    # 10 present; 4 and 3 of them vote for the two tied candidates, 3 abstain.
    counts = {"1": {YES: 4, ABSTAIN: 6}, "2": {YES: 3, ABSTAIN: 7}}
    rules = Rules(quorum=FOUR_FIFTHS, base=PRESENT, majority=HALF, seats=1, relative=True)
    inputs = Inputs(ELECTION, rules, 10, 10, 10, 10, options=[1, 2])
    result = tally(dataclasses.replace(inputs, totals={"invalid": 0, "counts": counts}))
    assert (result.elected, result.unfilled, result.runoff) == ([1], 0, [])
    absolute = tally(
        dataclasses.replace(
            inputs,
            rules=dataclasses.replace(rules, relative=False),
            totals={"invalid": 0, "counts": counts},
        )
    )
    assert absolute.elected == []  # what the first round's rule would have said


def test_a_runoff_tied_again_goes_to_another_runoff() -> None:
    counts = {"1": {YES: 5, NO: 5}, "2": {YES: 5, NO: 5}}
    rules = Rules(quorum=HALF, base=PRESENT, majority=HALF, seats=1, relative=True)
    inputs = Inputs(ELECTION, rules, 10, 10, 10, 10, options=[1, 2])
    result = tally(dataclasses.replace(inputs, totals={"invalid": 0, "counts": counts}))
    assert (result.elected, result.runoff, result.runoff_seats) == ([], [1, 2], 1)


def test_a_write_in_is_a_vote_for_that_member_and_can_be_elected() -> None:
    ballots = [{"marks": {"1": YES}, "others": [77]}] * 6 + [{"marks": {"1": YES, "2": YES}}] * 4
    rules = Rules(quorum=HALF, base=PRESENT, majority=HALF, seats=2)
    inputs = Inputs(ELECTION, rules, 10, 10, 10, 10, [1, 2], ballots=ballots, eligible=[77, 78])
    result = tally(inputs)
    assert result.ballot_verdicts == [True] * 10
    assert (result.elected, result.elected_others, result.unfilled) == ([1], [77], 0)
    written = result.options[-1]
    assert (written.option, written.write_in, written.counts, written.outcome) == (
        77,
        True,
        {YES: 6},
        "elected",
    )
    assert len(result.options) == 3  # 78, written in by nobody, is not listed


def test_a_write_in_counts_toward_the_seats_and_must_be_eligible() -> None:
    over = {"marks": {"1": YES, "2": YES}, "others": [77]}
    assert ballot_problem(ELECTION, 2, [1, 2], (), over, [77]) == (
        "赞成人数超过应选人数（应选 2 人，赞成 3 人（含另选他人 1 人））"
    )
    stranger = {"marks": {}, "others": [99]}
    assert "另选他人须为本组织有被选举权的党员" in str(
        ballot_problem(ELECTION, 2, [1, 2], (), stranger, [77])
    )
    assert (
        ballot_problem(MOTION, 1, [], (), {"vote": YES, "others": [77]}, [77]) == "选票格式无法识别"
    )


def test_written_opinions_count_toward_the_vote_but_not_the_quorum() -> None:
    # 支部党员大会: 10 entitled, 5 present (not more than half): no decision, opinions or not.
    rules = Rules(quorum=HALF, base=ENTITLED, majority=HALF)
    ballots = [{"vote": YES}] * 5
    no_quorum = tally(Inputs(MOTION, rules, 10, 5, 5, 5, ballots=ballots, opinions=[YES] * 4))
    assert (no_quorum.quorum_met, no_quorum.passed) == (False, False)
    # 6 present, 5 yes of 10 entitled is not more than half; one written yes carries it.
    ballots = [{"vote": YES}] * 5 + [{"vote": NO}]
    without = tally(Inputs(MOTION, rules, 10, 6, 6, 6, ballots=ballots))
    with_one = tally(Inputs(MOTION, rules, 10, 6, 6, 6, ballots=ballots, opinions=[YES, NO]))
    assert (without.passed, with_one.passed) == (False, True)
    assert with_one.written == {YES: 1, NO: 1, ABSTAIN: 0}
    assert with_one.options[0].counts == {YES: 6, NO: 2, ABSTAIN: 0}


def test_elections_take_no_written_opinions() -> None:
    rules = Rules(quorum=HALF, base=PRESENT, majority=HALF)
    with pytest.raises(TallyInputError, match="选举和评议不接受书面意见"):
        tally(Inputs(ELECTION, rules, 2, 2, 0, 0, options=[1], opinions=[YES]))
