/*
 * timer.h - the Armv8-A generic timer (Arm ARM D11 "The Generic Timer in AArch64 state") of
 * one CPU, on a virtual, deterministic count.
 *
 * Models: the system counter as a pure function of instructions executed (DESIGN §2, QEMU's
 * -icount idea): count = insns * ticks_per_insn / insns_per_tick, default 1 tick per
 * instruction at CNTFRQ_EL0 = 62.5 MHz (a "62.5 MIPS" CPU: 100 M instructions = 1.6 s of
 * guest time). Per CPU: the EL1 physical timer (CNTP_*), the virtual timer (CNTV_*, counting
 * CNTVCT = CNTPCT - CNTVOFF_EL2) and the EL2 physical timer (CNTHP_*): CTL (ENABLE, IMASK,
 * ISTATUS), CVAL, TVAL; CNTHCTL_EL2 and CNTKCTL_EL1 as stored values with the EL0/EL1 access
 * traps they define when HCR_EL2.E2H is 0 (nVHE). The output of each timer is the level
 * ENABLE && !IMASK && ISTATUS (D11.2.4), wired to the GIC as PPIs 30 (CNTP), 27 (CNTV),
 * 26 (CNTHP), as QEMU virt wires them.
 * Does not model: VHE (E2H=1 redirections, CNTHV_*), the secure EL1 physical timer (EL3 is
 * not implemented), the event stream (EVNTEN: no WFE wake-ups from it), FEAT_ECV.
 *
 * Time is not kept here: every call takes now, the physical count (CNTPCT_EL0), so the
 * engine decides how one machine-wide count advances and the functions stay pure.
 */
#ifndef HYPSIM_MACHINE_TIMER_H
#define HYPSIM_MACHINE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_FREQ_HZ 62500000u /* CNTFRQ_EL0 of QEMU virt */

/* GIC INTIDs of the timer outputs (PPIs 14, 11, 10 of the DTB = INTIDs 30, 27, 26). */
#define TIMER_PPI_PHYS 30
#define TIMER_PPI_VIRT 27
#define TIMER_PPI_HYP  26

/* CNTx_CTL_EL0 (D11.2.4, D13.8.x) */
#define CNT_CTL_ENABLE  (1u << 0)
#define CNT_CTL_IMASK   (1u << 1)
#define CNT_CTL_ISTATUS (1u << 2)

/* CNTHCTL_EL2 with HCR_EL2.E2H == 0 */
#define CNTHCTL_EL1PCTEN (1u << 0) /* EL0/EL1 reads of CNTPCT_EL0 do not trap to EL2 */
#define CNTHCTL_EL1PCEN  (1u << 1) /* EL0/EL1 accesses to CNTP_* do not trap to EL2 */

/* CNTKCTL_EL1 */
#define CNTKCTL_EL0PCTEN (1u << 0) /* EL0 reads of CNTPCT_EL0 */
#define CNTKCTL_EL0VCTEN (1u << 1) /* EL0 reads of CNTVCT_EL0 (and CNTFRQ) */
#define CNTKCTL_EL0VTEN  (1u << 8) /* EL0 accesses to CNTV_* */
#define CNTKCTL_EL0PTEN  (1u << 9) /* EL0 accesses to CNTP_* */

struct timer_cfg {
	uint32_t freq_hz;        /* CNTFRQ_EL0's reset value */
	uint32_t ticks_per_insn; /* count = insns * ticks_per_insn / insns_per_tick */
	uint32_t insns_per_tick; /* both >= 1; the default is 1 and 1 */
};

/* { TIMER_FREQ_HZ, 1, 1 } */
struct timer_cfg timer_cfg_default(void);

/* The count after insns instructions (rounded down). */
uint64_t timer_count_at(const struct timer_cfg *cfg, uint64_t insns);

/* The fewest instructions after which the count reaches count (rounded up). */
uint64_t timer_insns_for(const struct timer_cfg *cfg, uint64_t count);

enum timer_id { TIMER_PHYS, TIMER_VIRT, TIMER_HYP, TIMER_N };

