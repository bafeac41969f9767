/*
 * mmu.c - how hypsim runs guests whose EL2 (or EL1) MMU is on, at VAs that are not PAs.
 *
 * Unicorn 2.0.1 walks the guest's translation tables only after it has found the *VA* in
 * its own memory map; an unlisted VA fails with UC_ERR_*_UNMAPPED before any walk
 * (UNICORN-2.0.1.md). Hypsim therefore keeps "placeholder" regions at the VAs the guest
 * uses, and keeps them in step with the tables so that they are invisible to the guest:
 *
 *  1. Creation, lazily, from UC_HOOK_MEM_UNMAPPED, which only records the access: the run
 *     loop, once it knows the EL the CPU is in (after a native ERET, the hook runs before
 *     hypsim has seen it), has the model's walker (pt_translate, pt_check_perm) translate
 *     the VA with that EL's registers. A fault (or the MMU
 *     being off, where the VA is a PA with nothing behind it: External abort, DESIGN §2) is
 *     recorded as the architectural abort and the run loop takes it. A translation to RAM
 *     or the UART maps a placeholder (the leaf's range, up to 2 MiB, else one 4 KiB page)
 *     from the run loop (not inside the hook: see mmu_hook_unmapped) and the instruction
 *     is restarted: Unicorn's own walk now gives the same PA. A translation to a PA with
 *     nothing behind it is an External abort: Unicorn would silently read 0 there.
 *  2. Removal, at every point where the answer may change: MSR to SCTLR/TTBR/TCR/MAIR/HCR,
 *     any TLBI, exception entry and ERET (the regime, or its MMU state, may change). The
 *     run loop stops Unicorn there and mmu_sweep() unmaps each placeholder whose VA no
 *     longer translates to backed memory, so that an MMU-off access to it (a PA with
 *     nothing behind it) or a translation now faulting arrives again at step 1.
 *  Placeholders never overlap RAM or the UART (those are mapped first), so a guest
 *  access with the MMU off can only reach one between a change and the sweep that follows
 *  it, which happens before the next instruction.
 *
 * VAs Unicorn maps for itself (the PA windows of RAM, the UART and the GIC) never miss: with the
 * MMU on, the tables may send them anywhere, to a PA with nothing behind it too, where Unicorn
 * reads 0. mmu_hook_mem (a memory hook in every run) turns such an access into a precise External
 * abort, and one whose output address is beyond the PA size (which Unicorn's walk lets
 * through) into the Address size fault the model gives.
 *
 * Stage 2 (issue 19): at EL1/EL0 with HCR_EL2.VM=1 every translation here is the model's
 * combined walk (translate_s12), as Unicorn's own is: a placeholder needs every page of it
 * to reach backed memory through both stages, and a stage 2 fault is never left to Unicorn
 * (the access misses, and hypsim takes the abort to EL2 with the IPA for HPFAR_EL2).
 *
 * Known gap: a descriptor rewritten by a plain store to point an already-swept-in VA at a
 * PA with nothing behind it, with no TLBI after it, reads 0 in Unicorn (the architecture
 * requires a TLBI for that change anyway: the checker reports it as stale-tlb/bbm).
 */
#include "engine/mmu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "engine/cpu.h"
#include "engine/sim.h"
#include "machine/disasm.h"
#include "machine/machine.h"
#include "s2.h"

#define PH_MAX_SIZE (UINT64_C(2) << 20)
#define PAGE        UINT64_C(0x1000)

/* EL1/EL0: HCR_EL2, and VTCR_EL2/VTTBR_EL2 when HCR_EL2.VM puts the regime under stage 2. */
static void mmu_s2_regs_read(struct sim *s, struct mmu_regs *r)
{
	r->hcr = cpu_read_sysreg(s, CSR_HCR_EL2);
	if (!(r->hcr & HCR_EL2_VM)) {
		r->hcr = 0; /* nothing else of HCR_EL2 matters to a walk */
		return;
	}
	r->vtcr = cpu_read_sysreg(s, CSR_VTCR_EL2);
	r->vttbr = cpu_read_sysreg(s, CSR_VTTBR_EL2);
}

