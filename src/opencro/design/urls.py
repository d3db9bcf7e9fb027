from django.urls import path

from opencro.design import views

app_name = "design"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("preview/", views.preview, name="preview"),
    path("save/", views.save, name="save"),
    path("compare/", views.compare, name="compare"),
    path("<int:design_id>/", views.report, name="report"),
    path("<int:design_id>/adopt/", views.adopt, name="adopt"),
    path("<int:design_id>/delete/", views.delete, name="delete"),
    path("<int:design_id>/report.pdf", views.report_pdf, name="report_pdf"),
]
