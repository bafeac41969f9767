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
 *     run loop stops Unicorn there and mmu_sweep() unmaps each placeholder of the current
 *     regime whose VA no longer translates to backed memory, so that an MMU-off access to
 *     it (a PA with nothing behind it) arrives again at step 1. A page that now
 *     translation-faults does not remove its window (Unicorn's walk raises that fault
 *     itself): the window becomes holey (ftrace's fixmap slot is set, used, cleared and
 *     invalidated by VA for each of its ~44k patches; unmapping and mapping its window
 *     each time cost a fifth of the boot).
 *  3. Each placeholder belongs to the regime it was checked against (EL2, or EL1&0 which
 *     EL0 shares). A sweep in one regime leaves the other's alone: an HVC to EL2 and the
 *     ERET back keep EL1's placeholders (their translations change only through EL1's
 *     registers or TLBIs covering EL1&0, which the next sweep in EL1&0 sees).
 *  Placeholders never overlap RAM or the UART (those are mapped first). An access to a
 *  placeholder that the sweeps do not keep right for the current regime (the other
 *  regime's, or a holey one: an invalid-to-valid store needs no TLBI) is checked before
 *  Unicorn performs it: data by mmu_hook_mem, blocks by the block hook (mmu_block_guarded),
 *  both only in the 2 MiB frames that hold such placeholders (s->ph_frames); an MMU-off
 *  access, or a translation to a PA with nothing behind it, is the External abort step 1
 *  gives. Otherwise a guest access with the MMU off can only reach a placeholder between a
 *  change and the sweep that follows it, which happens before the next instruction.
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

/* The slot of 2 MiB frame f (va >> 21) in s->ph_frames, or of the free slot where it
 * would go. The table is never full (ph_frame_add keeps it at most half used). */
static struct ph_frame *ph_frame_slot(const struct sim *s, uint64_t f)
{
	size_t mask = s->ph_frames_cap - 1;
	for (size_t i = (size_t)((f * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & mask;;
	     i = (i + 1) & mask) {
		struct ph_frame *e = &s->ph_frames[i];
		if (e->frame == f + 1 || !e->frame)
			return e;
	}
}

/* Count a placeholder of regime g in frame f (delta +1 or -1; holey: it is one, or
 * becomes one with delta 0). false: out of memory. */
static bool ph_frame_add(struct sim *s, uint64_t f, unsigned g, int delta, bool holey)
{
	if (2 * (s->ph_frames_used + 1) > s->ph_frames_cap) {
		size_t cap = s->ph_frames_cap ? 2 * s->ph_frames_cap : 256;
		struct ph_frame *old = s->ph_frames, *n = calloc(cap, sizeof(*n));
		if (!n)
			return false;
		size_t ocap = s->ph_frames_cap;
		s->ph_frames = n;
		s->ph_frames_cap = cap;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].frame)
				*ph_frame_slot(s, old[i].frame - 1) = old[i];
		free(old);
	}
	struct ph_frame *e = ph_frame_slot(s, f);
	if (!e->frame) {
		e->frame = f + 1;
		s->ph_frames_used++;
	}
	s->ph_frames_gen++; /* mmu_ph_guarded's last answer */
	e->n[g] = (uint32_t)((int64_t)e->n[g] + delta);
	s->ph_count[g] = (size_t)((int64_t)s->ph_count[g] + delta);
	if (holey) {
		int dh = delta ? delta : 1;
		e->h[g] = (uint32_t)((int64_t)e->h[g] + dh);
		s->ph_holey[g] = (size_t)((int64_t)s->ph_holey[g] + dh);
	}
	return true;
}

bool mmu_ph_guarded(struct sim *s, uint64_t va)
{
	unsigned cur = PH_REGIME(s->el), other = cur == PH_EL2 ? PH_EL10 : PH_EL2;
	if (!s->ph_count[other] && !s->ph_holey[cur])
		return false;
	/* The last answer, while no frame count and not the regime changed: an OS's accesses
	 * stay in one frame for long runs. */
	uint64_t f = va >> 21;
	if (s->guard_last.gen == s->ph_frames_gen + 1 && s->guard_last.frame == f &&
	    s->guard_last.regime == cur)
		return s->guard_last.hit;
	const struct ph_frame *e = ph_frame_slot(s, f);
	bool hit = e->frame && (e->n[other] || e->h[cur]);
	s->guard_last.gen = s->ph_frames_gen + 1;
	s->guard_last.frame = f;
	s->guard_last.regime = cur;
	s->guard_last.hit = hit;
	return hit;
}

/* Placeholder i has a page that translation-faults now. */
static void ph_mark_holey(struct sim *s, size_t i)
{
	if (s->ph[i].holey)
		return;
	s->ph[i].holey = true;
	ph_frame_add(s, s->ph[i].va >> 21, s->ph[i].regime, 0, true); /* the slot exists */
}

static bool ph_add(struct sim *s, uint64_t va, uint64_t size)
{
	unsigned g = PH_REGIME(s->el);
	if (s->nph == s->ph_cap) {
		size_t cap = s->ph_cap ? 2 * s->ph_cap : 64;
		struct placeholder *n = realloc(s->ph, cap * sizeof(*n));
		if (!n)
			return false;
		s->ph = n;
		s->ph_cap = cap;
	}
	if (!ph_frame_add(s, va >> 21, g, 0, false))
		return false;
	if (uc_mem_map(s->uc, va, size, UC_PROT_ALL) != UC_ERR_OK)
		return false;
	ph_frame_add(s, va >> 21, g, 1, false); /* the slot exists: cannot fail */
	s->ph[s->nph++] = (struct placeholder){.va = va, .size = size, .regime = g};
	return true;
}

/* Whether the placeholder window [va, va + size) may stay mapped in Unicorn: WIN_OK when
 * every 4 KiB of it translates (Unicorn raises a permission fault itself, its walk sees it
 * too) to backed memory, so Unicorn never reads zeros or drops stores where the model sees
 * an abort; WIN_HOLEY when some pages translation-fault instead (Unicorn's walk raises
 * those too; a later invalid-to-valid store there needs no TLBI, so accesses in the window
 * are checked: mmu_ph_guarded); WIN_BAD otherwise (the MMU off, another fault, a PA with
 * nothing behind it). */
enum win_state { WIN_BAD, WIN_OK, WIN_HOLEY };
static enum win_state ph_window_check(struct sim *s, const struct mmu_regs *r, uint64_t va,
                                      uint64_t size)
{
	enum win_state st = WIN_OK;
	for (uint64_t off = 0; off < size; off += PAGE) {
		struct mmu_xlate x;
		translate_regs(s, r, va + off, ACC_READ, (unsigned)PAGE, &x);
		if (!x.mmu_on)
			return WIN_BAD;
		/* A stage 2 fault is taken on the model's word (mmu_map_placeholder), with the
		 * IPA that HPFAR_EL2 reports: never left to Unicorn's walk. */
		if (x.stage2)
			return WIN_BAD;
		if (x.fault.type == FAULT_TRANSLATION) {
			st = WIN_HOLEY;
			continue;
		}
		if (x.fault.type != FAULT_NONE && x.fault.type != FAULT_PERMISSION)
			return WIN_BAD;
		if (x.fault.type == FAULT_PERMISSION &&
		    !mach_pa_backed(s->opt.ram_base, s->opt.ram_size, x.walk.oa, (unsigned)PAGE))
			return WIN_BAD;
	}
	return st;
}

static bool ph_window_ok(struct sim *s, const struct mmu_regs *r, uint64_t va, uint64_t size)
{
	return ph_window_check(s, r, va, size) == WIN_OK;
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

/* mach_pa_backed for one byte, on every access: RAM first, then, below the highest
 * device window only, the devices (placeholders at an OS's VAs lie far above them). */
#define DEVICE_CEIL (MACH_UART_BASE + MACH_UART_SIZE)
_Static_assert(MACH_GIC_DIST_BASE < MACH_GIC_CPU_BASE && MACH_GIC_CPU_BASE < MACH_GIC_HYP_BASE &&
                   MACH_GIC_HYP_BASE < MACH_GIC_VCPU_BASE &&
                   MACH_GIC_VCPU_BASE + MACH_GIC_REGION_SIZE <= DEVICE_CEIL,
               "DEVICE_CEIL must lie above every device window");
static inline bool pa_backed(const struct sim *s, uint64_t pa)
{
	if (pa - s->opt.ram_base < s->opt.ram_size)
		return true;
	return pa < DEVICE_CEIL && mach_pa_in_device(pa, 1);
}

/* mmu_hook_mem's External abort on the access at addr: the CPU saved before it, a stop. */
static void hook_mem_abort(uc_engine *uc, struct sim *s, bool write, uint64_t addr,
                           struct fault f)
{
	s->abort = (struct pending_abort){.write = write, .va = addr, .fault = f};
	if (uc_context_save(uc, s->abort_ctx) != UC_ERR_OK) {
		snprintf(s->fatal, sizeof(s->fatal), "unicorn: cannot save the CPU for an abort");
		sim_request_stop(s, STOP_FATAL);
		return;
	}
	sim_request_stop(s, STOP_ABORT);
}

/* The page of va in the per-page cache of what hypsim itself takes there (win_cache):
 * an External abort, an Address size fault, or nothing (FAULT_NONE). NULL when the walk
 * faults in a way Unicorn's own walk raises (Translation, Access flag, Permission): nothing
 * is cached then. Unicorn's walk does not raise an Address size fault for an output address
 * beyond the PA size (measured: TCR_EL2.PS = 48 bits on its 44-bit A72, a block at 2^44
 * reads 0): hypsim takes that one, as the model and the ID registers say
 * (firmware/engine/addr-size). */
static const struct win_entry *win_lookup(struct sim *s, uint64_t va, enum access_type acc,
                                          unsigned len)
{
	uint64_t page = va >> 12;
	struct win_entry *c = &s->win_cache[page % 64];
	if (c->gen == s->win_gen && c->page == page)
		return c;
	struct mmu_xlate x;
	mmu_translate(s, va, acc, len, &x);
	bool own = x.fault.type == FAULT_EXTERNAL || x.fault.type == FAULT_ADDRESS_SIZE;
	if (x.fault.type != FAULT_NONE && !own)
		return NULL;
	*c = (struct win_entry){.page = page, .gen = s->win_gen, .abort = x.fault};
	return c;
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
	if (s->host_op || s->stop != STOP_NONE)
		return;
	/* Unicorn has a region at this very address only where the machine has one (RAM, the
	 * UART, the GIC's frames) or where a placeholder is. The current regime's placeholders
	 * are kept translating to backed memory, or translation-faulting (holey), by the
	 * sweeps; the other regime's are not (mmu_sweep). An access in a frame of the other
	 * regime's or of a holey one is checked as one through the PA windows. */
	bool guarded = false;
	if (!pa_backed(s, addr)) {
		if (!mmu_ph_guarded(s, addr))
			return;
		guarded = true;
	}
	if (!s->win_mmu) {
		uint64_t sctlr = cpu_read_sysreg(s, s->el == 2 ? CSR_SCTLR_EL2 : CSR_SCTLR_EL1);
		bool s2 = s->el < 2 && (cpu_read_sysreg(s, CSR_HCR_EL2) & HCR_EL2_VM);
		s->win_mmu = (sctlr & SCTLR_ELx_M) || s2 ? 2 : 1;
	}
	bool write = type == UC_MEM_WRITE;
	if (s->win_mmu == 1) {
		if (!guarded)
			return; /* VA = PA: RAM or the UART */
		/* VA = PA, and the PA is a placeholder's, not the machine's: nothing there, or
		 * beyond the PA size (AArch64.S1DisabledOutput: an Address size fault). */
		struct fault f = {.type = addr >> s->feat.pa_bits ? FAULT_ADDRESS_SIZE
		                                                  : FAULT_EXTERNAL,
		                  .level = 0};
		hook_mem_abort(uc, s, write, addr, f);
		return;
	}
	const struct win_entry *c =
	    win_lookup(s, addr, write ? ACC_WRITE : ACC_READ, size > 0 ? (unsigned)size : 1);
	if (!c || c->abort.type == FAULT_NONE)
		return;
	hook_mem_abort(uc, s, write, addr, c->abort);
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
	ph_frame_add(s, s->ph[i].va >> 21, s->ph[i].regime, -1, s->ph[i].holey);
}

/* VA bit 55 selects TTBR0 or TTBR1 in the EL1&0 regime (D8.2.4, "VA range"). */
#define VA_UPPER(va) (((va) >> 55) & 1)

/*
 * Re-check the placeholders of the current EL's regime after a change that may make a VA
 * translate elsewhere (an MSR to a translation register, a TLBI, an exception entry or an
 * ERET), in proportion to what the change can affect:
 *  - the regime's registers unchanged and only TLBIs by VA since the last check: only the
 *    4 KiB pages of those VAs (a TLBI by VA is what makes a new descriptor for that VA
 *    visible, D8.13.5; any other VA keeps its translation: a descriptor rewritten
 *    without a TLBI is the known gap above, reported by the checker as stale-tlb/bbm);
 *  - only TTBR0_EL1 (or only TTBR1_EL1) changed at EL1: the placeholders of that half of
 *    the VA space;
 *  - otherwise (another register, a TLBI of an ALL/ASID form): every page of every
 *    placeholder of the regime. The walks share one read of the registers.
 * The other regime's placeholders are not touched: EL1&0's translations do not change
 * while the CPU visits EL2 unless EL2 writes EL1's registers or issues TLBIs that cover
 * EL1&0 (mmu_note_tlbi), and both are seen at the next sweep in EL1&0. Meanwhile an access
 * through them is checked against the current regime (mmu_hook_mem, mmu_block_guarded).
 * EL0 and EL1 share the EL1&0 regime: moving between them changes nothing here.
 */
void mmu_sweep(struct sim *s)
{
	struct mmu_regs r;
	mmu_regs_read(s, &r);
	unsigned g = PH_REGIME(r.el);
	struct ph_regime *st = &s->ph_rg[g];
	const struct mmu_regs *o = &st->regs;
	bool same_ctx = st->regs_valid && o->sctlr == r.sctlr && o->tcr == r.tcr &&
	                o->mair == r.mair && o->hcr == r.hcr && o->vtcr == r.vtcr &&
	                o->vttbr == r.vttbr;
	int half = -1; /* -1: every placeholder; 0 / 1: those with VA bit 55 clear / set */
	bool full = true;
	if (same_ctx && !st->tlbi_all) {
		if (o->ttbr0 == r.ttbr0 && o->ttbr1 == r.ttbr1)
			full = false;
		else if (g == PH_EL10 && o->ttbr1 == r.ttbr1)
			half = 0;
		else if (g == PH_EL10 && o->ttbr0 == r.ttbr0)
			half = 1;
	}
	bool none = !full && !st->ntlbi_va;
	if (s->ph_count[g] && !none) {
		size_t keep = 0;
		for (size_t i = 0; i < s->nph; i++) {
			struct placeholder p = s->ph[i];
			enum win_state ws = WIN_OK;
			if (p.regime != g) {
				/* another regime's: kept as it is */
			} else if (!full) {
				for (unsigned k = 0; k < st->ntlbi_va && ws != WIN_BAD; k++) {
					uint64_t page = st->tlbi_va[k] & ~(PAGE - 1);
					if (page < p.va || page - p.va >= p.size)
						continue;
					enum win_state pw = ph_window_check(s, &r, page, PAGE);
					if (pw != WIN_OK)
						ws = pw;
				}
			} else if (half < 0 || VA_UPPER(p.va) == (unsigned)half) {
				/* Every 4 KiB of the window must still translate to backed memory,
				 * or translation-fault. */
				ws = ph_window_check(s, &r, p.va, p.size);
			}
			if (ws == WIN_BAD) {
				ph_drop(s, i);
				continue;
			}
			s->ph[keep] = p;
			if (ws == WIN_HOLEY)
				ph_mark_holey(s, keep);
			keep++;
		}
		s->nph = keep;
	}
	st->regs = r;
	st->regs_valid = true;
	st->tlbi_all = false;
	st->ntlbi_va = 0;
}

void mmu_note_tlbi(struct sim *s, unsigned regimes, bool by_va, uint64_t arg)
{
	/* Xt holds VA[55:12] in bits [43:0] (D8.13.6); bits [63:56] copy bit 55. */
	uint64_t va = (arg & ((UINT64_C(1) << 44) - 1)) << 12;
	if (VA_UPPER(va))
		va |= UINT64_C(0xff) << 56;
	for (unsigned g = 0; g < PH_NREGIMES; g++) {
		struct ph_regime *st = &s->ph_rg[g];
		if (!(regimes & (1u << g)))
			continue;
		if (!by_va || st->ntlbi_va == sizeof(st->tlbi_va) / sizeof(st->tlbi_va[0]))
			st->tlbi_all = true;
		else
			st->tlbi_va[st->ntlbi_va++] = va;
	}
}

bool mmu_block_guarded(struct sim *s, uint64_t va, uint32_t size)
{
	if (!mmu_ph_guarded(s, va) && !(size && mmu_ph_guarded(s, va + size - 1)))
		return false;
	/* Each 4 KiB page of the block in such a frame: where the current regime sends it to a
	 * PA with nothing behind it (or, MMU off, the VA is such a PA), Unicorn would run the
	 * placeholder's bytes, or the bytes of a PA the walk does not give. A fault of the walk
	 * Unicorn raises itself before the block runs. */
	uint64_t end = va + (size ? size : 4);
	for (uint64_t p = va & ~(PAGE - 1); p < end; p += PAGE) {
		uint64_t at = p < va ? va : p;
		if (!mmu_ph_guarded(s, at))
			continue;
		/* mmu_hook_mem's per-page answers serve fetches too: whether a page reaches
		 * nothing does not depend on the access (a permission fault is Unicorn's). */
		const struct win_entry *c = win_lookup(s, at, ACC_FETCH, 4);
		if (c && c->abort.type != FAULT_NONE) {
			s->ph_evict_va = at;
			return true;
		}
	}
	return false;
}

void mmu_evict(struct sim *s, uint64_t va)
{
	size_t keep = 0;
	for (size_t i = 0; i < s->nph; i++) {
		struct placeholder p = s->ph[i];
		if (va >= p.va && va - p.va < p.size)
			ph_drop(s, i);
		else
			s->ph[keep++] = p;
	}
	s->nph = keep;
}

void mmu_clear(struct sim *s)
{
	for (size_t i = 0; i < s->nph; i++)
		uc_mem_unmap(s->uc, s->ph[i].va, s->ph[i].size);
	s->nph = 0;
	memset(s->ph_rg, 0, sizeof(s->ph_rg));
	memset(s->ph_count, 0, sizeof(s->ph_count));
	memset(s->ph_holey, 0, sizeof(s->ph_holey));
	if (s->ph_frames)
		memset(s->ph_frames, 0, s->ph_frames_cap * sizeof(*s->ph_frames));
	s->ph_frames_used = 0;
	s->ph_frames_gen++;
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

bool mmu_symbol_addr(struct sim *s, uint64_t va, uint64_t *addr)
{
	*addr = va;
	/* Code run below the image's sym_min_el (a kernel's user programs, from its freed init
	 * pages) has no symbol: img_symbolize_pc. */
	if (s->el < s->img.sym_min_el)
		return false;
	if (img_symbol_at(&s->img, va))
		return true;
	if (!s->uc)
		return false;
	/* A VA of the MMU-on regime (an alias, a HYP VA): name the PA it runs from. */
	struct mmu_xlate x;
	mmu_translate(s, va, ACC_FETCH, 4, &x);
	*addr = x.pa;
	return x.mmu_on && x.fault.type == FAULT_NONE;
}

char *mmu_symbolize(struct sim *s, uint64_t va, char *buf, size_t len)
{
	uint64_t a;
	buf[0] = 0;
	if (mmu_symbol_addr(s, va, &a))
		img_symbolize_pc(&s->img, a, s->el, buf, len);
	return buf;
}
