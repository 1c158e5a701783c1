import datetime as dt

from django.urls import reverse

from dangjian.core.dates import today


def test_api_round_trip(cast, branch_people):
    client = cast.client(cast.secretary)
    body = {
        "org": cast.branch.pk,
        "kind": "general",
        "title": "API 党员大会",
        "date": today().isoformat(),
        "topics": ["议题一"],
    }
    created = client.post(reverse("meeting-list"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert meeting["kind"] == "general" and meeting["late_entry"] is False
    url = reverse("meeting-attendance", args=[meeting["id"]])
    read = client.get(url).json()
    rows = [{"member": r["member"], "status": "present"} for r in read["rows"]]
    rows[0]["status"], rows[0]["reason"] = "leave", "生病"
    saved = client.put(
        url, {"rows": rows, "version": read["version"]}, content_type="application/json"
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["tally"] == {
        "expected": 3,
        "present": 2,
        "leave": 1,
        "absent": 0,
        "others": 0,
    }
    stale = client.put(
        url, {"rows": rows, "version": read["version"]}, content_type="application/json"
    )
    assert stale.status_code in (400, 409)
    minutes = client.put(
        reverse("meeting-minutes", args=[meeting["id"]]),
        {"discussion": "讨论", "decisions": "决定", "version": saved.json()["version"]},
        content_type="application/json",
    )
    assert minutes.status_code == 200 and minutes.json()["status"] == "held"


def test_api_member_reads_only_own_row(cast, meeting):
    url = reverse("meeting-attendance", args=[meeting.pk])
    data = cast.client(cast.member_user).get(url).json()
    assert [r["member_name"] for r in data["rows"]] == ["李明"] and data["tally"] is None


def test_api_outsider_404_and_late_entry_visible(cast, branch_people):
    client = cast.client(cast.secretary)
    body = {
        "org": cast.branch.pk,
        "kind": "theme_day",
        "title": "补录",
        "date": (today() - dt.timedelta(days=1)).isoformat(),
    }
    created = client.post(reverse("meeting-list"), body, content_type="application/json").json()
    assert created["late_entry"] is True
    url = reverse("meeting-detail", args=[created["id"]])
    assert cast.client(cast.outsider).get(url).status_code == 404
