from typing import Any

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """档案材料: scanned files attached to the records of any app, in scope and audited."""

    name = "dangjian.documents"
    verbose_name = "档案材料"

    def ready(self) -> None:
        from dangjian.core import procedures

        # A procedure step that needs documents (core.procedures.Step.documents) asks here
        # whether its record has one of each kind: core may not import this app.
        procedures.configure(documents=has_document)


def has_document(record: Any, kind: str) -> bool:
    """Whether `record` has a document of `kind` (材料名称) attached."""
    from django.contrib.contenttypes.models import ContentType

    from dangjian.core.models import Document

    return Document.objects.filter(
        target_type=ContentType.objects.get_for_model(record), target_id=record.pk, kind=kind
    ).exists()
