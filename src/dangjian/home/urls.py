from django.urls import path

from dangjian.home import views

# The namespace stays "core": every page links to the 工作台 as core:home.
app_name = "core"
urlpatterns = [path("", views.home, name="home")]