/* The registers of the current EL's regime, read once from Unicorn for many walks. */
static void mmu_regs_read(struct sim *s, struct mmu_regs *r)
{
	bool el2 = s->el == 2;
	r->el = s->el;
	r->sctlr = cpu_read_sysreg(s, el2 ? CSR_SCTLR_EL2 : CSR_SCTLR_EL1);
	r->tcr = cpu_read_sysreg(s, el2 ? CSR_TCR_EL2 : CSR_TCR_EL1);
	r->ttbr0 = cpu_read_sysreg(s, el2 ? CSR_TTBR0_EL2 : CSR_TTBR0_EL1);
	r->ttbr1 = el2 ? 0 : cpu_read_sysreg(s, CSR_TTBR1_EL1);
	r->mair = cpu_read_sysreg(s, el2 ? CSR_MAIR_EL2 : CSR_MAIR_EL1);
	r->hcr = r->vtcr = r->vttbr = 0;
	if (!el2)
		mmu_s2_regs_read(s, r);
}

/*
 * EL1/EL0 with HCR_EL2.VM=1: the model's combined walk (s2.h, s12_translate: D8.2, every
 * stage 1 table read an IPA translated by stage 2, then the output IPA), which is also what
 * Unicorn 2.0.1 walks (QEMU's get_phys_addr: S1 + Stage2 with S1PTW). The stage 1 walk's
 * block size becomes the smaller of both stages', so that a placeholder never spans two
 * stage 2 leaves without ph_window_ok's page-by-page check.
 */
static void translate_s12(struct sim *s, const struct mmu_regs *r, uint64_t va,
                          enum access_type acc, struct mmu_xlate *x)
{
	struct s12_regs sr = {.sctlr_el1 = r->sctlr, .tcr_el1 = r->tcr, .ttbr0_el1 = r->ttbr0,
	                      .ttbr1_el1 = r->ttbr1, .mair_el1 = r->mair, .hcr_el2 = r->hcr,
	                      .vtcr_el2 = r->vtcr, .vttbr_el2 = r->vttbr};
	struct s2_features feat = S2_FEATURES_A72;
	feat.pa_bits = s->feat.pa_bits; /* the machine's PA size, as the model's (ck_s2_features) */
	struct s12_result res;
	s12_translate(&sr, feat, &s->ram_ops, va, acc, r->el, &res);
	x->mmu_on = true;
	x->s2_on = true;
	x->fault = res.fault.f;
	x->stage2 = res.fault.stage == 2;
	x->s1ptw = res.fault.s1ptw;
	x->ipa = x->stage2 ? res.fault.ipa : res.ipa;
	if (res.s1_on)
		x->walk = res.s1;
	else
		x->walk = (struct walk_result){.level = res.s2.level, .block_size = res.s2.block_size};
	if (res.fault.f.type == FAULT_NONE) {
		x->pa = res.pa;
		x->walk.oa = res.pa;
		if (res.s1_on && res.s2.block_size < x->walk.block_size)
			x->walk.block_size = res.s2.block_size;
		return;
	}
	if (res.fault.stage == 1 && res.fault.f.type == FAULT_PERMISSION) {
		/* Where the access would have gone (ph_window_ok keeps a window whose pages fault
		 * only for permissions, when behind them is memory): the IPA through stage 2. */
		struct s2_walk w;
		s2_translate(&res.s2cfg, &s->ram_ops, res.s1.oa, &w);
		x->walk.oa = w.fault.type == FAULT_NONE ? w.pa : UINT64_MAX;
		if (w.fault.type == FAULT_NONE && w.block_size < x->walk.block_size)
			x->walk.block_size = w.block_size;
	}
}

static void translate_regs(struct sim *s, const struct mmu_regs *r, uint64_t va,
                           enum access_type acc, unsigned len, struct mmu_xlate *x)
{
	memset(x, 0, sizeof(*x));
	bool el2 = r->el == 2;
	x->mmu_on = (r->sctlr & SCTLR_ELx_M) != 0;
	if (!el2 && (r->hcr & HCR_EL2_VM)) {
		translate_s12(s, r, va, acc, x);
		if (x->fault.type != FAULT_NONE)
			return;
	} else if (!x->mmu_on) {
		x->pa = va;
		/* AArch64.S1DisabledOutput: a PA beyond the implemented size is a level 0 Address
		 * size fault, not an access to a PA with nothing behind it (QEMU agrees:
		 * firmware/engine/addr-size). */
		if (va >> s->feat.pa_bits) {
			x->fault = (struct fault){.type = FAULT_ADDRESS_SIZE, .level = 0};
			return;
		}
	} else {
		struct pt_cfg cfg;
		bool ok =
		    pt_cfg_from_regs(el2 ? REGIME_EL2 : REGIME_EL10, s->feat.pa_bits, r->sctlr,
		                     r->tcr, r->ttbr0, r->ttbr1, r->mair, va, &cfg, &x->fault);
		if (!ok)
			return;
		pt_translate(&cfg, &s->ram_ops, va, &x->walk);
		x->fault = x->walk.fault;
		if (x->fault.type != FAULT_NONE)
			return;
		x->fault = pt_check_perm(&cfg, &x->walk, acc, r->el);
		if (x->fault.type != FAULT_NONE)
			return;
		x->pa = x->walk.oa;
	}
	if (!mach_pa_backed(s->opt.ram_base, s->opt.ram_size, x->pa, len ? len : 1))
		x->fault = (struct fault){.type = FAULT_EXTERNAL, .level = 0};
}

