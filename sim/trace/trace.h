/*
 * trace.h - hypsim's JSON Lines trace (DESIGN §4, docs/trace-format.md): one header line,
 * then one event per line, each with "type" and a sequence number "seq". 64-bit values are
 * hex strings ("0x40100000"): JSON numbers are not exact beyond 2^53.
 *
 * Every event the checker receives is a line (written before its hazards), so a trace is
 * enough to re-run the checker without Unicorn (`sim replay`, replay.c). The schema is
 * versioned (TRACE_SCHEMA): readers ignore unknown fields and event types. Schema 2 differs
 * from 1 only in `insn` events: their "asm" and "sym" are written the first time an
 * (pc, enc, el) appears, not on every line.
 */
#ifndef HYPSIM_SIM_TRACE_H
#define HYPSIM_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define TRACE_SCHEMA 2 /* the newest, which sim writes unless told otherwise */

struct trace;
struct disasm;
struct json_t;
struct model_step_result;
struct walk_result;

struct kboot_args;
struct kboot_info;

struct trace_header_info {
	const char *firmware_path;
	const char *sha256;
	const char *build_id; /* "" when the ELF has none */
	uint64_t entry;
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t max_insns;    /* 0: none */
	const char *uart_path; /* NULL: stdout */
	const char *tlb;       /* "speculative" or "accessed" */
	bool check_unicorn;
	/* The model's configuration (struct model_cfg). */
	unsigned ncpus;
	bool ctr_idc, ctr_dic, feat_ets;
	unsigned pa_bits;
	enum wb_policy wb_policy;
	uint64_t wb_seed;
	int argc;
	char **argv;
	/* sim run --kernel: what was booted (NULL for an ELF), so that replay rebuilds it. */
	const struct kboot_args *kernel;
	const struct kboot_info *kinfo;
};

/* Open path for writing (buffered, written by a thread of its own, and for a regular file
 * through POSIX AIO, with direct I/O past trace_set_direct's size; gzip-compressed with
 * zlib when path ends in ".gz"). NULL with a reason in err on failure. The threads do not
 * survive fork(): a child must not write to a trace its parent opened. */
struct trace *trace_open(const char *path, char *err, size_t errlen);

/* Write schema 1..TRACE_SCHEMA (before the header); -1 for another. */
int trace_set_schema(struct trace *t, unsigned schema);

/* Write out what is buffered and wait until it is written. 0 or -1 (a write failed). */
int trace_flush(struct trace *t);

/* Stop asking for more once the file holds limit bytes (compressed bytes for a .gz; 0: no
 * limit): trace_halt says TRACE_HALT_LIMIT from then on. What is recorded after that is
 * still written, so the run can end the trace with its `end` event. */
void trace_set_limit(struct trace *t, uint64_t limit);

/* Write a regular file with direct I/O (O_DIRECT: no copy into the page cache) once it
 * holds after bytes (default 64 MiB; UINT64_MAX: never). A file system that refuses it
 * is written through the page cache. Not for a .gz. */
void trace_set_direct(struct trace *t, uint64_t after);
/* The bytes written with direct I/O so far (after trace_flush: all of them). */
uint64_t trace_direct_bytes(const struct trace *t);

enum trace_halt { TRACE_GOING, TRACE_HALT_LIMIT, TRACE_HALT_ERROR };
/* Whether the run should stop recording: the limit was reached, or a write failed (the
 * first failure, at the time it happens; its reason comes from trace_close). Cheap: a
 * load, for the run's hooks. */
enum trace_halt trace_halt(const struct trace *t);

/* Flush and close; returns 0, or -1 if any write failed (reason in err). */
int trace_close(struct trace *t, char *err, size_t errlen);

void trace_header(struct trace *t, const struct trace_header_info *h);

/* An instruction executed (enc at pc, at EL el). Its disassembly and symbol, when the line
 * carries them, come from disasm_get(dis, pc, enc, sym_fn, arg); in schema 2 that is rarely,
 * and the decode cache is not even looked up while nothing was decoded since this
 * (pc, enc, el) last had them. */
