#!/usr/bin/python3
"""srp_vectors.py: the fixed SRP vectors of test_srp.c.

Computes Cognito's SRP (shared/reference/cognito.md section 4) with
Python's integers, hashlib and hmac only, independently of the C code,
and prints the vectors as C initialisers to paste into test_srp.c.

The secrets a (1024 bits, as clients draw it), b (256 bits, as the
server draws it) and the 16 salt bytes are SHA-512 and SHA-256 digests
of "a/i", "b/j" and "salt/l". The indices are searched in order until
every padHex case below shows in some vector (the rarest missing case
first); the comment above each vector names its cases. For A, B and S
(384 bytes wide), u (32) and the salt (16):
  top     the top bit of the minimal bytes is set: padHex adds "00"
  nibble  the minimal hex is odd: padHex adds "0"
  byte    shorter than its full width: a leading zero byte, which a
          fixed-width encoding would wrongly keep
Identities rotate through a user pool, a UTF-8 user and a device.

Run: /usr/bin/python3 tests/unit/srp_vectors.py [--json]
(--json prints the same vectors as JSON, to check them against a client
library such as amazon-cognito-identity-js.)
"""

import base64
import hashlib
import hmac
import json
import sys

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16)
G = 2
K_EXPECTED = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"

IDENTITIES = [
    # (group, name, password)
    ("AbCdEfGhI", "5a1b8c9e-3f4d-4e2a-9b7c-1d2e3f4a5b6c", "Passw0rd!"),
    ("xYz123456", "j\u00fcrgen", "p\u00e4ssw\u00f6rd \u20ac 1 \U0001f511"),
    ("-ewBuAdp1",
     "us-east-1_6f2d5b9c-8a7e-4c3d-b1f0-2e9d8c7b6a55",
     "kZ2i9Xc3WmV0QyP4nR7tLs8Hb1Ue6Jd5Ao0Fg3Ki2Nl9Mq4Tr7Ys1Wv=="),
]
TIMESTAMPS = [
    "Sun Oct 6 13:37:50 UTC 2024",
    "Sat Sep 5 09:03:07 UTC 2026",
    "Wed Dec 31 23:59:59 UTC 2025",
]
WIDTH = {"A": 384, "B": 384, "S": 384, "u": 32, "salt": 16}


def pad_hex(x):
    h = format(x, "x")
    if len(h) % 2:
        h = "0" + h
    if h[0] in "89abcdef":
        h = "00" + h
    return h


def pad(x):
    return bytes.fromhex(pad_hex(x))


def sha256(b):
    return hashlib.sha256(b).digest()


def as_int(b):
    return int.from_bytes(b, "big")


k = as_int(sha256(pad(N) + pad(G)))


def cases(name, x):
    h = format(x, "x")
    out = []
    if pad_hex(x).startswith("00"):
        out.append(name + " top")
    if len(h) % 2:
        out.append(name + " nibble")
    if (len(h) + 1) // 2 < WIDTH[name]:
        out.append(name + " byte")
    return out


def secrets(ia, ib, isalt):
    a = as_int(hashlib.sha512(b"a/%d" % ia).digest() +
               hashlib.sha512(b"a2/%d" % ia).digest())
    b = as_int(sha256(b"b/%d" % ib))
    salt = as_int(sha256(b"salt/%d" % isalt)[:16])
    return a, b, salt


def verifier(ident, salt):
    group, name, password = IDENTITIES[ident % len(IDENTITIES)]
    inner = sha256((group + name + ":" + password).encode())
    x = as_int(sha256(pad(salt) + inner))
    return x, pow(G, x, N)


def server(A, v, b):
    B = (k * v + pow(G, b, N)) % N
    u = as_int(sha256(pad(A) + pad(B)))
    return B, u, lambda: pow(A * pow(v, u, N) % N, b, N)


