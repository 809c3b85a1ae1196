"""Sign-in by email address: people know their email, not a username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = (email or username or "").strip().lower()
        user = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
        if user and user.check_password(password or "") and self.user_can_authenticate(user):
            return user
        return None
