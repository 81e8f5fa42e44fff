"""scrypt_time.py: what libscrypt can do on this machine.

    scrypt_time.py LOG2_N R P

Calls the same libscrypt the daemon links (libscrypt_scrypt, 64-byte
output as the daemon's MCF hashes) from one thread, then from one
thread per core at once (ctypes lets go of the GIL during the call), and
prints one JSON line: the median time of one hash alone in ms, and the
hashes per second of all cores together, which is the ceiling of
password sign-ins (scrypt is memory-hard, so cores that share a cache
do not quite add up).
"""
import ctypes
import json
import os
import sys
import threading
import time

lib = ctypes.CDLL("libscrypt.so.0")
lib.libscrypt_scrypt.argtypes = [
    ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
    ctypes.c_uint64, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_char_p,
    ctypes.c_size_t]
log2_n, r, p = (int(a) for a in sys.argv[1:4])


def hashes(count, times):
    out = ctypes.create_string_buffer(64)
    salt = os.urandom(16)
    for _ in range(count):
        t = time.perf_counter()
        if lib.libscrypt_scrypt(b"Bench-passw0rd!", 15, salt, 16,
                                1 << log2_n, r, p, out, 64) != 0:
            sys.exit("libscrypt_scrypt failed")
        times.append((time.perf_counter() - t) * 1000)


alone = []
hashes(20, alone)
alone.sort()
cores, each = os.cpu_count() or 1, 20
threads = [threading.Thread(target=hashes, args=(each, [])) for _ in
           range(cores)]
start = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"alone_ms": round(alone[len(alone) // 2], 1),
                  "all_cores_per_second": round(
                      cores * each / (time.perf_counter() - start), 1)}))
