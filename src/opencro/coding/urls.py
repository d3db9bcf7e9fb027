from django.urls import path

from opencro.coding import views

app_name = "coding"
urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("terms/<int:term_id>/code/", views.term_code, name="term_code"),
    path("terms/<int:term_id>/clarify/", views.term_clarify, name="term_clarify"),
    path("terms/<int:term_id>/approve/", views.term_approve, name="term_approve"),
    path("synonyms/", views.synonyms_page, name="synonyms"),
    path("synonyms/<int:synonym_id>/delete/", views.synonym_delete, name="synonym_delete"),
    path("upgrades/", views.upgrades_page, name="upgrades"),
    path("upgrades/<int:upgrade_id>/", views.upgrade_page, name="upgrade"),
]
