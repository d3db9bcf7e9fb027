from django.urls import path

from opencro.subjects import views

app_name = "subjects"
urlpatterns = [path("", views.subject_list_page, name="list")]
