"""oauth_codes.py: authorization codes in bulk, made outside the daemon.

    oauth_codes.py MASTER_KEY POOL_ID CLIENT_ID SUB REDIRECT_URI SCOPES \
        COUNT CODES_OUT CSV_OUT [TTL_SECONDS]

Writes COUNT fresh codes, one a line, to CODES_OUT, and the matching
oauth_codes rows to CSV_OUT for COPY ... WITH (FORMAT csv), and prints
one more code (also in the CSV) for a first exchange by hand. A code is
what the daemon makes (base64url of 32 random bytes); its stored digest
is what src/core/codes.c computes: HMAC-SHA256 over
"oauth-code" || NUL || code, under HMAC-SHA256(master key,
"userpoold codes v1") (keys_master_derive in src/crypto/keys.c), the
master key being the 64 hex digits of the state directory's master.key.
No PKCE challenge and no nonce; each code has its own token family
(origin_jti) and expires TTL_SECONDS (600) from now.
"""
import csv
import hashlib
import hmac
import secrets
import sys
import time
import uuid


def main():
    (master_path, pool_id, client_id, sub, redirect_uri, scopes, count,
     codes_out, csv_out) = sys.argv[1:10]
    ttl = float(sys.argv[10]) if len(sys.argv) > 10 else 600.0
    with open(master_path) as f:
        master = bytes.fromhex(f.read().strip())
    if len(master) != 32:
        sys.exit("oauth_codes.py: %s is not a 32-byte master key"
                 % master_path)
    key = hmac.new(master, b"userpoold codes v1", hashlib.sha256).digest()
    now = time.time()
    auth_time = int(now)
    expires = "%.3f" % (now + ttl)
    first = None
    with open(codes_out, "w") as co, open(csv_out, "w", newline="") as cf:
        w = csv.writer(cf)
        for i in range(int(count) + 1):
            code = secrets.token_urlsafe(32)
            digest = hmac.new(key, b"oauth-code\0" + code.encode(),
                              hashlib.sha256).hexdigest()
            # Empty unquoted CSV fields are NULL: nonce, code_challenge.
            w.writerow(["\\x" + digest, pool_id, client_id, sub,
                        redirect_uri, scopes, None, None, auth_time,
                        str(uuid.uuid4()), expires])
            if first is None:
                first = code
            else:
                co.write(code + "\n")
    print(first)


if __name__ == "__main__":
    main()
