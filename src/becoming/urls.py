from django.contrib.auth import views as auth_views
from django.urls import include, path

from becoming.api.routes import api
from becoming.engage.views.surveys import respond, respond_save
from becoming.web import views
from becoming.web.forms import EmailLoginForm

workspace_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("model/", views.model_edit, name="model"),
    path("model/preview/", views.model_preview, name="model_preview"),
    path("imports/", views.import_start, name="imports"),
    path("imports/<int:upload_id>/map/", views.import_map, name="import_map"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
    path("assess/", views.assess_now, name="assess"),
    path("members/", views.members, name="members"),
    path("tokens/", views.tokens, name="tokens"),
    path("surveys/", include("becoming.engage.urls_surveys")),
    path("outcomes/", include("becoming.outcomes.urls")),
    path("", include("becoming.engage.urls_inbox")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                authentication_form=EmailLoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("w/<slug:slug>/", include(workspace_patterns)),
    path("s/<str:token>/", respond, name="respond"),
    path("s/<str:token>/save/", respond_save, name="respond_save"),
    path("api/v1/", api.urls),
]
