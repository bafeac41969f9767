/*
 * traceout.c - the file a trace goes to (traceout.h): plain or gzip, a regular file's
 * text in asynchronous positioned writes (POSIX AIO) with direct I/O past a size, from
 * two text buffers on a huge page; its first write error and its size limit as the
 * run's halt.
 */
#include "trace/traceout.h"

#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Turn O_DIRECT on or off for the writes that follow; false if fcntl refused. */
static bool set_direct(struct trace_out *t, bool on)
{
	int fl = fcntl(t->fd, F_GETFL);
	if (fl < 0 || fcntl(t->fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) < 0)
		return false;
	t->direct = on;
	return true;
}

static void fail(struct trace_out *t, int e, bool *failed, int *err)
{
	*failed = true;
	*err = e ? e : EIO;
	atomic_store(&t->halt, TOUT_HALT_ERROR);
}

/* n more bytes are in the file. */
static void account(struct trace_out *t, uint64_t n)
{
	t->written += n;
	if (t->direct)
		t->direct_bytes += n;
	if (t->limit && t->written >= t->limit && !atomic_load(&t->halt))
		atomic_store(&t->halt, TOUT_HALT_LIMIT);
}

/* Write n bytes out now, at the end of what is written (the writer thread, or the run when
 * there is none). */
