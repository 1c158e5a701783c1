from django.urls import path

from dangjian.documents import views

app_name = "documents"
urlpatterns = [
    path("upload/<str:label>/<int:pk>/", views.upload, name="upload"),
    path("<int:pk>/download/", views.download, name="document-download"),
]