void mmu_translate(struct sim *s, uint64_t va, enum access_type acc, unsigned len,
                   struct mmu_xlate *x)
{
	struct mmu_regs r;
	if (!(s->el == 2 ? cpu_read_sysreg(s, CSR_SCTLR_EL2) : cpu_read_sysreg(s, CSR_SCTLR_EL1)) &
	    SCTLR_ELx_M) {
		/* Stage 1 off: VA = IPA, and without stage 2 (EL2, or HCR_EL2.VM=0) = PA. */
		r = (struct mmu_regs){.el = s->el};
		if (s->el < 2)
			mmu_s2_regs_read(s, &r);
	} else {
		mmu_regs_read(s, &r);
	}
	translate_regs(s, &r, va, acc, len, x);
}

int mmu_read_va(struct sim *s, uint64_t va, void *buf, unsigned len, enum access_type acc)
{
	uint64_t off = va & (PAGE - 1);
	const uint8_t *cached = acc == ACC_FETCH ? mmu_fetch_cached(s, va, len) : NULL;
	if (cached) {
		memcpy(buf, cached, len);
		return 0;
	}
	struct mmu_xlate x;
	mmu_translate(s, va, acc, len, &x);
	if (x.fault.type != FAULT_NONE ||
	    !mach_pa_in_ram(s->opt.ram_base, s->opt.ram_size, x.pa, len))
		return -1;
	memcpy(buf, s->ram + (x.pa - s->opt.ram_base), len);
	if (acc == ACC_FETCH && off + len <= PAGE &&
	    mach_pa_in_ram(s->opt.ram_base, s->opt.ram_size, x.pa - off, PAGE)) {
		if (!s->fetch_valid)
			s->fetch_gen++; /* entries of an earlier stretch are stale */
		s->fetch_valid = true;
		s->fetch_el = s->el;
		s->fetch_va_page = va - off;
		s->fetch_host = s->ram + (x.pa - off - s->opt.ram_base);
		s->fetch_cache[(va >> 12) % 32] = (struct fetch_entry){
		    .va_page = va - off, .gen = s->fetch_gen + 1, .host = s->fetch_host, .el = s->el};
	}
	return 0;
}

static bool ph_add(struct sim *s, uint64_t va, uint64_t size)
{
	if (uc_mem_map(s->uc, va, size, UC_PROT_ALL) != UC_ERR_OK)
		return false;
	if (s->nph == s->ph_cap) {
		size_t cap = s->ph_cap ? 2 * s->ph_cap : 64;
		struct placeholder *n = realloc(s->ph, cap * sizeof(*n));
		if (!n) {
			uc_mem_unmap(s->uc, va, size);
			return false;
		}
		s->ph = n;
		s->ph_cap = cap;
	}
	s->ph[s->nph++] = (struct placeholder){.va = va, .size = size};
	return true;
}

/* Whether the placeholder window [va, va + size) may stay mapped in Unicorn: every 4 KiB of
 * it translates (Unicorn raises a permission fault itself, its walk sees it too) to backed
 * memory, so Unicorn never reads zeros or drops stores where the model sees an abort. */
static bool ph_window_ok(struct sim *s, const struct mmu_regs *r, uint64_t va, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE) {
		struct mmu_xlate x;
		translate_regs(s, r, va + off, ACC_READ, (unsigned)PAGE, &x);
		if (!x.mmu_on || (x.fault.type != FAULT_NONE && x.fault.type != FAULT_PERMISSION))
			return false;
		/* A stage 2 fault is taken on the model's word (mmu_map_placeholder), with the
		 * IPA that HPFAR_EL2 reports. */
		if (x.stage2)
			return false;
		if (x.fault.type == FAULT_PERMISSION &&
		    !mach_pa_backed(s->opt.ram_base, s->opt.ram_size, x.walk.oa, (unsigned)PAGE))
			return false;
	}
	return true;
}

