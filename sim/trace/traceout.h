/*
 * traceout.h - the file a trace is written to, for trace.c's writer: plain or gzip (a path
 * ending in ".gz"), the writer's text buffers, and the state the run polls (trace_halt).
 *
 * The writer formats lines into `stage` (a small buffer that stays in the cache), moves
 * them to the text buffer `out` with tout_stage_flush, and hands the text to the file with
 * tout_drain. A regular file's text goes out in writes of 1-2 MiB, each started
 * asynchronously (POSIX AIO) while the writer fills the other text buffer; once the file
 * holds direct_after bytes, with direct I/O (O_DIRECT: whole TOUT_ALIGN blocks that skip
 * the page cache, whose copy and page and block allocation cost the CPU more than the
 * formatting; docs/performance.md). A write is whole lines up to the last whole block, so
 * a trace cut short by a crash ends in at most one partial line. A pipe or device is
 * written at once; a .gz through zlib.
 *
 * One thread at a time (the writer's, or the run's when it has none or the writer waits).
 */
#ifndef HYPSIM_SIM_TRACEOUT_H
#define HYPSIM_SIM_TRACEOUT_H

#include <aio.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#define TOUT_SIZE         (1u << 21) /* each of the two text buffers: more than any line */
#define TOUT_STAGE        (1u << 14) /* lines formatted, before their copy to the text */
#define TOUT_ALIGN        4096u      /* the largest logical block size in common use */
#define TOUT_DIRECT_AFTER (UINT64_C(64) << 20)

/* What halt says: enum trace_halt's values (trace.h), which trace_halt returns. */
enum tout_halt { TOUT_GOING, TOUT_HALT_LIMIT, TOUT_HALT_ERROR };

struct trace_out {
	int fd;    /* plain JSON Lines ... */
	gzFile gz; /* ... or gzip */
	/* fd is a regular file (positioned, asynchronous writes); it has O_DIRECT (written is
	 * then a multiple of TOUT_ALIGN); it may get it (not refused yet) once written reaches
	 * direct_after. */
	bool regular, direct, may_direct;
	uint64_t written, limit; /* bytes in the file, and the run's bound on them (0: none) */
	uint64_t direct_after, direct_bytes; /* the bytes written with O_DIRECT */
	struct aiocb io; /* the write under way (io_busy), from the buffer not being filled */
	bool io_busy;
	atomic_int halt; /* enum tout_halt, read by the run at every block */
	char stage[TOUT_STAGE];
	size_t stage_len;
	char *outs[2]; /* aligned for direct I/O, one allocation */
	unsigned cur;  /* out is outs[cur] */
	char *out;
	size_t out_len;
};

/* Open path (gzip when it ends in ".gz"); 0, or -1 with a reason in err. */
int tout_open(struct trace_out *o, const char *path, char *err, size_t errlen);

/* The staged lines to the text buffer, which must have room for them (out_len +
 * stage_len <= TOUT_SIZE). */
void tout_stage_flush(struct trace_out *o);

/* Hand the text buffer to the file: all of it (the last time, or when the run needs
 * everything out), or all but the bytes past the file's last whole block, which move to
 * the front of the other text buffer, then the one to fill. A write error sets *failed
 * and *err (its errno) once, and halt. */
void tout_drain(struct trace_out *o, bool all, bool *failed, int *err);

/* Close the file and free the buffers; 0 or the errno of a failed close. */
int tout_close(struct trace_out *o);

#endif /* HYPSIM_SIM_TRACEOUT_H */
