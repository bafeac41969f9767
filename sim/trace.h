/*
 * trace.h - hypsim's JSON Lines trace (DESIGN §4, docs/trace-format.md): one header line,
 * then one event per line, each with "type" and a sequence number "seq". 64-bit values are
 * hex strings ("0x40100000"): JSON numbers are not exact beyond 2^53.
 *
 * The schema is versioned (TRACE_SCHEMA) and extensible: readers ignore unknown fields and
 * unknown event types, so later versions add events (mem, walk, tlbi, dc, ic, barrier,
 * hazard) without breaking older readers.
 */
#ifndef HYPSIM_SIM_TRACE_H
#define HYPSIM_SIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_SCHEMA 1

struct trace;
struct dis_insn;
struct json_t;

struct trace_header_info {
	const char *firmware_path;
	const char *sha256;
	const char *build_id; /* "" when the ELF has none */
	uint64_t entry;
	uint64_t ram_size;
	uint64_t max_insns;    /* 0: none */
	const char *uart_path; /* NULL: stdout */
	int argc;
	char **argv;
};

/* Open path for writing (buffered). NULL with a reason in err on failure. */
struct trace *trace_open(const char *path, char *err, size_t errlen);

/* Flush and close; returns 0, or -1 if any write failed (reason in err). */
int trace_close(struct trace *t, char *err, size_t errlen);

void trace_header(struct trace *t, const struct trace_header_info *h);

void trace_insn(struct trace *t, unsigned cpu, uint64_t pc, unsigned el, const struct dis_insn *d);
void trace_sysreg(struct trace *t, unsigned cpu, uint64_t pc, const char *sym, unsigned el,
                  const char *name, uint64_t old, uint64_t new_value);

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
void trace_end(struct trace *t, const char *reason, int exit_status, uint64_t insns, uint64_t pc,
               const char *sym, const char *message);

#endif /* HYPSIM_SIM_TRACE_H */
