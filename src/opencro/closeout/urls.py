"""Close-out pages, mounted at /studies/<study_id>/closeout/ (namespace "closeout")."""

from django.urls import path

from opencro.closeout import views

app_name = "closeout"
urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("steps/<str:step>/", views.step_page, name="step"),
    path("steps/<str:step>/sign/", views.sign, name="sign"),
    path("approve/", views.approve, name="approve"),
    path("archive/", views.archive, name="archive"),
    path("archive/sites/<int:site_id>/", views.site_archive, name="site_archive"),
]
