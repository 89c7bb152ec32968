"""The caller's own API tokens: list, create (the secret is in that answer only), revoke.

GET/POST /tokens, DELETE /tokens/<id>. The same services as the profile page's token section
(``booking.accounts.services``: ``tokens_of``, ``issue_token``, ``revoke_token``, each audited); only
the hash of a token is stored, so a token's secret can never be read again. Someone else's token (or
one already revoked) answers 404, like one that does not exist.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts import services
from booking.accounts.models import ApiToken
from booking.api import bp
from booking.api.openapi import operation
from booking.api.shapes import Shape, identifier, instant, many, one, text
from booking.extensions import db

TOKEN = Shape("ApiToken", {
    "id": identifier(),
    "name": text(description="What the token is for."),
    "prefix": text(description="The secret's first characters (dst_…), to tell tokens apart."),
    "created_at": instant(),
    "last_used_at": instant(nullable=True, description="To about five minutes; null: never used."),
    "revoked_at": instant(nullable=True),
})
TOKEN_LIST = Shape("ApiTokenList", {"items": many(TOKEN, description="Newest first, revoked ones too.")})
TOKEN_CREATED = Shape("ApiTokenCreated", {
    "token": one(TOKEN),
    "secret": text(description="The token to send as `Authorization: Bearer <secret>`; shown only now."),
})
TOKEN_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "name": {"type": "string", "maxLength": ApiToken.name.type.length, "description": "What the token is for."},
}}


@bp.get("/tokens")
@operation("Your API tokens", response=TOKEN_LIST.ref)
def list_tokens():
    return jsonify(TOKEN_LIST.dump({"items": services.tokens_of(g.api_user)}))


@bp.post("/tokens")
@operation("Create an API token", response=TOKEN_CREATED.ref, request_body=TOKEN_BODY, status=201,
           description="The answer holds the secret; keep it, only its hash is stored. Audited (`token.issue`).")
def create_token():
    body = request.get_json(silent=True) or {}  # valid against TOKEN_BODY, checked before the view
    token, secret = services.issue_token(g.api_user, body.get("name", ""))
    response = jsonify(TOKEN_CREATED.dump({"token": token, "secret": secret}))
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/tokens/<id:token_id>")
@operation("Revoke one of your API tokens: it is refused from now on", response=TOKEN.ref,
           description="Audited (`token.revoke`). The token of this very request may be revoked too.")
def revoke_token(token_id: int):
    if not services.revoke_token(g.api_user, token_id):
        abort(404)
    return jsonify(TOKEN.dump(db.session.get(ApiToken, token_id)))
