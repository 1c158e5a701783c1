"""JSON API for 档案材料: list a record's documents, upload one, fetch its details, download it.

Same services and scope as the pages: seeing and downloading needs VIEW_MEMBERS on the record's
organization, uploading the ability its app registered; every download is audited.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.core.actors import Actor
from dangjian.core.documents import check_size, max_bytes, size_label
from dangjian.core.exceptions import DomainError
from dangjian.core.http import attachment
from dangjian.core.models import Document
from dangjian.core.uploads import SizeLimitHandler
from dangjian.documents import services
from dangjian.documents.registry import registered_labels, terms_by_label
from dangjian.documents.selectors import documents_of, get_document_for_user


class DocumentSerializer(serializers.ModelSerializer):
    """档案材料 (the file itself: the download operation)."""

    target_type = serializers.CharField(source="target_type.model_class._meta.label_lower")
    uploaded_by = serializers.CharField(source="uploaded_by.get_username", default=None)

    class Meta:
        model = Document
        fields = [
            "id",
            "target_type",
            "target_id",
            "kind",
            "original_name",
            "mime_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "expires_on",
        ]
        read_only_fields = fields


class DocumentTargetSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(
        choices=registered_labels(), help_text="记录类型，如 members.member（党员）"
    )
    target_id = serializers.IntegerField(min_value=1, help_text="记录编号")


class DocumentUploadSerializer(DocumentTargetSerializer):
    kind = serializers.CharField(max_length=40, help_text="材料名称，如 入党志愿书")
    file = serializers.FileField(help_text="PDF、JPG 或 PNG，按内容检查类型")


def _target(user: Any, label: str, pk: Any) -> Any:
    terms = terms_by_label(label)
    # Registered models only; out of the user's view is "not found", as for the pages.
    target = terms.model._default_manager.filter(pk=pk).first()
    if target is None or not (
        services.may_view_documents(user, target) or services.may_upload_documents(user, target)
    ):
        raise Http404("记录不存在或不在您的管理范围内")
    return target


class DocumentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """档案材料."""

    serializer_class = DocumentSerializer
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser]  # the one write is a file upload

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # A client asking for the file's own type (Accept: application/pdf) still reaches the
        # download; refusals then come as JSON, the one renderer.
        return super().perform_content_negotiation(request, force=True)

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        request.upload_handlers.insert(0, SizeLimitHandler(request, limit=max_bytes()))
        return super().initialize_request(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return Document.objects.none()  # single objects through get_object, lists per record

    def get_object(self) -> Document:
        return get_document_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("target_type", str, required=True, enum=registered_labels()),
            OpenApiParameter("target_id", int, required=True),
        ],
        responses=DocumentSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        """The documents attached to one record."""
        s = DocumentTargetSerializer(data=request.query_params)
        s.is_valid(raise_exception=True)
        target = _target(
            request.user, s.validated_data["target_type"], s.validated_data["target_id"]
        )
        return Response(DocumentSerializer(documents_of(request.user, target), many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def create(self, request: Request) -> Response:
        """上传档案材料 (multipart)."""
        data = request.data  # parsing the body is what trips the size limit
        if getattr(request._request, "upload_too_large", False):
            name = getattr(request._request, "upload_too_large_name", "") or "所选文件"
            raise DomainError(
                f"文件「{name}」超过了 {size_label(max_bytes())} 的上限，未上传。", field="file"
            )
        s = DocumentUploadSerializer(data=data)
        s.is_valid(raise_exception=True)
        f = s.validated_data
        target = _target(request.user, f["target_type"], f["target_id"])
        check_size(f["file"].name, f["file"].size)  # before reading it into memory
        document = services.upload_document(
            actor=Actor.from_request(request),
            target=target,
            kind=f["kind"],
            name=f["file"].name,
            data=f["file"].read(),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="文件"),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="文件"),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="文件"),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> HttpResponse:
        """下载档案材料 (recorded in the audit log)."""
        found = services.download_document(
            actor=Actor.from_request(request), document=self.get_object()
        )
        response = attachment(found.data, found.name, found.mime_type)
        response["Cache-Control"] = "private, no-store"
        return response