def vector(ident, ia, ib, isalt):
    """Everything about one vector, and the padHex cases it shows."""
    group, name, password = IDENTITIES[ident % len(IDENTITIES)]
    a, b, salt = secrets(ia, ib, isalt)
    n = ident + ia + ib + isalt
    block = hashlib.sha512(b"block/%d" % n).digest()[:40 + n % 50]
    timestamp = TIMESTAMPS[ident % len(TIMESTAMPS)]
    x, v = verifier(ident, salt)
    A = pow(G, a, N)
    B, u, secret = server(A, v, b)
    S = secret()
    S_client = pow((B - k * pow(G, x, N)) % N, a + u * x, N)
    assert S == S_client and u != 0 and B != 0
    prk = hmac.new(pad(u), pad(S), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()
    key = key[:16]
    msg = group.encode() + name.encode() + block + timestamp.encode()
    sig = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest())
    found = (cases("A", A) + cases("B", B) + cases("S", S) +
             cases("u", u) + cases("salt", salt))
    return {
        "group": group, "name": name, "password": password,
        "salt": pad_hex(salt), "a": pad_hex(a), "b": pad_hex(b),
        "block": base64.b64encode(block).decode(), "timestamp": timestamp,
        "v": pad_hex(v), "A": pad_hex(A), "B": pad_hex(B),
        "u": pad_hex(u), "S": pad_hex(S), "K": key.hex(),
        "sig": sig.decode(),
    }, found


def first(target, cases_of):
    """The first index whose cases include the target."""
    i = 0
    while target not in cases_of(i):
        i += 1
    return i


def rarest(need):
    return sorted(need, key=lambda c: (not c.endswith("byte"), c))[0]


def cover(name, cases_of):
    """Indices that together show every case of one value."""
    need = {name + " top", name + " nibble", name + " byte"}
    out = []
    while need:
        i = first(rarest(need), cases_of)
        out.append(i)
        need -= set(cases_of(i))
    return out


def b_cases(ident, ia, isalt, target):
    """The cases of B, u and, if the target is one of S's, S for b/i."""
    A = pow(G, secrets(ia, 0, 0)[0], N)
    _, v = verifier(ident, secrets(0, 0, isalt)[2])

    def cases_of(i):
        B, u, secret = server(A, v, secrets(0, i, 0)[1])
        out = cases("B", B) + cases("u", u)
        if target.startswith("S"):
            out += cases("S", secret())
        return out
    return cases_of


def c_string(s, indent="\t  "):
    """A C string literal split into lines of at most 64 characters."""
    def lit(part):
        out = ""
        for ch in part:
            if ord(ch) < 0x80:
                out += ch
            else:
                out += "".join("\\x%02x" % c for c in ch.encode())
        return '"' + out + '"'
    if len(s) <= 64:
        return lit(s)
    parts = [s[j:j + 64] for j in range(0, len(s), 64)]
    return ("\n" + indent).join(lit(p) for p in parts)


def main():
    assert format(k, "x") == K_EXPECTED, format(k, "x")
    # A depends on a only and the salt is drawn alone: find a and salt
    # indices for their cases first, then for each vector a b index
    # that shows the rarest case of B, u and S still missing.
    la = cover("A", lambda i: cases("A", pow(G, secrets(i, 0, 0)[0], N)))
    ls = cover("salt", lambda i: cases("salt", secrets(0, 0, i)[2]))
    need = {n + " " + c for n in ("B", "u", "S")
            for c in ("top", "nibble", "byte")}
    chosen = []
    j = 0
    while j < max(len(la), len(ls)) or need:
        ia = la[j] if j < len(la) else 0
        isalt = ls[j] if j < len(ls) else 0
        ib = 0
        if need:
            target = rarest(need)
            ib = first(target, b_cases(j, ia, isalt, target))
        v, found = vector(j, ia, ib, isalt)
        chosen.append(((j, ia, ib, isalt), found, v))
        need -= set(found)
        j += 1
    if sys.argv[1:] == ["--json"]:
        print(json.dumps([v for _, _, v in chosen], indent=1))
        return
    print("/* Generated by tests/unit/srp_vectors.py. */")
    print("static const struct srp_vector srp_vectors[] = {")
    for idx, found, v in chosen:
        words = ("identity %d, a/%d, b/%d, salt/%d: " % idx +
                 ", ".join(found)).split()
        line = "\t/*"
        for w in words:
            if len(line.expandtabs()) + len(w) + 1 > 76:
                print(line)
                line = "\t *"
            line += " " + w
        print(line + " */")
        print("\t{")
        for field in ("group", "name", "password", "salt", "a", "b",
                      "block", "timestamp", "v", "A", "B", "u", "S", "K",
                      "sig"):
            print("\t  %s," % c_string(v[field]))
        print("\t},")
    print("};")


if __name__ == "__main__":
    main()
