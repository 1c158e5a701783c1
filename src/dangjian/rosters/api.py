"""JSON API for roster imports (花名册导入): the same services and scope as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user
from dangjian.core.actors import Actor
from dangjian.core.api import StepOptionSerializer
from dangjian.core.exceptions import DomainError
from dangjian.rosters import services
from dangjian.rosters.models import ImportBatch
from dangjian.rosters.procedures import batch_actions
from dangjian.rosters.reader import size_limit_label
from dangjian.rosters.selectors import batches_visible_to, get_batch_for_user
from dangjian.rosters.uploads import SizeLimitHandler


class ImportBatchSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "org",
            "org_name",
            "file_name",
            "file_size",
            "status",
            "message",
            "preview",
            "result",
            "created_at",
            "applied_at",
            "undone_at",
            "version",
        ]
        read_only_fields = fields


class ImportBatchDetailSerializer(ImportBatchSerializer):
    actions = serializers.SerializerMethodField(help_text="当前用户现在可以办理的步骤")

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    @extend_schema_field(StepOptionSerializer(many=True))
    def get_actions(self, batch: ImportBatch) -> list[dict[str, Any]]:
        return batch_actions(self.context["request"].user, batch)


class UploadSerializer(serializers.Serializer):
    org = serializers.IntegerField(help_text="导入到的党组织 id")
    file = serializers.FileField(help_text=".xlsx、.xls 或 .csv 花名册")


class ConfirmSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="预览时批次的 version（防止重复确认）")


class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """花名册导入批次: upload (checked into a preview), confirm, undo."""

    serializer_class = ImportBatchSerializer

    def get_serializer_class(self) -> Any:
        return ImportBatchSerializer if self.action == "list" else ImportBatchDetailSerializer

    def _detail(self, batch: ImportBatch) -> Any:
        batch.refresh_from_db()
        return ImportBatchDetailSerializer(batch, context=self.get_serializer_context()).data

    def get_queryset(self) -> Any:
        return batches_visible_to(self.request.user)

    def get_object(self) -> ImportBatch:
        return get_batch_for_user(self.request.user, self.kwargs["pk"])

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        request.upload_handlers.insert(0, SizeLimitHandler(request))
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={201: ImportBatchDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        """上传花名册: returns the batch; poll it until status is ready or invalid."""
        data = request.data  # parsing the body is what trips the size limit
        if getattr(request._request, "upload_too_large", False):
            raise DomainError(f"文件超过 {size_limit_label()} 的上限，未上传。", field="file")
        upload = UploadSerializer(data=data)
        upload.is_valid(raise_exception=True)
        org = get_org_for_user(request.user, upload.validated_data["org"], Ability.IMPORT_ROSTERS)
        file = upload.validated_data["file"]
        batch = services.start_import(
            actor=Actor.from_request(request), org=org, file_name=file.name, data=file.read()
        )
        return Response(self._detail(batch), status=status.HTTP_201_CREATED)

    @extend_schema(request=ConfirmSerializer, responses={202: ImportBatchDetailSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """确认导入: all rows or none; poll the batch until status is applied."""
        batch = self.get_object()  # scope first: an outsider learns nothing from validation
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        batch = services.confirm_import(
            actor=Actor.from_request(request),
            batch=batch,
            expected_version=body.validated_data["version"],
        )
        return Response(self._detail(batch), status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: ImportBatchDetailSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str) -> Response:
        """撤销导入 (the latest batch of its organization, while nothing it touched changed)."""
        batch = self.get_object()
        services.undo_import(actor=Actor.from_request(request), batch=batch)
        return Response(self._detail(batch))
