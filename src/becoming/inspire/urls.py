"""Inspire's staff pages under /w/<slug>/inspire/ and its portal actions under /portal/."""

from django.urls import path

from . import views

urlpatterns = [
    path("inspire/goals/", views.goals, name="inspire_goals"),
    path("inspire/goals/propose/", views.goals_propose, name="inspire_goals_propose"),
    path("inspire/goals/<int:pk>/", views.goal_edit, name="inspire_goal"),
    path("inspire/peers/settings/", views.peer_settings, name="inspire_peer_settings"),
    path("inspire/stories/", views.stories, name="inspire_stories"),
    path("inspire/stories/draft/", views.stories_draft, name="inspire_stories_draft"),
    path("inspire/stories/<int:pk>/", views.story_edit, name="inspire_story"),
    path("inspire/consent/<int:customer>/", views.consent, name="inspire_consent"),
    path("inspire/champions/", views.champions, name="inspire_champions"),
    path("inspire/champions/propose/", views.champions_propose, name="inspire_champions_propose"),
    path("inspire/champions/<int:pk>/invite/", views.champion_invite, name="inspire_champion_invite"),
]

portal_urlpatterns = [
    path("goals/<int:pk>/accept/", views.portal_goal_accept, name="portal_goal_accept"),
    path("stories/", views.portal_stories_page, name="portal_stories"),
]
