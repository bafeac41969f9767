/*
 * entry.c - architectural exception entry for hypsim. Unicorn 2.0.1 performs none: it
 * reports HVC/SVC/BRK/UDF/aborts through UC_HOOK_INTR and leaves ESR, ELR, FAR, SPSR and
 * PSTATE untouched. The computation (target EL, ESR, vector offset, SPSR, new PSTATE) is
 * the model's pure exc_take() (D1.10); this file only applies its result to the CPU and
 * records it.
 */
#include <inttypes.h>
#include <stdio.h>

#include "arch.h"
#include "engine/cpu.h"
#include "engine/entry.h"
#include "engine/hazards.h"
#include "engine/mmu.h"
#include "trace/trace.h"

static bool is_abort(enum exc_cause c)
{
	return c == EXC_CAUSE_INSN_ABORT || c == EXC_CAUSE_DATA_ABORT;
}

int sim_take_exception(struct sim *s, struct exc_info *info, uint64_t pc, uint64_t pref_return)
{
	uint64_t pstate = cpu_pstate(s);
	info->from_el = s->el;
	info->il32 = true;
	struct exc_cpu cpu = {
	    .pstate = pstate,
	    .pc = pref_return,
	    .hcr_el2 = cpu_read_sysreg(s, CSR_HCR_EL2),
	    .vbar_el1 = cpu_read_sysreg(s, CSR_VBAR_EL1),
	    .vbar_el2 = cpu_read_sysreg(s, CSR_VBAR_EL2),
	};
	struct exc_entry e = exc_take(info, &cpu);
	char sym[64];
	mmu_symbolize(s, pc, sym, sizeof(sym));

	/* NZCV are not changed by exception entry (D1.10.4): only M, SPSel and DAIF are. */
	uint64_t new_pstate =
	    (e.new_pstate & ~UINT64_C(0xf0000000)) | (pstate & UINT64_C(0xf0000000));
	check_exc_entry(s, info, &e, pc);
	if (cpu_enter(s, new_pstate, e.vector))
		return -1;
	bool el2 = e.target_el == 2;
	int rc = cpu_write_sysreg(s, el2 ? CSR_ESR_EL2 : CSR_ESR_EL1, e.esr);
	rc |= cpu_write_sysreg(s, el2 ? CSR_ELR_EL2 : CSR_ELR_EL1, e.elr);
	rc |= cpu_write_sysreg(s, el2 ? CSR_SPSR_EL2 : CSR_SPSR_EL1, e.spsr);
	if (e.far_valid)
		rc |= cpu_write_sysreg(s, el2 ? CSR_FAR_EL2 : CSR_FAR_EL1, e.far);
	/* HPFAR_EL2.FIPA[43:4] = IPA[51:12] of a stage 2 abort (D17.2 HPFAR_EL2). */
	if (info->stage2 && el2)
		rc |= cpu_write_sysreg(s, CSR_HPFAR_EL2, (info->ipa >> 12) << 4);
	if (rc)
		return -1;

	s->exceptions++;
	s->last_exc = (struct last_exc){
	    .valid = true,
	    .cause = info->cause,
	    .from_el = info->from_el,
	    .to_el = e.target_el,
	    .pc = pc,
	    .esr = e.esr,
	    .far = e.far,
	    .far_valid = e.far_valid,
	    .vector = e.vector,
	    .at_insns = s->insns,
	};
	snprintf(s->last_exc.sym, sizeof(s->last_exc.sym), "%s", sym);
	if (s->trace) {
		struct trace_exc te = {
		    .cpu = s->cpu,
		    .cause = exc_cause_name(info->cause),
		    .requested = !is_abort(info->cause) && info->cause != EXC_CAUSE_UNDEFINED &&
		                 info->cause != EXC_CAUSE_PC_ALIGN &&
		                 info->cause != EXC_CAUSE_SP_ALIGN &&
		                 info->cause != EXC_CAUSE_ILLEGAL_STATE &&
		                 info->cause != EXC_CAUSE_SYSREG_TRAP,
		    .from_el = info->from_el,
		    .to_el = e.target_el,
		    .pc = pc,
		    .sym = sym,
		    .esr = e.esr,
		    .ec = exc_ec_name((unsigned)FIELD_GET(e.esr, ESR_EC_SHIFT, 6)),
		    .elr = e.elr,
		    .spsr = e.spsr,
		    .vector = e.vector,
		    .far_valid = e.far_valid,
		    .far = e.far,
		    .fault = is_abort(info->cause) ? pt_fault_name(info->fault.type) : NULL,
		    .fault_level = info->fault.level,
		    .stage2 = info->stage2 && el2,
		    .hpfar = (info->ipa >> 12) << 4,
		};
		trace_exception(s->trace, &te);
	}
	mmu_sweep(s);
	return 0;
}

int sim_take_interrupt(struct sim *s, bool fiq, bool virt, unsigned target_el, uint64_t pc)
{
	uint64_t pstate = cpu_pstate(s);
	unsigned from = s->el;
	bool el2 = target_el == 2;
	uint64_t vbar = cpu_read_sysreg(s, el2 ? CSR_VBAR_EL2 : CSR_VBAR_EL1);
	uint64_t vector = vbar + exc_vector_offset(fiq ? EXC_FIQ : EXC_IRQ, from, target_el,
	                                           (pstate & PSTATE_SP) != 0, true);
	/* AArch64.TakeException: ELxh, DAIF all set, NZCV kept (D1.10.4). */
	uint64_t new_pstate = (pstate & UINT64_C(0xf0000000)) | PSTATE_DAIF |
	                      (el2 ? PSTATE_M_EL2H : PSTATE_M_EL1H);
	const char *cause = virt ? (fiq ? "vfiq" : "virq") : (fiq ? "fiq" : "irq");
	char sym[64];
	mmu_symbolize(s, pc, sym, sizeof(sym));
	check_irq_entry(s, fiq, virt, pc, from, target_el, vector);
	if (cpu_enter(s, new_pstate, vector))
		return -1;
	int rc = cpu_write_sysreg(s, el2 ? CSR_ELR_EL2 : CSR_ELR_EL1, pc);
	rc |= cpu_write_sysreg(s, el2 ? CSR_SPSR_EL2 : CSR_SPSR_EL1, pstate);
	if (rc)
		return -1;
	s->exceptions++;
	s->interrupts++;
	if (s->trace) {
		struct trace_exc te = {
		    .cpu = s->cpu,
		    .cause = cause,
		    .requested = true,
		    .from_el = from,
		    .to_el = target_el,
		    .pc = pc,
		    .sym = sym,
		    .ec = "",
		    .elr = pc,
		    .spsr = pstate,
		    .vector = vector,
		};
		trace_exception(s->trace, &te);
	}
	mmu_sweep(s);
	return 0;
}

void sim_describe_last_exc(struct sim *s, char *buf, size_t len)
{
	const struct last_exc *l = &s->last_exc;
	if (!l->valid) {
		snprintf(buf, len, "none");
		return;
	}
	const char *sym = l->sym;
	int n = snprintf(
	    buf, len, "%s from EL%u to EL%u at 0x%" PRIx64 "%s%s%s, ESR 0x%" PRIx64 " (%s)",
	    exc_cause_name(l->cause), l->from_el, l->to_el, l->pc, sym[0] ? " (" : "", sym,
	    sym[0] ? ")" : "", l->esr, exc_ec_name((unsigned)FIELD_GET(l->esr, ESR_EC_SHIFT, 6)));
	if (l->far_valid && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", FAR 0x%" PRIx64, l->far);
}