/* Map the largest aligned window (<= 2 MiB) around va that translates to backed PAs. A
 * window larger than the leaf is checked page by page: with 4 KiB pages, one placeholder per
 * page would exhaust Unicorn 2.0.1's 4096 physical sections (an assertion in exec.c) after
 * a few thousand pages (firmware/stress touches 16384). */
static bool ph_map(struct sim *s, uint64_t va, const struct mmu_xlate *x)
{
	uint64_t block = x->walk.block_size < PAGE ? PAGE : x->walk.block_size;
	struct mmu_regs r;
	mmu_regs_read(s, &r);
	for (uint64_t size = PH_MAX_SIZE; size >= PAGE; size >>= 1) {
		uint64_t base = va & ~(size - 1);
		uint64_t pa = x->pa - (va - base);
		if (size > PAGE && size <= block &&
		    !mach_pa_backed(s->opt.ram_base, s->opt.ram_size, pa, size))
			continue;
		if (size > block && !ph_window_ok(s, &r, base, size))
			continue;
		if (ph_add(s, base, size))
			return true;
		if (size == PAGE)
			break;
	}
	return false;
}

bool mmu_hook_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                       void *user)
{
	struct sim *s = user;
	(void)size;
	(void)value;
	bool fetch = type == UC_MEM_FETCH_UNMAPPED;
	bool write = type == UC_MEM_WRITE_UNMAPPED;
	/* Only recorded: the run loop decides (mmu_map_placeholder). Mapping from inside this
	 * hook crashes Unicorn 2.0.1 when the miss is an instruction fetch (the translator is
	 * running), and here s->el may not be the EL the CPU is in: the fetch at the target of
	 * a native ERET misses before hypsim has seen the ERET (run.c, after_eret), and EL2's
	 * regime would call an EL1 VA unmapped (issue 14 defect 1). */
	/* The first stop is the one the run loop handles: DC ZVA's helper misses up to
	 * blocklen + 2 times (one byte store after another) before it returns, and a miss
	 * after mmu_hook_mem's abort must not replace that abort's VA. */
	if (s->stop != STOP_NONE)
		return false;
	s->abort = (struct pending_abort){.fetch = fetch, .write = write, .va = addr};
	/*
	 * An unmapped store does not leave the TB: store_helper calls cpu_exit, drops the write
	 * and returns (cputlb.c). A store TCG emits itself ends its TB right after it
	 * (check_exit_request), but a store from a helper (DC ZVA) runs on: in --no-check
	 * (no code hook to stop at) to the end of the block, whose later instructions then ran
	 * once more at the restart (the `add; subs` of memset's DC ZVA loop: issue 14 defect
	 * 3); with the code hook, the stop comes at the next instruction, as if DC ZVA had
	 * completed though its writes were dropped. So the CPU is saved here, before the
	 * instruction (its PC written back by the SYS or memory hook), and the run loop
	 * restores it: the missing instruction restarts from its own state in both modes.
	 */
	s->abort_ctx_miss = !fetch && uc_context_save(uc, s->abort_ctx) == UC_ERR_OK;
	sim_request_stop(s, STOP_PLACEHOLDER);
	return false;
}

/*
 * Unicorn's walk sends such a VA to its PA and reads 0 or drops the write where nothing is
 * behind it (io_readx: cpu_transaction_failed is compiled out). DESIGN §2: a synchronous
 * External abort, precise (Arm ARM D8.x: "External abort on an access"). This hook runs
 * before the access (the unmapped check, then this hook, then the walk): it records the
 * abort, saves the CPU (registers before the instruction; the PC is the instruction's, its
 * write-back forced by this hook being registered) and stops; the access completes
 * harmlessly and the TB ends right after it (tcg-op.c: check_exit_request after each
 * access); the run loop restores the CPU and takes the abort.
 */
