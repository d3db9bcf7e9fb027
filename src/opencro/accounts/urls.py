from django.contrib.auth import views as auth_views
from django.urls import path

from opencro.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    path("users/", views.users, name="users"),
    path("users/<int:user_id>/unlock/", views.unlock, name="unlock"),
    path("sign/<int:study_id>/<str:object_type>/<str:object_id>/", views.sign, name="sign"),
]
