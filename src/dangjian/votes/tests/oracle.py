"""A second, deliberately plain counter for the property tests in test_tally.py.

Written again from the rules, not from tally.py: only loops, if-statements and integer
arithmetic, so that each rule can be checked by reading it. It returns the same JSON shape as
`Result.as_json()`. Write-ins (另选他人) are counted like 赞成 votes for their member, written
opinions (书面意见) like ballots of a motion that nobody brought to the meeting, and a runoff
among the tied (`relative`) elects by votes alone. It assumes well-formed inputs (ballot mode
only; totals are checked by the tests against the ballot-mode count instead).
"""

from __future__ import annotations

from typing import Any

from dangjian.votes.tally import (
    ABSTAIN,
    ELECTION,
    ENTITLED,
    MOTION,
    NO,
    PRESENT,
    YES,
    Inputs,
    Threshold,
)


def oracle(inputs: Inputs) -> dict[str, Any]:
    verdicts = [is_valid(inputs, ballot) for ballot in inputs.ballots]
    valid_ballots = [b for b, ok in zip(inputs.ballots, verdicts, strict=True) if ok]
    valid = len(valid_ballots)
    quorum_met = reaches(inputs.present, inputs.entitled, inputs.rules.quorum)
    void = inputs.returned > inputs.issued
    if inputs.rules.base == ENTITLED:
        base = inputs.entitled
    elif inputs.rules.base == PRESENT:
        base = inputs.present
    else:
        base = valid + len(inputs.opinions)  # a written opinion is a valid vote
    result: dict[str, Any] = {
        "valid": valid,
        "invalid": len(inputs.ballots) - valid,
        "quorum_met": quorum_met,
        "void": void,
        "base": base,
        "options": [],
        "elected": [],
        "runoff": [],
        "runoff_seats": 0,
        "unfilled": 0,
        "passed": None,
        "ballot_verdicts": verdicts,
        "written": {},
        "elected_others": [],
        "runoff_others": [],
    }
    decides = quorum_met and not void
    if inputs.kind == MOTION:
        count_motion(inputs, valid_ballots, base, decides, result)
    elif inputs.kind == ELECTION:
        count_election(inputs, valid_ballots, base, decides, result)
    else:
        count_grades(inputs, valid_ballots, base, decides, result)
    return result


# --- validity --------------------------------------------------------------------------------


def is_valid(inputs: Inputs, ballot: Any) -> bool:
    if not isinstance(ballot, dict):
        return False
    if ballot.get("invalid") is True:
        return False
    if inputs.kind == MOTION:
        return motion_ballot_ok(ballot)
    if inputs.kind == ELECTION:
        return election_ballot_ok(inputs, ballot)
    return grade_ballot_ok(inputs, ballot)


def motion_ballot_ok(ballot: dict[str, Any]) -> bool:
    for key in ballot:
        if key != "vote":
            return False
    if "vote" not in ballot:
        return True
    return ballot["vote"] in (YES, NO, ABSTAIN)


def election_ballot_ok(inputs: Inputs, ballot: dict[str, Any]) -> bool:
    for key in ballot:
        if key != "marks" and key != "others":
            return False
    others = ballot.get("others", [])
    if not isinstance(others, list):
        return False
    for i, member in enumerate(others):
        if type(member) is not int or member not in inputs.eligible or member in others[:i]:
            return False
    marks = ballot.get("marks", {})
    if not isinstance(marks, dict):
        return False
    yes_marks = 0
    for key, mark in marks.items():
        if not on_the_list(inputs, key):
            return False
        if mark == YES:
            yes_marks += 1
        elif mark != NO and mark != ABSTAIN:
            return False
    return yes_marks + len(others) <= inputs.rules.seats


def grade_ballot_ok(inputs: Inputs, ballot: dict[str, Any]) -> bool:
    for key in ballot:
        if key != "grades":
            return False
    grades = ballot.get("grades", {})
    if not isinstance(grades, dict):
        return False
    for key, grade in grades.items():
        if not on_the_list(inputs, key):
            return False
        known = False
        for code in inputs.grades:
            if grade == code:
                known = True
        if not known:
            return False
    return True


def on_the_list(inputs: Inputs, key: Any) -> bool:
    return any(key == str(option) for option in inputs.options)


def reaches(count: int, base: int, threshold: Threshold) -> bool:
    """count > share × base (or >=), by cross-multiplying integers."""
    left = count * threshold.share.denominator
    right = threshold.share.numerator * base
    if threshold.strict:
        return left > right
    return left >= right


