"""What is due next on a file (谈话, 思想汇报, 考察, 审批 …), copied onto the file after every step
and entry so the work lists and the 工作台 read one indexed column."""

from __future__ import annotations

from dangjian.recruitment.models import Applicant


def refresh(applicant: Applicant) -> None:
    """Recompute `due_on` and `due_label` (filled in by the work-lists part of issue 15)."""
