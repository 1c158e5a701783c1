"""基层党委（审批）and 纪委: granted by the security administrator on a node, shown in Chinese,
they see the subtree's members and edit none."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from dangjian.accounts.models import RoleGrant


def _grant(cast, user, role, org):
    return cast.client(cast.secadmin).post(
        reverse("accounts:grants"), {"user": user.pk, "role": role, "org": org.pk}
    )


def test_security_admin_grants_the_committee_roles_on_a_node(cast):
    user = get_user_model().objects.create_user("jiwei")
    for role, label in (("partycomm", "基层党委（审批）"), ("discipline", "纪委")):
        assert _grant(cast, user, role, cast.township).status_code == 302
        assert RoleGrant.objects.get(user=user, role=role).org == cast.township
        page = cast.client(cast.secadmin).get(reverse("accounts:grants")).content.decode()
        assert label in page


def test_the_committee_roles_need_an_organization(cast):
    user = get_user_model().objects.create_user("dangwei")
    response = cast.client(cast.secadmin).post(
        reverse("accounts:grants"), {"user": user.pk, "role": "partycomm"}
    )
    assert "该角色必须指定授权的党组织" in response.content.decode()
    assert not RoleGrant.objects.filter(user=user).exists()


def test_a_committee_login_sees_the_subtrees_members_but_does_not_edit(cast):
    user = get_user_model().objects.create_user("dangwei")
    _grant(cast, user, "partycomm", cast.township)
    client = cast.client(user)
    assert client.get(reverse("members:detail", args=[cast.member.pk])).status_code == 200
    assert client.get(reverse("members:edit", args=[cast.member.pk])).status_code == 403
    assert client.get(reverse("members:detail", args=[cast.neighbour.pk])).status_code == 404
    listing = client.get(reverse("members:list")).content.decode()
    assert "李明" in listing and "王芳" not in listing
