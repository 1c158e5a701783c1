"""党组织: the organization tree and the units (单位) organizations sit in."""

from __future__ import annotations

from typing import Protocol

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core.paths import any_subtree_q, subtree_q


class Unit(models.Model):  # type: ignore[django-manager-missing]
    """单位: the employer, village, community or school an organization is set up in."""

    class Category(models.TextChoices):
        GOVERNMENT = "gov", "党政机关"
        PUBLIC_INSTITUTION = "inst", "事业单位"
        STATE_ENTERPRISE = "soe", "国有企业"
        PRIVATE_ENTERPRISE = "private", "非公有制企业"
        SOCIAL_ORG = "social", "社会组织"
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"
        SCHOOL = "school", "学校"
        OTHER = "other", "其他"

    name = models.CharField("单位名称", max_length=100)
    category = models.CharField("单位类别", max_length=10, choices=Category.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    """组织类别."""

    COMMITTEE = "committee", "党委"
    WORKING_COMMITTEE = "working", "党工委"
    GENERAL_BRANCH = "general", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint", "联合党支部"
    TEMPORARY_BRANCH = "temporary", "临时党支部"
    GROUP = "group", "党小组"


BRANCH_KINDS = frozenset({OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH})
COMMITTEE_KINDS = frozenset({OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE})

# Which kinds may sit directly under which (党章 ch. 5; 支部工作条例 Art 4–6): committees hold
# committees, general branches and branches; a general branch holds branches; a 党小组 sits only
# under a branch and holds nothing.
ALLOWED_CHILD_KINDS: dict[str, frozenset[str]] = {
    OrgKind.COMMITTEE: frozenset(COMMITTEE_KINDS | {OrgKind.GENERAL_BRANCH} | BRANCH_KINDS),
    OrgKind.WORKING_COMMITTEE: frozenset(COMMITTEE_KINDS | {OrgKind.GENERAL_BRANCH} | BRANCH_KINDS),
    OrgKind.GENERAL_BRANCH: frozenset(BRANCH_KINDS),
    OrgKind.BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.JOINT_BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.TEMPORARY_BRANCH: frozenset({OrgKind.GROUP}),
    OrgKind.GROUP: frozenset(),
}


class SeesOrgs(Protocol):
    """A scope as the tree needs it (`accounts.scope.Scope`): which organizations it sees."""

    def org_q(self, field: str = "path") -> Q: ...


class OrganizationQuerySet(MP_NodeQuerySet):
    def visible_to(self, scope: SeesOrgs) -> OrganizationQuerySet:
        """What a scope sees: pass `accounts.scope.scope_for(user)` (orgs sits below accounts)."""
        return self.filter(scope.org_q())

    def within(self, paths: tuple[str, ...]) -> OrganizationQuerySet:
        """Organizations under any of `paths` (e.g. `scope.paths(Ability.MANAGE_ORGS)`)."""
        return self.filter(any_subtree_q("path", paths))

    def with_parent_id(self) -> OrganizationQuerySet:
        """Annotate `parent_pk` in the same query (the parent's path is ours minus one step)."""
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
        parents = Organization.objects.filter(path=parent_path).values("pk")[:1]
        return self.annotate(parent_pk=Subquery(parents))

    def active(self) -> OrganizationQuerySet:
        return self.filter(status=Organization.Status.ACTIVE)

    def under(self, org: Organization) -> OrganizationQuerySet:
        """The organization and everything below it: one indexed prefix query on the path."""
        return self.filter(subtree_q("path", org.path))


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model).order_by("path")


class Organization(MP_Node):
    """党组织: a node of the organization tree (党委, 党总支, 党支部, 党小组 …)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        DISSOLVED = "dissolved", "已撤销"

    steplen = 4
    node_order_by: list[str] = []

    name = models.CharField("组织名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("组织类别", max_length=10, choices=OrgKind.choices)
    code = models.CharField("组织代码", max_length=20, unique=True)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    term_start = models.DateField("本届任期开始", null=True, blank=True)
    term_end = models.DateField("本届任期届满", null=True, blank=True)
    secretary = models.ForeignKey(
        "members.Member",
        verbose_name="书记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    version = models.PositiveIntegerField("版本", default=1)

    objects = OrganizationManager()
    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild", "version"])

    class Meta:
        verbose_name = "党组织"
        ordering = ["path"]
        # treebeard's get_children is depth = d + 1 AND path BETWEEN …: for a province's root
        # the path range is the whole table, so without this it read all 300,000 rows.
        indexes = [
            models.Index(fields=["depth", "path"], name="org_depth_path_idx"),
            # 工作台 (换届): terms ending under a path, read from the index alone. Only
            # organizations with a term are in it.
            models.Index(
                fields=["path", "term_end", "status"],
                name="org_path_term_end_idx",
                opclasses=["varchar_pattern_ops", "date_ops", "varchar_pattern_ops"],
                condition=models.Q(term_end__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def holds_members(self) -> bool:
        """党小组 members stay registered with their branch; every other kind may hold members."""
        return self.kind != OrgKind.GROUP
