"""The polls API: the same services, scope and refusals as the pages, and nothing about who
voted what ever leaves the server."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from dangjian.conftest import Cast
from dangjian.core.exceptions import DomainError
from dangjian.members.models import Member, PartyProbation
from dangjian.testing import make_voter
from dangjian.votes.models import Ballot, Envelope, Poll
from dangjian.votes.services import cast_ballot, recount_poll

NAMES = ["王磊", "张伟", "刘洋", "陈杰", "杨帆", "赵敏", "黄强", "周涛", "吴刚", "徐静"]
TODAY = dt.date(2026, 5, 1)
OBJECT_ROUTES = {  # every poll endpoint: (method, route name)
    ("get", "poll-detail"),
    ("get", "poll-turnout"),
    ("post", "poll-open"),
    ("post", "poll-close"),
    ("post", "poll-attendance"),
    ("post", "poll-paper-ballots"),
    ("post", "poll-paper-counts"),
    ("post", "poll-recount"),
    ("post", "poll-next-round"),
    ("post", "poll-ballot"),
    ("post", "poll-written-opinions"),
}


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def add_voters(cast: Cast, n: int, start: int = 0, **member_fields: Any) -> list[Any]:
    """`n` more members of cast.branch with logins (as build_cast links 李明 to member_user),
    named from NAMES[start]."""
    users = []
    for i in range(start, start + n):
        member = make_voter(
            cast.county_admin, cast.branch, name=NAMES[i], username=f"voter{i}", **member_fields
        )
        users.append(member.user)
    return users


def member_of(user: Any) -> Member:
    return Member.objects.get(user=user)


def create(cast: Cast, **fields: Any) -> dict[str, Any]:
    payload = {
        "organization": cast.branch.pk,
        "title": "选举支部委员",
        "kind": "election",
        "method": "online",
        "preset": "election",
        "electorate_on": TODAY.isoformat(),
        **fields,
    }
    response = api(cast.secretary).post(reverse("poll-list"), payload, format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def opened(cast: Cast, candidates: list[Any], seats: int = 1, **fields: Any) -> dict[str, Any]:
    ids = [member_of(u).pk for u in candidates]
    poll = create(cast, candidates=ids, seats=seats, **fields)
    url = reverse("poll-open", args=[poll["id"]])
    response = api(cast.secretary).post(url, {"expected_version": poll["version"]}, format="json")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def marks(poll: dict[str, Any], *yes: str) -> dict[str, Any]:
    """An election ballot: 赞成 for the candidates named, 不赞成 for the others."""
    return {
        "marks": {str(c["id"]): "yes" if c["name"] in yes else "no" for c in poll["candidates"]}
    }


def vote(poll: dict[str, Any], user: Any, *yes: str) -> Any:
    url = reverse("poll-ballot", args=[poll["id"]])
    return api(user).post(url, {"choices": marks(poll, *yes)}, format="json")


def close(cast: Cast, poll: dict[str, Any]) -> dict[str, Any]:
    version = api(cast.secretary).get(reverse("poll-detail", args=[poll["id"]])).json()["version"]
    url = reverse("poll-close", args=[poll["id"]])
    response = api(cast.secretary).post(url, {"expected_version": version}, format="json")
    assert response.status_code == 200, response.json()
    return dict(response.json())


def test_full_lifecycle_from_creation_to_result_through_the_api(cast: Cast) -> None:
    voters = [cast.member_user, *add_voters(cast, 3)]
    poll = opened(cast, voters[1:3])  # 王磊 and 张伟 stand for one seat
    assert poll["status"] == "open" and poll["turnout"]["entitled"] == 4
    for user in voters:
        response = vote(poll, user, "王磊")
        assert response.status_code == 201 and response.json() == {"voted": True}
    result = close(cast, poll)["result"]
    elected = [c["id"] for c in poll["candidates"] if c["name"] == "王磊"]
    assert result["elected"] == elected and result["valid"] == 4


def test_outsider_gets_404_on_every_poll_endpoint(cast: Cast) -> None:
    poll = opened(cast, add_voters(cast, 2))
    client = api(cast.outsider)
    for method, name in OBJECT_ROUTES:
        response = getattr(client, method)(reverse(name, args=[poll["id"]]), {}, format="json")
        assert response.status_code == 404, (name, response.status_code)
    assert client.get(reverse("poll-list")).json()["results"] == []


def test_outsider_cannot_create_a_poll_for_another_countys_branch(cast: Cast) -> None:
    payload = {"organization": cast.branch.pk, "title": "表决", "kind": "motion"}
    payload |= {"method": "online", "preset": "meeting", "electorate_on": TODAY.isoformat()}
    assert api(cast.outsider).post(reverse("poll-list"), payload, format="json").status_code == 404


def test_a_voter_cannot_open_or_close_a_poll(cast: Cast) -> None:
    poll = opened(cast, add_voters(cast, 2))
    client = api(cast.member_user)
    assert client.get(reverse("poll-detail", args=[poll["id"]])).status_code == 200
    for name in ("poll-open", "poll-close", "poll-recount", "poll-attendance"):
        url = reverse(name, args=[poll["id"]])
        response = client.post(url, {"expected_version": poll["version"]}, format="json")
        assert response.status_code == 403, name
    assert Poll.objects.get(pk=poll["id"]).status == "open"


def test_a_result_is_not_shown_while_the_poll_is_open(cast: Cast) -> None:
    voters = [cast.member_user, *add_voters(cast, 2)]
    poll = opened(cast, voters[1:])
    for user in voters:
        vote(poll, user, "王磊")
    for user in (cast.secretary, cast.member_user):
        detail = api(user).get(reverse("poll-detail", args=[poll["id"]])).json()
        assert detail["result"] is None and detail["ballots_digest"] is None
    assert close(cast, poll)["result"]["valid"] == 3


def test_turnout_names_who_has_not_voted_only_to_managers(cast: Cast) -> None:
    voters = [cast.member_user, *add_voters(cast, 2)]
    poll = opened(cast, voters[1:])
    vote(poll, cast.member_user, "王磊")
    url = reverse("poll-turnout", args=[poll["id"]])
    manager, voter = api(cast.secretary).get(url).json(), api(cast.member_user).get(url).json()
    assert sorted(manager["not_voted"]) == sorted(["王磊", "张伟"]) and manager["voted"] == 1
    assert voter["not_voted"] == [] and voter["voters"] == [] and voter["voted"] == 1


def test_a_secret_poll_stores_no_voter_and_the_api_never_says_who_voted_what(cast: Cast) -> None:
    voters = [cast.member_user, *add_voters(cast, 2)]
    poll = opened(cast, voters[1:])
    cast_response = vote(poll, cast.member_user, "张伟")
    assert "marks" not in cast_response.content.decode()
    close(cast, poll)
    assert list(Ballot.objects.filter(poll_id=poll["id"]).values_list("voter", flat=True)) == [None]
    for user in (cast.secretary, cast.county_admin, cast.member_user):
        client = api(user)
        for name in ("poll-detail", "poll-turnout"):
            body = client.get(reverse(name, args=[poll["id"]])).content.decode()
            assert (
                '"marks"' not in body and '"choices"' not in body and "ballot_verdicts" not in body
            )


def test_probationary_and_sanctioned_members_have_no_vote(cast: Cast) -> None:
    (probationary,) = add_voters(cast, 1, full=None, join=dt.date(2025, 10, 1))
    sanctioned_user = add_voters(cast, 2, start=1)[1]
    sanctioned = member_of(sanctioned_user)
    PartyProbation.objects.create(
        member=sanctioned, start_date=dt.date(2025, 1, 1), document_no="纪发〔2025〕1号"
    )
    poll = create(cast, kind="motion", preset="meeting", title="接收预备党员")
    api(cast.secretary).post(
        reverse("poll-open", args=[poll["id"]]), {"expected_version": 1}, format="json"
    )
    names = api(cast.secretary).get(reverse("poll-turnout", args=[poll["id"]])).json()["not_voted"]
    assert sorted(names) == sorted(["李明", "张伟"])
    for user in (probationary, sanctioned_user):
        url = reverse("poll-ballot", args=[poll["id"]])
        assert api(user).post(url, {"choices": {"vote": "yes"}}, format="json").status_code == 404
        with pytest.raises(DomainError, match="不在本次表决的表决权人名单中"):
            cast_ballot(actor=user, poll=Poll.objects.get(pk=poll["id"]), choices={"vote": "yes"})
    assert not Envelope.objects.filter(poll_id=poll["id"]).exists()


def test_a_ballot_after_the_closing_time_is_refused(cast: Cast) -> None:
    closes_at = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    poll = opened(cast, add_voters(cast, 2), closes_at=closes_at)
    response = vote(poll, cast.member_user, "王磊")
    assert response.status_code == 400
    assert response.json() == {"detail": "投票已截止。", "field": None}
    assert not Envelope.objects.filter(poll_id=poll["id"]).exists()


def test_a_second_ballot_by_the_same_voter_is_refused_in_chinese(cast: Cast) -> None:
    poll = opened(cast, add_voters(cast, 2))
    assert vote(poll, cast.member_user, "王磊").status_code == 201
    again = vote(poll, cast.member_user, "张伟")
    assert again.status_code == 400 and "已投过票" in again.json()["detail"]


def tampered(ballot: Ballot) -> None:
    Ballot.objects.filter(pk=ballot.pk).update(choices={"marks": {}})


def deleted(ballot: Ballot) -> None:
    Ballot.objects.filter(pk=ballot.pk).delete()


def inserted(ballot: Ballot) -> None:
    Ballot.objects.create(poll=ballot.poll, choices=ballot.choices, source="online", seal="0" * 64)


@pytest.mark.parametrize("tamper", [tampered, deleted, inserted])
def test_recount_detects_a_ballot_changed_after_the_count(cast: Cast, tamper: Any) -> None:
    voters = [cast.member_user, *add_voters(cast, 2)]
    poll = opened(cast, voters[1:])
    for user in voters:
        vote(poll, user, "王磊")
    close(cast, poll)
    url = reverse("poll-recount", args=[poll["id"]])
    assert api(cast.secretary).post(url).json()["ok"] is True
    tamper(Ballot.objects.filter(poll_id=poll["id"]).first())
    response = api(cast.secretary).post(url).json()
    assert response["ok"] is False and response["problems"]
    assert not recount_poll(actor=cast.secretary, poll=Poll.objects.get(pk=poll["id"])).ok


def test_a_tie_across_the_last_seat_goes_to_a_second_round_among_the_tied(cast: Cast) -> None:
    voters = [cast.member_user, *add_voters(cast, 7)]  # 8 voters, 2 seats, 16 赞成 at most
    poll = opened(cast, voters[1:4], seats=2)  # 王磊, 张伟, 刘洋
    pairs = [("王磊", "张伟")] * 3 + [("王磊", "刘洋")] * 3 + [("张伟", "刘洋")] * 2
    for user, pair in zip(voters, pairs, strict=True):
        assert vote(poll, user, *pair).status_code == 201
    result = close(cast, poll)["result"]  # 王磊 6, 张伟 5, 刘洋 5: more than half of 8 each
    ids = {c["name"]: c["id"] for c in poll["candidates"]}
    assert result["elected"] == [ids["王磊"]] and sorted(result["runoff"]) == sorted(
        [ids["张伟"], ids["刘洋"]]
    )
    response = api(cast.secretary).post(reverse("poll-next-round", args=[poll["id"]]))
    assert response.status_code == 201, response.json()
    second = response.json()
    assert second["round_no"] == 2 and second["seats"] == 1 and second["previous"] == poll["id"]
    assert sorted(c["name"] for c in second["candidates"]) == sorted(["张伟", "刘洋"])


def test_domain_errors_are_a_400_with_the_chinese_message_and_field(cast: Cast) -> None:
    payload = {"organization": cast.branch.pk, "title": "选举", "kind": "election"}
    payload |= {"method": "online", "preset": "election", "secret": False}
    payload |= {"electorate_on": TODAY.isoformat(), "candidates": [cast.member.pk]}
    response = api(cast.secretary).post(reverse("poll-list"), payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "选举必须采用无记名投票。", "field": "secret"}


def test_candidates_outside_the_users_scope_are_refused(cast: Cast) -> None:
    payload = {"organization": cast.branch.pk, "title": "选举", "kind": "election"}
    payload |= {"method": "online", "preset": "election", "electorate_on": TODAY.isoformat()}
    payload["candidates"] = [cast.member.pk, cast.far_member.pk]
    response = api(cast.secretary).post(reverse("poll-list"), payload, format="json")
    assert response.status_code == 400 and response.json()["field"] == "candidates"


def test_paper_ballots_are_entered_and_counted_by_the_tellers(cast: Cast) -> None:
    voters = add_voters(cast, 2)
    poll = opened(cast, [], kind="motion", preset="meeting", method="paper", title="接收预备党员")
    client, pk = api(cast.secretary), poll["id"]
    voter_ids = [v["id"] for v in client.get(reverse("poll-turnout", args=[pk])).json()["voters"]]
    assert client.post(
        reverse("poll-attendance", args=[pk]), {"present": voter_ids}, format="json"
    ).json() == {"present": 3}
    for choices in ({"vote": "yes"}, {"vote": "yes"}, {"invalid": True}):
        client.post(reverse("poll-paper-ballots", args=[pk]), {"choices": choices}, format="json")
    client.post(reverse("poll-paper-counts", args=[pk]), {"issued": 3}, format="json")
    result = close(cast, poll)["result"]
    assert (result["valid"], result["invalid"], result["passed"]) == (2, 1, True)
    assert len(voters) == 2


def test_openapi_schema_builds_without_warnings_for_the_polls_api(cast: Cast) -> None:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    found = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [w for w in found if any(k in w.lower() for k in ("poll", "vote", "enum"))] == []
    assert {"/api/polls/", "/api/polls/{id}/ballot/", "/api/polls/{id}/next-round/"} <= set(
        schema["paths"]
    )
    assert "choices" not in json.dumps(schema["components"]["schemas"]["Poll"])