void mmu_hook_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                  void *user)
{
	struct sim *s = user;
	(void)value;
	if (s->host_op || s->stop != STOP_NONE ||
	    /* Unicorn has a region at this very address only where the machine has one
	     * (RAM, the UART, the GIC's frames; placeholders are kept translating to backed
	     * memory by the sweeps). */
	    !mach_pa_backed(s->opt.ram_base, s->opt.ram_size, addr, 1))
		return;
	if (!s->win_mmu) {
		uint64_t sctlr = cpu_read_sysreg(s, s->el == 2 ? CSR_SCTLR_EL2 : CSR_SCTLR_EL1);
		bool s2 = s->el < 2 && (cpu_read_sysreg(s, CSR_HCR_EL2) & HCR_EL2_VM);
		s->win_mmu = (sctlr & SCTLR_ELx_M) || s2 ? 2 : 1;
	}
	if (s->win_mmu == 1)
		return; /* VA = PA: RAM or the UART */
	bool write = type == UC_MEM_WRITE;
	uint64_t page = addr >> 12;
	unsigned len = size > 0 ? (unsigned)size : 1;
	struct win_entry *c = &s->win_cache[page % 64];
	if (c->gen != s->win_gen || c->page != page) {
		struct mmu_xlate x;
		mmu_translate(s, addr, write ? ACC_WRITE : ACC_READ, len, &x);
		/* Unicorn's own walk raises Translation, Access flag and Permission faults, but
		 * not an Address size fault for an output address beyond the PA size (measured:
		 * TCR_EL2.PS = 48 bits on its 44-bit A72, a block at 2^44 reads 0): hypsim takes
		 * that one, as the model and the ID registers say (firmware/engine/addr-size). */
		bool own = x.fault.type == FAULT_EXTERNAL || x.fault.type == FAULT_ADDRESS_SIZE;
		if (x.fault.type != FAULT_NONE && !own)
			return;
		*c = (struct win_entry){.page = page, .gen = s->win_gen, .abort = x.fault};
	}
	if (c->abort.type == FAULT_NONE)
		return;
	s->abort = (struct pending_abort){.write = write, .va = addr, .fault = c->abort};
	if (uc_context_save(uc, s->abort_ctx) != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: cannot save the CPU for an abort");
		sim_request_stop(s, STOP_FATAL);
		return;
	}
	sim_request_stop(s, STOP_ABORT);
}

bool mmu_map_placeholder(struct sim *s)
{
	struct mmu_xlate x;
	const struct pending_abort *a = &s->abort;
	mmu_translate(s, a->va, a->fetch ? ACC_FETCH : a->write ? ACC_WRITE : ACC_READ, 1, &x);
	if (x.fault.type == FAULT_NONE && x.mmu_on && ph_map(s, a->va, &x))
		return true;
	/* The translation's own fault; with the MMU off (VA = PA, and Unicorn has no region
	 * there) or a window that could not be mapped (an overlap with another region), a PA
	 * with nothing behind it: an External abort (DESIGN §2). */
	s->abort.fault = x.fault;
	s->abort.stage2 = x.stage2;
	s->abort.s1ptw = x.s1ptw;
	s->abort.ipa = x.ipa;
	if (x.fault.type == FAULT_NONE)
		s->abort.fault = (struct fault){.type = FAULT_EXTERNAL, .level = 0};
	return false;
}

/* Unmap placeholder i (the caller drops it from the list). */
static void ph_drop(struct sim *s, size_t i)
{
	uc_mem_unmap(s->uc, s->ph[i].va, s->ph[i].size);
}

/* VA bit 55 selects TTBR0 or TTBR1 in the EL1&0 regime (D8.2.4, "VA range"). */
#define VA_UPPER(va) (((va) >> 55) & 1)

/*
 * Re-check the placeholders after a change that may make a VA translate elsewhere (an MSR
 * to a translation register, a TLBI, an exception entry or an ERET), in proportion to what
 * the change can affect:
 *  - the regime's registers unchanged and only TLBIs by VA since the last check: only the
 *    4 KiB pages of those VAs (a TLBI by VA is what makes a new descriptor for that VA
 *    visible, D8.13.5; any other VA keeps its translation: a descriptor rewritten
 *    without a TLBI is the known gap above, reported by the checker as stale-tlb/bbm);
 *  - only TTBR0_EL1 (or only TTBR1_EL1) changed at EL1: the placeholders of that half of
 *    the VA space;
 *  - otherwise (another register, another EL, a TLBI of an ALL/ASID form): every page of
 *    every placeholder, as before. The walks share one read of the registers.
 */
