#!/usr/bin/env python3
"""saml_verify.py: the raw verification rate of src/fed/saml_response.c
beside the machine's RSA-2048 verify rate, one core each.

1. tests/bench/saml_verify (C, linked with the library, built by
   `make check`): saml_response_verify over one Response in a loop, one
   thread: parsing, the XML signature (xmlsec over OpenSSL) with the
   metadata certificate, the wrapping and assertion checks, for an
   Assertion-signed Response and one signed on the Response too.
2. For comparison, `openssl speed rsa2048`'s sign and verify rates.

    python3 tests/bench/saml_verify.py [SECONDS]   (3 per figure)

The C program is looked up in the build next to USERPOOLD_BIN (default
build/src/userpoold) and built with make when missing. The end-to-end
figure (Responses verified per second through POST /saml2/idpresponse,
with the database, session and code) is tests/bench/fed_saml.py's.
Prints "saml-verify <case> <per s>/s <us> us (<bytes>)" per case and
"openssl-rsa2048 sign <per s>/s verify <per s>/s".
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def raw(seconds):
    bin_path = os.environ.get("USERPOOLD_BIN",
                              os.path.join(ROOT, "build", "src", "userpoold"))
    build = os.path.dirname(os.path.dirname(os.path.abspath(bin_path)))
    prog = os.path.join(build, "tests", "bench", "saml_verify")
    if not os.path.exists(prog):
        subprocess.run(["make", "-C", build, "tests/bench/saml_verify"],
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run([prog, str(seconds)], check=True)


def openssl_rsa(seconds):
    out = subprocess.run(["openssl", "speed", "-seconds", str(seconds),
                          "rsa2048"], capture_output=True, text=True).stdout
    m = re.search(r"(?m)^rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)",
                  out)
    if m is None:
        sys.exit("openssl speed: no rsa2048 line")
    print("openssl-rsa2048 sign %.0f/s verify %.0f/s" % (float(m.group(1)),
                                                       float(m.group(2))))


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    raw(seconds)
    openssl_rsa(seconds)


if __name__ == "__main__":
    main()
