"""The issuer documents of a pool: the JWKS publishes the pool's signing
keys so that a relying party verifies tokens signed with them, and the
discovery document points at the right places."""
import base64
import json
import os

import jwt
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import psql


def _b64(s):
    return base64.b64decode(s + "=" * (-len(s) % 4))


def _private_keys(server, pool_id):
    """The pool's private keys, opened with the master key the way the
    daemon opens them ("v1.<b64 nonce>.<b64 ciphertext+tag>")."""
    out = psql(server, "SELECT kid, private_sealed FROM pool_keys "
               "WHERE pool_id = '%s'" % pool_id, "\t")
    with open(os.path.join(server.state_dir, "master.key")) as f:
        master = bytes.fromhex(f.read().strip())
    keys = {}
    for line in out.splitlines():
        kid, sealed = line.split("\t")
        version, nonce, ct = sealed.split(".")
        assert version == "v1"
        keys[kid] = AESGCM(master).decrypt(_b64(nonce), _b64(ct), None)
    return keys


def _jwks(server, pool_id):
    r = server.request("GET", "/%s/.well-known/jwks.json" % pool_id)
    assert r.status == 200, r
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def test_jwks_verifies_a_signature_made_with_the_pools_key(server, pool):
    jwks = _jwks(server, pool["Id"])
    assert len(jwks["keys"]) == 2
    private = _private_keys(server, pool["Id"])
    assert set(private) == {k["kid"] for k in jwks["keys"]}
    for kid, pem in private.items():
        token = jwt.encode({"sub": "alice", "token_use": "id"}, pem,
                           algorithm="RS256", headers={"kid": kid})
        public = jwt.PyJWKSet.from_dict(jwks)
        key = next(k for k in public.keys if k.key_id == kid)
        claims = jwt.decode(token, key.key, algorithms=["RS256"])
        assert claims["sub"] == "alice"


def test_jwks_keys_are_rs256_with_thumbprint_kids(server, pool):
    for k in _jwks(server, pool["Id"])["keys"]:
        assert (k["kty"], k["alg"], k["use"], k["e"]) == \
            ("RSA", "RS256", "sig", "AQAB")
        assert len(_b64(k["n"].replace("-", "+").replace("_", "/"))) == 256
        canon = json.dumps({"e": k["e"], "kty": "RSA", "n": k["n"]},
                           separators=(",", ":"), sort_keys=True)
        import hashlib
        thumb = base64.urlsafe_b64encode(
            hashlib.sha256(canon.encode()).digest()).rstrip(b"=").decode()
        assert k["kid"] == thumb


def test_private_keys_are_sealed_at_rest(server, pool):
    out = psql(server, "SELECT private_sealed FROM pool_keys WHERE "
               "pool_id = '%s'" % pool["Id"])
    assert out.strip() and "PRIVATE KEY" not in out


def test_unknown_pool_jwks_is_404(server):
    r = server.request("GET", "/us-east-1_NoSuchPool/.well-known/jwks.json")
    assert r.status == 404
    assert "does not exist" in r.json()["message"]


def test_discovery_without_domain_names_issuer_and_jwks(server, pool):
    r = server.request(
        "GET", "/%s/.well-known/openid-configuration" % pool["Id"])
    assert r.status == 200
    doc = r.json()
    issuer = "%s/%s" % (server.https, pool["Id"])
    assert doc["issuer"] == issuer
    assert doc["jwks_uri"] == issuer + "/.well-known/jwks.json"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "authorization_endpoint" not in doc


def test_discovery_with_domain_names_path_based_endpoints(server, pool):
    prefix = "jwks-%s" % pool["Id"].split("_")[1].lower()
    server.aws("create-user-pool-domain", "--user-pool-id", pool["Id"],
               "--domain", prefix)
    try:
        doc = server.request(
            "GET", "/%s/.well-known/openid-configuration" % pool["Id"]
        ).json()
        base = "%s/%s" % (server.https, prefix)
        assert doc["authorization_endpoint"] == base + "/oauth2/authorize"
        assert doc["token_endpoint"] == base + "/oauth2/token"
        assert doc["userinfo_endpoint"] == base + "/oauth2/userInfo"
    finally:
        server.aws("delete-user-pool-domain", "--user-pool-id", pool["Id"],
                   "--domain", prefix)
