"""Survey pages of a workspace, under /w/<slug>/surveys/."""

from django.urls import path

from .views import surveys as views

urlpatterns = [
    path("", views.survey_list, name="surveys"),
    path("new/", views.survey_new, name="survey_new"),
    path("self-assessment/", views.survey_self_assessment, name="survey_self_assessment"),
    path("<int:pk>/", views.survey_detail, name="survey"),
    path("<int:pk>/questions/", views.question_add, name="survey_question_add"),
    path("<int:pk>/questions/<int:question>/delete/", views.question_delete, name="survey_question_delete"),
    path("<int:pk>/status/", views.survey_status, name="survey_status"),
    path("<int:pk>/distribute/", views.survey_distribute, name="survey_distribute"),
    path("<int:pk>/distribute/preview/", views.survey_preview, name="survey_preview"),
    path("<int:pk>/results/", views.survey_results, name="survey_results"),
]
