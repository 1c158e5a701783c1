from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """档案材料: scanned files attached to the records of any app, in scope and audited."""

    name = "dangjian.documents"
    verbose_name = "档案材料"
