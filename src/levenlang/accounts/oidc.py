"""Production login through one OpenID Connect provider (mozilla-django-oidc). Residents arrive with a `bsn`
claim (DigiD through the broker), organisations with a `kvk` claim (eHerkenning), staff with an e-mail address
and one staff role in `roles`. Who becomes which user is decided in accounts.services.user_for_claims."""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from levenlang.accounts.services import user_for_claims


class LevenlangOIDCBackend(OIDCAuthenticationBackend):
    def get_or_create_user(self, access_token, id_token, payload):
        return user_for_claims(self.get_userinfo(access_token, id_token, payload))
