from django.urls import path

from opencro.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.deviation_list_page, name="deviations"),
    path("export.csv", views.deviation_csv, name="deviations_csv"),
    path("new/", views.deviation_new, name="deviation_new"),
    path("detect/", views.deviations_detect, name="deviations_detect"),
    path("<int:deviation_id>/", views.deviation_page, name="deviation"),
    path("<int:deviation_id>/edit/", views.deviation_edit, name="deviation_edit"),
    path("<int:deviation_id>/classify/", views.deviation_classify, name="deviation_classify"),
    path("<int:deviation_id>/reject/", views.deviation_reject, name="deviation_reject"),
    path("<int:deviation_id>/close/", views.deviation_close, name="deviation_close"),
    path("<int:deviation_id>/reopen/", views.deviation_reopen, name="deviation_reopen"),
]
