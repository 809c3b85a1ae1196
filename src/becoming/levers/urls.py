from django.urls import path

from . import views

urlpatterns = [
    path("levers/effects/", views.effects_page, name="lever_effects"),
    path("levers/queue/", views.queue_page, name="work_queue"),
    path("levers/queue/<str:decision>/", views.queue_decide, name="work_queue_decide"),
    path("levers/tasks/<int:task_id>/done/", views.task_done, name="work_queue_task_done"),
    path("playbooks/", views.playbooks_page, name="playbooks"),
    path("playbooks/save/", views.playbook_save, name="playbook_save"),
    path("playbooks/dry-run/", views.playbook_dry_run, name="playbook_dry_run"),
    path("playbooks/<slug:key>/", views.playbook_page, name="playbook"),
]
