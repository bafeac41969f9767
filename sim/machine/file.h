/*
 * file.h - an input file (an Image, a device tree, an initrd, a symbol map) read whole, its
 * size bounded before a byte is read: a file that cannot fit is refused at once from its
 * size, never read until malloc fails (docs/reliability.md). Pure libc.
 */
#ifndef HYPSIM_MACHINE_FILE_H
#define HYPSIM_MACHINE_FILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read the regular file path whole into *out (malloc'd, with a NUL after its *len bytes, so
 * that a text file is a string). A file of more than max bytes is refused before it is read:
 * -EFBIG, its size in *len and no message, so that the caller names the limit it applies.
 * Any other failure is a negative errno with one line in err (errlen bytes): "cannot open:
 * ...", "not a regular file", "out of memory", "read error".
 */
int file_read_all(const char *path, uint64_t max, uint8_t **out, size_t *len, char *err,
                  size_t errlen);

#endif /* HYPSIM_MACHINE_FILE_H */