static void write_out(struct trace_out *t, const char *p, size_t n, bool *failed, int *err)
{
	if (*failed)
		return;
	if (t->gz) {
		while (n) {
			unsigned chunk = n > (1u << 30) ? 1u << 30 : (unsigned)n;
			if (gzwrite(t->gz, p, chunk) != (int)chunk) {
				fail(t, errno, failed, err);
				return;
			}
			p += chunk;
			n -= chunk;
		}
		account(t, (uint64_t)gzoffset(t->gz) - t->written);
		return;
	}
	while (n) {
		ssize_t w =
		    t->regular ? pwrite(t->fd, p, n, (off_t)t->written) : write(t->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		/* A file system or device that takes no direct I/O of this alignment, or a
		 * short direct write that left p unaligned: the page cache from now on. */
		if (w < 0 && errno == EINVAL && t->direct) {
			t->may_direct = false;
			if (set_direct(t, false))
				continue;
		}
		if (w <= 0) {
			fail(t, w < 0 ? errno : EIO, failed, err);
			return;
		}
		p += w;
		n -= (size_t)w;
		account(t, (uint64_t)w);
	}
}

/* Wait for the write io_start began, and finish it: a short or failed one is written
 * again at once (which gives its error, or falls back from direct I/O). */
static void io_wait(struct trace_out *t, bool *failed, int *err)
{
	if (!t->io_busy)
		return;
	t->io_busy = false;
	const struct aiocb *const list[1] = {&t->io};
	while (aio_error(&t->io) == EINPROGRESS)
		aio_suspend(list, 1, NULL);
	ssize_t w = aio_return(&t->io);
	size_t n = t->io.aio_nbytes;
	if (w > 0)
		account(t, (uint64_t)w);
	else
		w = 0;
	if ((size_t)w < n)
		write_out(t, (const char *)t->io.aio_buf + w, n - (size_t)w, failed, err);
}

/* Begin writing n bytes at p (which stay untouched until io_wait) at the end of the file:
 * a regular file's write goes on while the writer formats the next text. */
static void io_start(struct trace_out *t, const char *p, size_t n, bool *failed, int *err)
{
	if (*failed || !n)
		return;
	if (t->regular) {
		t->io = (struct aiocb){.aio_fildes = t->fd,
		                       .aio_buf = (volatile void *)p,
		                       .aio_nbytes = n,
		                       .aio_offset = (off_t)t->written};
		t->io.aio_sigevent.sigev_notify = SIGEV_NONE;
		if (aio_write(&t->io) == 0) {
			t->io_busy = true;
			return;
		}
	}
	write_out(t, p, n, failed, err);
}

/*
 * Hand the formatted text to the file: all of it (the last time: trace_flush), or all but
 * the bytes past the file's last whole block of TOUT_ALIGN, which go to the front of the
 * other buffer, the one to fill next. Once a regular file holds direct_after bytes it gets
 * O_DIRECT: the kernel's copy into the page cache and its allocation of pages and blocks
 * cost more than the formatting (docs/performance.md); its writes are then whole aligned
 * blocks from aligned buffers. The last write goes through the page cache.
 */
void tout_drain(struct trace_out *t, bool all, bool *failed, int *err)
{
	io_wait(t, failed, err); /* the other buffer is free; written is the file's size */
#ifdef __SSE2__
	_mm_sfence(); /* copy_stream's stores are in memory before the write reads them */
#endif
	if (all) {
		if (t->direct && !set_direct(t, false))
			fail(t, errno, failed, err);
		write_out(t, t->out, t->out_len, failed, err);
		t->out_len = 0;
		return;
	}
	if (!t->direct && t->may_direct && t->written >= t->direct_after &&
	    t->written % TOUT_ALIGN == 0 && !*failed && !set_direct(t, true))
		t->may_direct = false;
	size_t n = t->out_len;
	if (t->regular)
		n -= (size_t)((t->written + n) % TOUT_ALIGN);
	char *next = t->outs[t->cur ^ 1];
	memcpy(next, t->out + n, t->out_len - n);
	io_start(t, t->out, n, failed, err);
	t->cur ^= 1;
	t->out = next;
	t->out_len -= n;
}

/*
 * Copy n bytes to dst with stores that bypass the caches where the CPU has them (SSE2's
 * non-temporal stores): the text buffers are read by the disk, not by a CPU, and an
 * ordinary store would first read each line of them in. tout_drain fences them.
 */
static void copy_stream(char *dst, const char *src, size_t n)
{
#ifdef __SSE2__
	size_t head = (size_t)(-(uintptr_t)dst & 15);
	if (head > n)
		head = n;
	memcpy(dst, src, head);
	dst += head;
	src += head;
	n -= head;
	for (; n >= 64; n -= 64, dst += 64, src += 64) {
		__m128i a = _mm_loadu_si128((const __m128i *)src);
		__m128i b = _mm_loadu_si128((const __m128i *)(src + 16));
		__m128i c = _mm_loadu_si128((const __m128i *)(src + 32));
		__m128i d = _mm_loadu_si128((const __m128i *)(src + 48));
		_mm_stream_si128((__m128i *)dst, a);
		_mm_stream_si128((__m128i *)(dst + 16), b);
		_mm_stream_si128((__m128i *)(dst + 32), c);
		_mm_stream_si128((__m128i *)(dst + 48), d);
	}
	for (; n >= 16; n -= 16, dst += 16, src += 16)
		_mm_stream_si128((__m128i *)dst, _mm_loadu_si128((const __m128i *)src));
#endif
	memcpy(dst, src, n);
}

/* The staged lines to the text buffer (which has room for them). */
void tout_stage_flush(struct trace_out *t)
{
	copy_stream(t->out + t->out_len, t->stage, t->stage_len);
	t->out_len += t->stage_len;
	t->stage_len = 0;
}

/* The two text buffers, together: aligned for direct I/O, and on a huge page where the
 * kernel gives one (a direct write pins each page it writes from: one, not 256 per MiB). */
static bool out_alloc(struct trace_out *t)
{
	char *p = aligned_alloc(2 * TOUT_SIZE, 2 * TOUT_SIZE);
	if (!p)
		return false;
	madvise(p, 2 * TOUT_SIZE, MADV_HUGEPAGE);
	t->outs[0] = p;
	t->outs[1] = p + TOUT_SIZE;
	return true;
}

int tout_open(struct trace_out *t, const char *path, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (!out_alloc(t)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->out = t->outs[0];
	t->direct_after = TOUT_DIRECT_AFTER;
	size_t n = strlen(path);
	errno = 0;
	if (n > 3 && !strcmp(path + n - 3, ".gz"))
		t->gz = gzopen(path, "wb6"); /* level 9 took 4-5x as long for 17% less */
	else
		t->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (t->fd < 0 && !t->gz) {
		snprintf(err, errlen, "cannot create: %s", strerror(errno ? errno : ENOMEM));
		free(t->outs[0]);
		return -1;
	}
	struct stat st;
	t->regular = t->fd >= 0 && fstat(t->fd, &st) == 0 && S_ISREG(st.st_mode);
	t->may_direct = t->regular;
	return 0;
}

int tout_close(struct trace_out *t)
{
	errno = 0;
	int rc = t->gz ? gzclose(t->gz) : close(t->fd);
	int e = rc != 0 ? (errno ? errno : EIO) : 0;
	free(t->outs[0]);
	return e;
}