def wins(count: int, base: int, threshold: Threshold) -> bool:
    # Zero votes never carry anything, even when the base is 0.
    return count > 0 and reaches(count, base, threshold)


# --- the three kinds -------------------------------------------------------------------------


def count_motion(
    inputs: Inputs, ballots: list[Any], base: int, decides: bool, result: dict[str, Any]
) -> None:
    counts = {YES: 0, NO: 0, ABSTAIN: 0}
    for ballot in ballots:
        vote = ballot.get("vote", ABSTAIN)
        counts[vote] += 1
    if inputs.opinions:
        written = {YES: 0, NO: 0, ABSTAIN: 0}
        for mark in inputs.opinions:
            written[mark] += 1
            counts[mark] += 1
        result["written"] = written
    outcome = ""
    passed = False
    if decides:
        passed = wins(counts[YES], base, inputs.rules.majority)
        outcome = "passed" if passed else "rejected"
    result["options"] = [{"option": None, "counts": counts, "outcome": outcome, "write_in": False}]
    result["passed"] = passed


def count_election(
    inputs: Inputs, ballots: list[Any], base: int, decides: bool, result: dict[str, Any]
) -> None:
    seats = inputs.rules.seats
    yes_of = {}  # ("c", candidate) or ("m", written-in member) → yes votes
    rows = []
    for candidate in inputs.options:
        counts = {YES: 0, NO: 0, ABSTAIN: 0}
        for ballot in ballots:
            marks = ballot.get("marks", {})
            mark = marks.get(str(candidate), ABSTAIN)
            counts[mark] += 1
        yes_of[("c", candidate)] = counts[YES]
        rows.append(("c", candidate))
        result["options"].append(
            {"option": candidate, "counts": counts, "outcome": "", "write_in": False}
        )
    for member in inputs.eligible:
        n = 0
        for ballot in ballots:
            if member in ballot.get("others", []):
                n += 1
        if n > 0:
            yes_of[("m", member)] = n
            rows.append(("m", member))
            result["options"].append(
                {"option": member, "counts": {YES: n}, "outcome": "", "write_in": True}
            )
    if not decides:
        result["unfilled"] = seats
        return

    qualified = []
    for candidate in rows:
        if inputs.rules.relative:
            if yes_of[candidate] > 0:
                qualified.append(candidate)
        elif wins(yes_of[candidate], base, inputs.rules.majority):
            qualified.append(candidate)

    elected_unordered = []
    runoff = []
    for candidate in qualified:
        more = 0  # qualified candidates with strictly more votes
        same = 0  # its tie group, itself included
        for other in qualified:
            if yes_of[other] > yes_of[candidate]:
                more += 1
            if yes_of[other] == yes_of[candidate]:
                same += 1
        if more + same <= seats:
            elected_unordered.append(candidate)
        elif more < seats:
            runoff.append(candidate)

    # Order the elected by votes, most first; among equals the first on the ballot first.
    elected = []
    remaining = list(elected_unordered)
    while remaining:
        best = remaining[0]
        for candidate in remaining:
            if yes_of[candidate] > yes_of[best]:
                best = candidate
        elected.append(best)
        remaining.remove(best)

    result["elected"] = [o for kind, o in elected if kind == "c"]
    result["elected_others"] = [o for kind, o in elected if kind == "m"]
    result["runoff"] = [o for kind, o in runoff if kind == "c"]
    result["runoff_others"] = [o for kind, o in runoff if kind == "m"]
    if runoff:
        result["runoff_seats"] = seats - len(elected)
    else:
        result["unfilled"] = seats - len(elected)
    for key, row in zip(rows, result["options"], strict=True):
        if key in elected:
            row["outcome"] = "elected"
        elif key in runoff:
            row["outcome"] = "runoff"
        else:
            row["outcome"] = "not_elected"


def count_grades(
    inputs: Inputs, ballots: list[Any], base: int, decides: bool, result: dict[str, Any]
) -> None:
    for person in inputs.options:
        counts = {}
        for grade in inputs.grades:
            counts[grade] = 0
        for ballot in ballots:
            grades = ballot.get("grades", {})
            if str(person) in grades:
                counts[grades[str(person)]] += 1
        outcome = ""
        if decides:
            for grade in inputs.grades:  # best first: the first grade a majority gave
                if outcome == "" and wins(counts[grade], base, inputs.rules.majority):
                    outcome = grade
        result["options"].append(
            {"option": person, "counts": counts, "outcome": outcome, "write_in": False}
        )
