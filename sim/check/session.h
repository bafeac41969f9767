/*
 * session.h - one checking session of hypsim, without Unicorn: the model (model/model.h),
 * the folded hazard reports (report.h), the annotation of each reported PC with its PA,
 * symbol and disassembly, and the trace lines of every event the model receives.
 *
 * `sim run` feeds it from Unicorn's hooks (hazards.c); `sim replay` feeds it from a
 * recorded trace (replay.c). Both go through the same functions, so the report a replay
 * prints is the run's, byte for byte, by construction: whatever the annotation needs
 * (fetch PAs, the registers a translation uses, the exception a hang follows) is derived
 * here from the events themselves, never from Unicorn.
 *
 * Memory reaches the session as the model's mem_ops ("memory as the program sees it");
 * the caller keeps it current (Unicorn does; replay applies stores, session_step tells it
 * where they land).
 */
#ifndef HYPSIM_SIM_SESSION_H
#define HYPSIM_SIM_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/image.h"
#include "model.h"

struct trace;
struct disasm;
struct session;
struct rep_entry;

struct session_cfg {
	const struct image *img;   /* symbols (ELF link addresses are physical) */
	struct disasm *dis;        /* shared with the caller */
	const struct mem_ops *mem; /* memory as the program sees it */
	uint64_t ram_base, ram_size;
	const char *name; /* the firmware as messages name it */
	bool json;        /* check_end: one JSON object per report on stdout as well */
	struct trace *trace; /* NULL: no trace */
	/* Called for every report after folding (fault injection follows them); may be NULL. */
	void (*on_report)(void *arg, const struct rep_entry *e, bool is_new);
	void *report_arg;
	/* The model's configuration (on_hazard is the session's own). */
	unsigned ncpus;
	enum tlb_policy tlb_policy;
	bool ctr_idc, ctr_dic, feat_ets;
	unsigned pa_bits; /* the CPU's implemented PA size (model_cfg.pa_bits) */
	enum wb_policy wb_policy;
	uint64_t wb_seed;
	/* Called after every model_step with its result (res may be NULL): the cost model of
	 * --timing (timing.h) follows the same events; may be NULL. */
	void (*on_step)(void *arg, const struct model *m, const struct model_event *ev,
	                const struct model_step_result *res);
	void *step_arg;
};

/* The instruction being executed, as the model saw its fetch. */
struct session_insn {
	uint64_t seq; /* the EV_FETCH event's number */
	uint64_t va, pa;
	uint32_t enc;
	uint8_t el;
	uint8_t cpu;
	bool faulted; /* the fetch faulted (prefetch abort): enc unknown, pa = va */
};

struct session *session_new(const struct session_cfg *cfg);
void session_free(struct session *ss);

/* A fresh machine (boot, PSCI SYSTEM_RESET): a new model in its reset state; the reports
 * of earlier machines are kept. Writes a `reset` trace event. Returns 0 or -1 (no memory). */
int session_machine(struct session *ss);

/* The instruction in progress on cpu, NULL before its first fetch since it powered up. */
const struct session_insn *session_current(const struct session *ss, unsigned cpu);

/* The current machine's model, for questions that change nothing (model_line_state). */
struct model *session_model(struct session *ss);

/*
 * The instruction at va (PA pa, encoding enc, at el; faulted: its fetch faults) that cpu
 * is executing, for the reports that name it, without a model step or a trace event. For
 * `sim run --no-check`, whose model sees no fetch: its reports (a hang, an exception)
 * would name nothing else.
 */
void session_note_insn(struct session *ss, unsigned cpu, uint64_t va, uint64_t pa, uint32_t enc,
                       unsigned el, bool faulted);

/*
 * The fetch of the instruction at pc (EV_FETCH) by cpu, executed at el; faulted: Unicorn
 * took a prefetch abort there (enc 0). A DSB/DMB/ISB encoding is then delivered as its
 * barrier event. Writes the `insn` (or `fetch-fault`) and `barrier` trace events. res (may
 * be NULL) gets the fetch's model_step_result.
 */
void session_fetch(struct session *ss, unsigned cpu, uint64_t pc, uint32_t enc, unsigned el,
                   bool faulted, struct model_step_result *res);

/*
 * Any other event (load, store, sysreg, TLBI/DC/IC/AT, exception entry, ERET) of ev->cpu's
 * current instruction; pc and insn are filled from session_current when ev->pc is 0.
 * Loads, stores and maintenance write their trace event (`mem`, `tlbi`, `dc`, `ic`, `at`,
 * with `walk`/`tlb-fill` events of a table walk); sysreg, exception and eret events are
 * written by the caller before this call (they carry what only the machine knows).
 */
void session_step(struct session *ss, struct model_event *ev, struct model_step_result *res);

/*
 * The exception entry the machine performs: for a prefetch abort, the faulting fetch at
 * far first (the model checks that fetch too: with the MMU switched on outside the idmap,
 * the other context may not fault), then EV_EXC_ENTRY. Writes an `exc-entry` event (the
 * machine writes its own `exception` event with what it did to the CPU). what names the
 * exception for a later guest-hang report.
 */
void session_exception(struct session *ss, unsigned cpu, bool insn_abort, uint64_t far, uint64_t pc,
                       unsigned from_el, unsigned to_el, bool requested, uint64_t esr, uint64_t elr,
                       uint64_t vector, const char *what);

/* The stores of cpu's current instruction did not happen (the access was restarted or
 * became an exception): writes an `abandon` event when it had any. */
void session_abandon(struct session *ss, unsigned cpu);

/* cpu hangs at pc (guest-hang, DESIGN §3). Writes a `hang` event. */
void session_hang(struct session *ss, unsigned cpu, uint64_t pc, const char *what);

/*
 * PSCI CPU_ON, called by CPU by at pc, succeeded: cpu powers up in its reset state
 * (DESIGN §2: EL2h, MMU off, the boot convention's registers) to enter at entry with x0 =
 * context_id (model_reset_cpu). Writes a `cpu-on` event.
 */
void session_cpu_on(struct session *ss, unsigned cpu, unsigned by, uint64_t pc, uint64_t entry,
                    uint64_t context_id);

/* PSCI CPU_OFF by cpu at pc: it powers down (model_cpu_off). Writes a `cpu-off` event. */
void session_cpu_off(struct session *ss, unsigned cpu, uint64_t pc);

/*
 * The PA of a fetch of va by cpu at el with its registers as last written (what Unicorn
 * uses), or va when the MMU is off or the translation faults.
 */
uint64_t session_fetch_pa(struct session *ss, unsigned cpu, uint64_t va, unsigned el);

/* "name+0xoff" of a VA of cpu, through its PA when the VA itself has no symbol. */
void session_symbolize(struct session *ss, unsigned cpu, uint64_t va, unsigned el, char *buf,
                       size_t len);

/*
 * End of run: print every folded report (stderr; JSON Lines on stdout with json) and
 * return the exit status given the run's own: hazards other than a guest hang make it 1
 * (DESIGN §5), unless it is 2 or 4.
 */
int session_end(struct session *ss, int status);

/* Events delivered to the model so far (all machines). */
uint64_t session_events(const struct session *ss);

#endif /* HYPSIM_SIM_SESSION_H */
