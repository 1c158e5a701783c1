"""Statistics rollups (统计汇总): per-day margin deltas for large subtrees, and the change log
that keeps them current without locking anything a writer touches.

For each rollup node and each day on which something changed in its subtree, a row holds how
many members entered (+) or left (−) each cell of the report's margins that day (joining,
leaving, converting, moving, or an age band crossed on a birthday). A report for date D is the
sum of the rows up to D, plus the changes still waiting in the log.
"""

from __future__ import annotations

from django.db import models

from dangjian.orgs.models import Organization
from dangjian.stats.cells import WIDTH


class RollupNode(models.Model):
    """汇总节点: an organization whose subtree is large enough to keep rollups for."""

    org = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255, unique=True)  # as when built; moves mark dirty

    def __str__(self) -> str:
        return self.path


class MarginDelta(models.Model):
    """One node's margin changes on one day (c00 … in the order of cells.CELLS)."""

    node = models.ForeignKey(RollupNode, on_delete=models.CASCADE, related_name="deltas")
    day = models.DateField()
    for _i in range(WIDTH):
        locals()[f"c{_i:02d}"] = models.IntegerField(default=0)
    del _i

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "day"], name="margin_node_day")]

    def __str__(self) -> str:
        return f"{self.node_id}@{self.day}"


class MarginYear(models.Model):
    """Checkpoint: a node's margins summed over all its deltas up to 31 December of `year`, so a
    read adds at most a year of daily rows to one checkpoint."""

    node = models.ForeignKey(RollupNode, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField()
    for _i in range(WIDTH):
        locals()[f"c{_i:02d}"] = models.IntegerField(default=0)
    del _i

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "year"], name="margin_node_year")]

    def __str__(self) -> str:
        return f"{self.node_id}@{self.year}"


class MarginChange(models.Model):
    """A member's statistics before and after a write, waiting to be folded into the deltas.

    Written in the writer's transaction (one insert, no shared row), folded in the background.
    """

    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"change {self.pk}"


class RollupState(models.Model):
    """One row: whether the rollups can be trusted (a subtree move makes them stale)."""

    dirty = models.BooleanField(default=True)
    built_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return "dirty" if self.dirty else "clean"


class StatsTick(models.Model):
    """统计刷新标记: one write's changed members (null: the tree changed, or too many to list).

    One insert in the writer's transaction, never updated, so writers share no row; each
    process's in-memory column store (stats.columnar) reads the ticks it has not seen and
    re-reads those members. Pruned after an hour (columnar.TICK_KEEP).
    """

    members = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"tick {self.pk}"
