"""通知: in-app notifications, one per key, mark-read by POST only, the unread count in the nav,
and the channels a notification is handed to after the commit."""

from typing import ClassVar

from django.urls import reverse

from dangjian.core.models import Notification
from dangjian.core.notify import mark_read, notify


class Recording:
    """A channel that remembers what it was given (an SMS gateway would send it)."""

    sent: ClassVar[list[str]] = []

    def deliver(self, notification: Notification) -> None:
        self.sent.append(notification.title)


def test_a_key_is_notified_once(cast):
    assert notify(recipient=cast.secretary, title="预备期满：周新", key="k:due")
    assert not notify(recipient=cast.secretary, title="预备期满：周新", key="k:due")
    assert notify(recipient=cast.township_admin, title="预备期满：周新", key="k:due")
    assert Notification.objects.count() == 2


def test_channels_get_it_after_the_commit(cast, settings, django_capture_on_commit_callbacks):
    settings.DANGJIAN_NOTIFY_CHANNELS = [
        "dangjian.core.notify.InAppChannel",
        "dangjian.core.tests.test_notifications.Recording",
    ]
    Recording.sent.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=cast.secretary, title="换届：东街社区党支部")
    assert Recording.sent == []
    for callback in callbacks:
        callback()
    assert Recording.sent == ["换届：东街社区党支部"]


def test_the_page_lists_mine_and_the_nav_counts_unread(cast):
    notify(recipient=cast.secretary, title="预备期满：周新", link="/members/")
    notify(recipient=cast.outsider, title="远山县的通知")
    body = cast.client(cast.secretary).get(reverse("core:notifications")).content.decode()
    assert "预备期满：周新" in body and "远山县的通知" not in body
    assert 'id="unread-count">1<' in body and 'id="unread-link"' in body


def test_mark_read_is_post_only_and_for_my_own(cast):
    mine = Notification.objects.create(recipient=cast.secretary, title="a")
    theirs = Notification.objects.create(recipient=cast.outsider, title="b")
    client = cast.client(cast.secretary)
    assert client.get(reverse("core:notification-read", args=[mine.pk])).status_code == 405
    client.post(reverse("core:notification-read", args=[theirs.pk]))
    client.post(reverse("core:notification-read", args=[mine.pk]))
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_opening_marks_read_and_goes_to_the_link(cast):
    note = Notification.objects.create(recipient=cast.secretary, title="a", link="/members/")
    response = cast.client(cast.secretary).post(
        reverse("core:notification-read", args=[note.pk]), {"open": "1"}
    )
    assert response["Location"] == "/members/"


def test_mark_all_read(cast):
    for title in ("a", "b"):
        notify(recipient=cast.secretary, title=title)
    cast.client(cast.secretary).post(reverse("core:notifications-read-all"))
    assert mark_read(user=cast.secretary) == 0
