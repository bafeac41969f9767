/*
 * file.c - an input file read whole, bounded before it is read (file.h).
 */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int file_read_all(const char *path, uint64_t max, uint8_t **out, size_t *len, char *err,
                  size_t errlen)
{
	struct stat st;
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "cannot open: %s", strerror(e));
		return -e;
	}
	int rc = 0;
	uint8_t *buf = NULL;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		rc = -EINVAL;
	} else if ((uint64_t)st.st_size > max) {
		*len = (size_t)st.st_size;
		rc = -EFBIG;
	} else if (!(buf = malloc((size_t)st.st_size + 1))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	} else if (fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size || ferror(f)) {
		snprintf(err, errlen, "read error");
		rc = -EIO;
	}
	fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[st.st_size] = '\0';
	*out = buf;
	*len = (size_t)st.st_size;
	return 0;
}
