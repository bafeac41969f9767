#!/usr/bin/env python3
"""Write an initramfs for Linux: a cpio archive in the "newc" format (070701).

Usage: mkcpio.py OUTPUT INIT

Entries: /dev (directory), /dev/console (character device 5,1), /init (INIT, mode 0755),
then the TRAILER!!! entry. `cpio -o` could write the files, but creating the device node it
would archive needs root; the kernel only reads the header fields, so they are written here
directly (format: Documentation/driver-api/early-userspace/buffer-format.rst). Owner root,
mtime 0 and fixed inode numbers: the archive is the same for the same INIT.
"""

import os
import stat
import sys


def newc_entry(ino, name, mode, data=b"", nlink=1, rdev=(0, 0)):
    """One newc header, its NUL-terminated name and its data, each padded to 4 bytes."""
    name_b = name.encode() + b"\0"
    fields = [
        ino, mode, 0, 0, nlink, 0, len(data),  # ino mode uid gid nlink mtime filesize
        0, 0, rdev[0], rdev[1],                # devmajor devminor rdevmajor rdevminor
        len(name_b), 0,                        # namesize check
    ]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: mkcpio.py OUTPUT INIT\n")
        return 2
    try:
        with open(argv[2], "rb") as f:
            init = f.read()
    except OSError as e:
        sys.stderr.write("mkcpio: %s: %s\n" % (argv[2], e.strerror))
        return 2
    if init[:4] != b"\x7fELF":
        sys.stderr.write("mkcpio: %s: not an ELF file\n" % argv[2])
        return 2
    archive = b"".join([
        newc_entry(1, "dev", stat.S_IFDIR | 0o755, nlink=2),
        newc_entry(2, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1)),
        newc_entry(3, "init", stat.S_IFREG | 0o755, init),
        newc_entry(0, "TRAILER!!!", 0),
    ])
    # Pad to 512 bytes like cpio(1) does; the kernel skips the zeros after the trailer.
    archive += b"\0" * (-len(archive) % 512)
    tmp = argv[1] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(archive)
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
