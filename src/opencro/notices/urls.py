from django.urls import path

from opencro.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notices_page, name="list"),
    path("<int:notice_id>/read/", views.notice_read, name="read"),
    path("read-all/", views.notices_read_all, name="read_all"),
]