/* The system registers of the generic timer this model answers. */
enum timer_reg {
	TREG_NONE = 0,
	TREG_CNTFRQ_EL0,
	TREG_CNTPCT_EL0,
	TREG_CNTVCT_EL0,
	TREG_CNTP_CTL_EL0,
	TREG_CNTP_CVAL_EL0,
	TREG_CNTP_TVAL_EL0,
	TREG_CNTV_CTL_EL0,
	TREG_CNTV_CVAL_EL0,
	TREG_CNTV_TVAL_EL0,
	TREG_CNTHP_CTL_EL2,
	TREG_CNTHP_CVAL_EL2,
	TREG_CNTHP_TVAL_EL2,
	TREG_CNTVOFF_EL2,
	TREG_CNTHCTL_EL2,
	TREG_CNTKCTL_EL1,
};

/* MRS/MSR operands (op0, op1, CRn, CRm, op2) to a timer register, or TREG_NONE. */
enum timer_reg timer_reg_decode(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                unsigned op2);

const char *timer_reg_name(enum timer_reg reg);

/* One CPU's timers. Plain data: copy it to snapshot. */
struct timer_cpu {
	uint32_t cntfrq;
	uint32_t ctl[TIMER_N]; /* ENABLE and IMASK only; ISTATUS is computed */
	uint64_t cval[TIMER_N];
	uint64_t cntvoff;
	uint32_t cnthctl;
	uint32_t cntkctl;
};

/* Reset: timers disabled, CVALs, CNTVOFF, CNTHCTL and CNTKCTL 0 (hypsim's defined values). */
void timer_cpu_reset(struct timer_cpu *t, const struct timer_cfg *cfg);

/* The count timer id compares against: CNTPCT for CNTP and CNTHP, CNTVCT for CNTV. */
uint64_t timer_count_of(const struct timer_cpu *t, enum timer_id id, uint64_t now);

/* ISTATUS (D11.2.4): enabled and the count has reached CVAL (an unsigned 64-bit compare). */
bool timer_istatus(const struct timer_cpu *t, enum timer_id id, uint64_t now);

/* The interrupt output: ENABLE && !IMASK && ISTATUS. */
bool timer_output(const struct timer_cpu *t, enum timer_id id, uint64_t now);

/* The PPI (INTID) of a timer. */
unsigned timer_ppi(enum timer_id id);

/*
 * The earliest physical count at or after now at which an enabled, unmasked timer's output
 * rises or is already high (returns now then), or UINT64_MAX when none will: what a WFI can
 * fast-forward to.
 */
uint64_t timer_next_deadline(const struct timer_cpu *t, uint64_t now);

/*
 * Reads and writes, with the architectural side effects (TVAL write sets CVAL = count +
 * SignExtend(TVAL[31:0]); TVAL read = (CVAL - count)[31:0] sign-extended; ISTATUS read-only;
 * CNTPCT/CNTVCT/CNTFRQ writes ignored, CNTFRQ writable only at EL2/EL3 in the Arm ARM: here
 * the caller decides who may write). Access checks are timer_access's business.
 */
uint64_t timer_read(const struct timer_cpu *t, enum timer_reg reg, uint64_t now);
void timer_write(struct timer_cpu *t, enum timer_reg reg, uint64_t val, uint64_t now);

enum timer_access {
	TIMER_ACCESS_OK,
	TIMER_ACCESS_TRAP_EL1, /* EC 0x18 to EL1 */
	TIMER_ACCESS_TRAP_EL2, /* EC 0x18 to EL2 */
	TIMER_ACCESS_UNDEF,    /* UNDEFINED at this EL */
};

/*
 * Whether an access from exception level el (0-2, HCR_EL2.E2H == 0, EL2 enabled) is
 * allowed by CNTKCTL_EL1 (EL0) and CNTHCTL_EL2 (EL0 and EL1), as the pseudocode of each
 * register's accessibility section in D13.8 says. EL0 checks CNTKCTL first, then CNTHCTL.
 * HCR_EL2.TGE is taken as 0.
 */
enum timer_access timer_access(const struct timer_cpu *t, enum timer_reg reg, unsigned el,
                               bool write);

#endif /* HYPSIM_MACHINE_TIMER_H */
