from django.urls import include, path

from opencro.monitoring.oversight import central_views, dashboard_views, qtl_views, risk_views

app_name = "oversight"
urlpatterns: list = [
    path("", dashboard_views.dashboard, name="dashboard"),
    path("sites/<int:site_id>/", dashboard_views.site_page, name="site"),
    path("risks/", risk_views.risk_assessment_page, name="risks"),
    path("risks/v<int:version>/", risk_views.risk_assessment_page, name="risks_version"),
    path("risks/draft/", risk_views.risk_assessment_draft, name="risk_draft"),
    path("risks/add/", risk_views.risk_add, name="risk_add"),
    path("risks/approve/", risk_views.risk_assessment_approve, name="risk_approve"),
    path("risks/<int:risk_id>/", risk_views.risk_edit, name="risk_edit"),
    path("risks/<int:risk_id>/remove/", risk_views.risk_remove, name="risk_remove"),
    path("qtls/", qtl_views.qtl_list_page, name="qtls"),
    path("qtls/new/", qtl_views.qtl_new, name="qtl_new"),
    path("qtls/evaluate/", qtl_views.qtls_evaluate, name="qtls_evaluate"),
    path("qtls/<int:qtl_id>/", qtl_views.qtl_page, name="qtl"),
    path("qtls/breaches/<int:breach_id>/", qtl_views.breach_page, name="qtl_breach"),
    path("central/", central_views.central_page, name="central"),
    path("central/run/", central_views.central_run, name="central_run"),
    path("visits/", include("opencro.monitoring.visits.urls")),
    path("kris/", include("opencro.monitoring.kris.urls")),
    path("issues/", include("opencro.monitoring.issues.urls")),
]