void mmu_sweep(struct sim *s)
{
	struct mmu_regs r;
	mmu_regs_read(s, &r);
	const struct mmu_regs *o = &s->ph_regs;
	bool same_ctx = s->ph_regs_valid && o->el == r.el && o->sctlr == r.sctlr &&
	                o->tcr == r.tcr && o->mair == r.mair && o->hcr == r.hcr &&
	                o->vtcr == r.vtcr && o->vttbr == r.vttbr;
	int half = -1; /* -1: every placeholder; 0 / 1: those with VA bit 55 clear / set */
	bool full = true;
	if (same_ctx && !s->ph_tlbi_all) {
		if (o->ttbr0 == r.ttbr0 && o->ttbr1 == r.ttbr1)
			full = false;
		else if (r.el != 2 && o->ttbr1 == r.ttbr1)
			half = 0;
		else if (r.el != 2 && o->ttbr0 == r.ttbr0)
			half = 1;
	}
	size_t keep = 0;
	for (size_t i = 0; i < s->nph; i++) {
		struct placeholder p = s->ph[i];
		bool ok = true;
		if (!full) {
			for (unsigned k = 0; k < s->ph_ntlbi_va && ok; k++) {
				uint64_t page = s->ph_tlbi_va[k] & ~(PAGE - 1);
				if (page >= p.va && page - p.va < p.size)
					ok = ph_window_ok(s, &r, page, PAGE);
			}
		} else if (half < 0 || VA_UPPER(p.va) == (unsigned)half) {
			/* Every 4 KiB of the window must still translate to backed memory. */
			ok = ph_window_ok(s, &r, p.va, p.size);
		}
		if (ok)
			s->ph[keep++] = p;
		else
			ph_drop(s, i);
	}
	s->nph = keep;
	s->ph_regs = r;
	s->ph_regs_valid = true;
	s->ph_tlbi_all = false;
	s->ph_ntlbi_va = 0;
}

void mmu_note_tlbi(struct sim *s, bool by_va, uint64_t arg)
{
	if (!by_va || s->ph_ntlbi_va == sizeof(s->ph_tlbi_va) / sizeof(s->ph_tlbi_va[0])) {
		s->ph_tlbi_all = true;
		return;
	}
	/* Xt holds VA[55:12] in bits [43:0] (D8.13.6); bits [63:56] copy bit 55. */
	uint64_t va = (arg & ((UINT64_C(1) << 44) - 1)) << 12;
	if (VA_UPPER(va))
		va |= UINT64_C(0xff) << 56;
	s->ph_tlbi_va[s->ph_ntlbi_va++] = va;
}

void mmu_clear(struct sim *s)
{
	for (size_t i = 0; i < s->nph; i++)
		uc_mem_unmap(s->uc, s->ph[i].va, s->ph[i].size);
	s->nph = 0;
	s->ph_regs_valid = false;
}

static uint64_t read_reg(void *arg, int uc_reg)
{
	return cpu_reg(arg, uc_reg);
}

bool mmu_classify_abort(struct sim *s, bool fetch, uint64_t pc)
{
	struct pending_abort a = {.fetch = fetch, .va = pc};
	enum access_type acc = ACC_FETCH;
	if (!fetch) {
		uint32_t enc;
		struct dis_access da;
		if (mmu_read_va(s, pc, &enc, 4, ACC_FETCH) ||
		    !disasm_access(s->dis, pc, enc, read_reg, s, &da)) {
			snprintf(s->fatal, sizeof(s->fatal),
			         "data abort at 0x%" PRIx64
			         " on an instruction hypsim cannot decode",
			         pc);
			return false;
		}
		a.va = da.va;
		a.write = da.write;
		a.cache_maint = da.cache_maint;
		if (da.cache_maint)
			acc = da.perm_write ? ACC_DC_WRITE : ACC_DC_READ;
		else
			acc = da.perm_write ? ACC_WRITE : ACC_READ;
	}
	struct mmu_xlate x;
	mmu_translate(s, a.va, acc, 1, &x);
	a.fault = x.fault;
	a.stage2 = x.stage2;
	a.s1ptw = x.s1ptw;
	a.ipa = x.ipa;
	if (a.fault.type == FAULT_NONE) {
		/* Unicorn faulted where the walker does not: only an alignment check remains
		 * (Device memory with the MMU off, SCTLR.A). */
		a.fault = (struct fault){.type = FAULT_ALIGNMENT, .level = 0};
	}
	s->abort = a;
	return true;
}

char *mmu_symbolize(struct sim *s, uint64_t va, char *buf, size_t len)
{
	img_symbolize_pc(&s->img, va, s->el, buf, len);
	if (buf[0] || !s->uc)
		return buf;
	/* A VA of the MMU-on regime (an alias, a HYP VA): name the PA it runs from. */
	struct mmu_xlate x;
	mmu_translate(s, va, ACC_FETCH, 4, &x);
	if (x.mmu_on && x.fault.type == FAULT_NONE)
		img_symbolize_pc(&s->img, x.pa, s->el, buf, len);
	return buf;
}
