/*
 * end.c - how a run ends (DESIGN §2/§5): the end line, the reports, the trace's `end`
 * event, and the places and instruction counts those messages name.
 */
#include "engine/end.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/timing.h"
#include "engine/cpu.h"
#include "engine/hazards.h"
#include "engine/hooks.h"
#include "engine/mmu.h"
#include "trace/trace.h"

int end_finish(struct sim *s, const char *reason, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->end_reason = reason;
	snprintf(s->end_msg, sizeof(s->end_msg), "%s", msg);
	hooks_uart_flush_line(s);
	fflush(s->uart_out);
	uint64_t pc = s->uc ? cpu_reg(s, UC_ARM64_REG_PC) : 0;
	char sym[64] = "";
	if (s->uc)
		mmu_symbolize(s, pc, sym, sizeof(sym));
	if (status == SIM_EXIT_INTERNAL)
		fprintf(stderr, "sim: internal error: %s (%s)\n", msg, s->name);
	else
		fprintf(stderr, "sim: %s: %s\n", s->name, msg);
	int run_status = status;
	status = check_end(s, status);
	if (s->timing)
		sim_timing_print(s->timing, &s->img, stderr);
	if (s->trace)
		trace_end(s->trace, reason, run_status, status, s->insns, pc, sym, msg);
	return status;
}

/* "0x40101010 (spin_forever+0x0) at EL2"; with several CPUs and name_cpu, "... at EL2 on
 * CPU 1". */
const char *end_where_on(struct sim *s, uint64_t pc, char *buf, size_t len, bool name_cpu)
{
	char sym[64], on[16] = "";
	mmu_symbolize(s, pc, sym, sizeof(sym));
	if (s->ncpus > 1 && name_cpu)
		snprintf(on, sizeof(on), " on CPU %u", s->cpu);
	snprintf(buf, len, "0x%" PRIx64 "%s%s%s at EL%u%s", pc, sym[0] ? " (" : "", sym,
	         sym[0] ? ")" : "", s->el, on);
	return buf;
}

const char *end_where(struct sim *s, uint64_t pc, char *buf, size_t len)
{
	return end_where_on(s, pc, buf, len, true);
}

/* Unicorn left the block counted at its start before pc: take back the instructions
 * from pc on, which did not run. */
void end_uncount_from(struct sim *s, uint64_t pc)
{
	if (pc < s->blk_va || pc >= s->blk_va + s->blk_size)
		return;
	s->insns -= (s->blk_va + s->blk_size - pc) / 4;
}

/* An exception raised by pc_insn: it counts as executed, the ones after it did not run. */
void end_uncount_after(struct sim *s, uint64_t pc_insn)
{
	end_uncount_from(s, pc_insn + 4);
}

