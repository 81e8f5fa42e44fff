"""scrypt_time.py: the time of one scrypt hash by libscrypt, in ms.

    scrypt_time.py LOG2_N R P

Calls the same libscrypt the daemon links (libscrypt_scrypt, 64-byte
output as the daemon's MCF hashes) 20 times and prints the median, the
"hash time" of the sign-in target (85 % of cores / hash time).
"""
import ctypes
import os
import sys
import time

lib = ctypes.CDLL("libscrypt.so.0")
lib.libscrypt_scrypt.argtypes = [
    ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
    ctypes.c_uint64, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_char_p,
    ctypes.c_size_t]
log2_n, r, p = (int(a) for a in sys.argv[1:4])
out = ctypes.create_string_buffer(64)
salt = os.urandom(16)
times = []
for _ in range(20):
    t = time.perf_counter()
    if lib.libscrypt_scrypt(b"Bench-passw0rd!", 15, salt, 16, 1 << log2_n,
                            r, p, out, 64) != 0:
        sys.exit("libscrypt_scrypt failed")
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print("%.1f" % times[len(times) // 2])
