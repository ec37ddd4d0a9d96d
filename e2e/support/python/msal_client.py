"""MSAL for Python (Debian's python3-msal) against a Monban server.

Reads one JSON object on stdin:
  {"authority": "https://localhost:PORT/TENANT", "client_id": "...", "client_secret": "...",
   "app_scopes": ["https://graph.microsoft.com/.default"],
   "refresh_token": "..." (optional), "user_scopes": ["User.Read"] (optional),
   "wrong_secret": true (optional: also try a wrong secret)}
Prints one JSON object: the MSAL results of each step, as MSAL returned them.
HTTPS trust comes from REQUESTS_CA_BUNDLE (the test CA).
"""
import json
import sys

import msal


def app_for(config, secret):
    # The authority is not one of the reference cloud's hosts: no instance discovery (there is
    # no network beyond loopback); MSAL reads the OpenID configuration under the authority.
    return msal.ConfidentialClientApplication(
        config["client_id"],
        client_credential=secret,
        authority=config["authority"],
        validate_authority=False,
        instance_discovery=False,
    )


def main():
    config = json.load(sys.stdin)
    out = {"msal_version": msal.__version__}
    app = app_for(config, config["client_secret"])

    out["client_credentials"] = app.acquire_token_for_client(scopes=config["app_scopes"])
    # This MSAL (1.21) reads its cache for app tokens through acquire_token_silent(account=None).
    cached = app.acquire_token_silent(config["app_scopes"], account=None) or {}
    out["client_credentials_cached_same_token"] = (
        cached.get("access_token") == out["client_credentials"].get("access_token"))

    if config.get("refresh_token"):
        result = app.acquire_token_by_refresh_token(config["refresh_token"], scopes=config["user_scopes"])
        out["refresh"] = result
        out["accounts"] = [
            {k: a.get(k) for k in ("home_account_id", "environment", "username", "local_account_id", "realm")}
            for a in app.get_accounts()
        ]

    if config.get("wrong_secret"):
        out["wrong_secret"] = app_for(config, "not-the-secret").acquire_token_for_client(scopes=config["app_scopes"])

    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