void trace_insn(struct trace *t, unsigned cpu, uint64_t pc, unsigned el, uint32_t enc,
                struct disasm *dis, void (*sym_fn)(void *arg, uint64_t va, char *buf, size_t len),
                void *arg);
/* A fetch that faulted (prefetch abort): checked by the model, not executed. */
void trace_fetch_fault(struct trace *t, unsigned cpu, uint64_t pc, unsigned el);
void trace_sysreg(struct trace *t, unsigned cpu, uint64_t pc, const char *sym, unsigned el,
                  const char *name, uint64_t old, uint64_t new_value);
/* A DSB/DMB/ISB: kind "dsb"/"dmb"/"isb", domain "sy"/"ish"/..., type enum barrier_type. */
void trace_barrier(struct trace *t, unsigned cpu, uint64_t pc, const char *kind,
                   const char *domain, unsigned type);
/* A load or store of size <= 8 bytes; ok: translated (pa, attributes), else fault names
 * the coherent fault. mem_type is enum mem_type of the inner attributes. */
void trace_mem(struct trace *t, unsigned cpu, uint64_t pc, bool store, uint64_t va, bool ok,
               uint64_t pa, unsigned size, bool mmu_on, unsigned mem_type, unsigned mair_attr,
               uint64_t value, const char *fault);
/* TLBI/DC/IC/AT: type, op name, operand (named argname); res (may be NULL) gives the PA. */
void trace_op(struct trace *t, unsigned cpu, uint64_t pc, const char *type, const char *op,
              const char *argname, uint64_t arg, const struct model_step_result *res);
/* A table walk: the descriptors it read (level, PA, value) and, when it did not fault,
 * the TLB entry it filled (DESIGN §4 `walk` and `tlb-fill`, one line). */
void trace_walk(struct trace *t, unsigned cpu, uint64_t va, bool cacheable,
                const struct walk_result *w);
/* The checker's exception entry (insn_abort: after a faulting fetch of far). */
void trace_exc_entry(struct trace *t, unsigned cpu, uint64_t pc, bool insn_abort, uint64_t far,
                     unsigned from_el, unsigned to_el, bool requested, uint64_t esr,
                     uint64_t elr, uint64_t vector, const char *what);
/* `reset`, `abandon`, `hang`: cpu, pc and an optional text "what". */
void trace_simple(struct trace *t, const char *type, unsigned cpu, uint64_t pc, const char *what);

struct trace_exc {
	unsigned cpu;
	const char *cause; /* "hvc", "data-abort", ... */
	bool requested;    /* asked for by the guest (SVC/HVC/BRK), not a fault */
	unsigned from_el, to_el;
	uint64_t pc;
	const char *sym;
	uint64_t esr;
	const char *ec; /* name of ESR.EC */
	uint64_t elr, spsr, vector;
	bool far_valid;
	uint64_t far;
	const char *fault; /* "translation", ... or NULL */
	int fault_level;
	bool stage2;       /* a stage 2 abort: hpfar is HPFAR_EL2 as written */
	uint64_t hpfar;
};
void trace_exception(struct trace *t, const struct trace_exc *e);
void trace_eret(struct trace *t, unsigned cpu, uint64_t pc, unsigned from_el, unsigned to_el,
                uint64_t target, const char *target_sym);
void trace_psci(struct trace *t, unsigned cpu, uint64_t pc, uint32_t fn, const char *name,
                const uint64_t args[3], bool returns, int64_t ret);
void trace_uart(struct trace *t, unsigned cpu, const char *text, size_t len);
/* An event built by the caller (a `hazard`, report.c): "type" and "seq" are added; the
 * reference to o is taken. */
void trace_json_event(struct trace *t, const char *type, struct json_t *o);
/* status: the run's own exit status before hazards counted (what replay starts from);
 * exit_status: the final one. */
void trace_end(struct trace *t, const char *reason, int status, int exit_status, uint64_t insns,
               uint64_t pc, const char *sym, const char *message);

#endif /* HYPSIM_SIM_TRACE_H */
