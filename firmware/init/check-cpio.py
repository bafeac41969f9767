#!/usr/bin/env python3
"""Test of init.cpio (meson test init-cpio): read the archive back as the kernel does
(init/initramfs.c: newc headers, names padded to 4 bytes, data padded to 4 bytes, until
TRAILER!!!) and check what a boot needs: /dev a directory, /dev/console the character device
5,1, /init a regular executable file identical to the built init, which is a static AArch64
ELF executable (no PT_INTERP: there is no dynamic loader in the initramfs).

Usage: check-cpio.py INIT.CPIO INIT MKCPIO.PY
Also checks that mkcpio.py refuses a file that is not an ELF (exit 2).
"""

import os
import stat
import struct
import subprocess
import sys
import tempfile


def fail(msg):
    print("init-cpio: FAIL: " + msg)
    sys.exit(1)


def read_newc(data):
    entries, off = {}, 0
    while True:
        hdr = data[off:off + 110]
        if len(hdr) < 110 or hdr[:6] != b"070701":
            fail("bad newc header at byte %d" % off)
        f = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, filesize, rdev, namesize = f[1], f[6], (f[9], f[10]), f[11]
        name_end = off + 110 + namesize
        name = data[off + 110:name_end - 1].decode()
        if data[name_end - 1] != 0:
            fail("name of %r is not NUL-terminated" % name)
        off = (name_end + 3) & ~3
        body = data[off:off + filesize]
        off = (off + filesize + 3) & ~3
        if name == "TRAILER!!!":
            if any(data[off:]):
                fail("non-zero bytes after the trailer")
            return entries
        entries[name] = (mode, rdev, body)


def main(argv):
    if len(argv) != 4:
        print("usage: check-cpio.py INIT.CPIO INIT MKCPIO.PY")
        return 2
    with open(argv[1], "rb") as f:
        cpio = f.read()
    with open(argv[2], "rb") as f:
        init = f.read()
    e = read_newc(cpio)
    if sorted(e) != ["dev", "dev/console", "init"]:
        fail("entries %s, expected dev, dev/console, init" % sorted(e))
    mode, _, _ = e["dev"]
    if not stat.S_ISDIR(mode):
        fail("/dev is not a directory (mode %o)" % mode)
    mode, rdev, _ = e["dev/console"]
    if not stat.S_ISCHR(mode) or rdev != (5, 1):
        fail("/dev/console: mode %o rdev %s, expected a character device 5,1" % (mode, rdev))
    mode, _, body = e["init"]
    if not stat.S_ISREG(mode) or mode & 0o111 != 0o111:
        fail("/init: mode %o, expected an executable regular file" % mode)
    if body != init:
        fail("/init differs from %s" % argv[2])
    # ELF64 header (little-endian): e_type 2 (EXEC), e_machine 183 (AArch64).
    if body[:4] != b"\x7fELF" or body[4] != 2 or body[5] != 1:
        fail("/init is not a little-endian ELF64 file")
    e_type, e_machine = struct.unpack_from("<HH", body, 16)
    if e_type != 2 or e_machine != 183:
        fail("/init: e_type %d e_machine %d, expected 2 (EXEC) and 183 (AArch64)" % (e_type, e_machine))
    phoff, = struct.unpack_from("<Q", body, 32)
    phentsize, phnum = struct.unpack_from("<HH", body, 54)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", body, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            fail("/init is dynamically linked (PT_INTERP)")
    # mkcpio.py must refuse a non-ELF INIT with exit status 2 and write nothing.
    with tempfile.TemporaryDirectory() as d:
        bogus, out = os.path.join(d, "bogus"), os.path.join(d, "out.cpio")
        with open(bogus, "wb") as f:
            f.write(b"#!/bin/sh\n")
        r = subprocess.run([sys.executable, argv[3], out, bogus], capture_output=True)
        if r.returncode != 2 or os.path.exists(out):
            fail("mkcpio.py accepted a non-ELF init (exit %d)" % r.returncode)
    print("init-cpio: ok (dev, dev/console 5,1, init: %d-byte static AArch64 executable)" % len(init))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
