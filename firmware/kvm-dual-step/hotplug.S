/*
 * hotplug.S - kvm-dual-step with a CPU brought online later (the kvm-dual-step-hotplug
 * builds: main.S includes this file with -DKVM_HOTPLUG, entry kvm_hotplug_start; run them
 * with `sim run --cpus 2`).
 *
 * CPU 0 boots and initialises HYP exactly as kvm-dual-step does (host_main). Then, as a
 * kernel onlining a CPU, it fills hotplug_data (the host stack and EL1 translation
 * registers the new CPU uses, and the arguments of KVM's cpu_init_hyp_mode for it), cleans
 * it to the PoC (the new CPU reads it with its MMU off) and brings CPU 1 up with PSCI CPU_ON
 * (context id: hotplug_data's PA). CPU 1 enters kvm_secondary_entry at EL2h with the MMU
 * off, installs the EL2 stub and drops to EL1, turns its EL1 MMU on with CPU 0's tables (as
 * Linux's secondary_startup does), then runs the same dual-step init: HVC_SET_VECTORS to
 * the init vectors in the bounce page, and the init HVC with the boot table, the runtime
 * table, its own half of the hyp stack page and the hyp vectors. A hypercall at a HYP VA
 * proves HYP is up on CPU 1; it stores the answer for CPU 0 and powers itself down
 * (CPU_OFF). CPU 0 waits (WFE) for CPU 1 to start (AFFINITY_INFO no longer ON_PENDING),
 * for the answer (at most HP_WAIT_LOOPS rounds: Linux's __cpu_up waits with a timeout),
 * then for CPU 1 to be off, and powers the system off. The wait counts rounds, not time: in
 * hypsim each WFE gives CPU 1 a turn; in `qemu-system-aarch64 -smp 2`, whose CPUs are host
 * threads, CPU 0 usually gives up before CPU 1's thread has done its work.
 *
 * The boot table must therefore outlive CPU 0's init: ARM KVM freed it after the first
 * init only when CPU hotplug was not configured (arch/arm/kvm/arm.c init_hyp_mode:
 * `#ifndef CONFIG_HOTPLUG_CPU free_boot_hyp_pgd(); #endif`).
 *
 * Buggy variants:
 *   KVM_BUG_FREE_BOOT_PGD    the boot table's pages are freed after CPU 0's init and
 *                            reused: the page allocator's next user clears them with the
 *                            caches on (clear_page: DC ZVA) and nobody cleans them to the
 *                            PoC. CPU 1's EL2 walks are non-cacheable (KVM_TCR_EL2): they
 *                            may read the old table still at the PoC or the zeros once a
 *                            line is written back (walk-not-at-poc); Unicorn, like hardware
 *                            after the write-back, walks the zeros and faults.
 *   KVM_BUG_NO_HOTPLUG_CLEAN hotplug_data is not cleaned to the PoC: CPU 1's MMU-off
 *                            (Device) loads may read what was there before
 *                            (data-not-at-poc).
 */

/* struct hotplug_data, at the PA CPU 1 gets as its context id. */
#define HP_STACK 0        /* the host stack top for CPU 1 (a PA: the host's idmap) */
#define HP_MAIR 8         /* CPU 0's MAIR_EL1, TCR_EL1, TTBR0_EL1, SCTLR_EL1 */
#define HP_TCR 16
#define HP_TTBR0 24
#define HP_SCTLR 32
#define HP_INIT_VECTORS 40 /* PA of the init vectors (bounce page): HVC_SET_VECTORS */
#define HP_BOOT_PGD 48    /* the init HVC's arguments, as host_main step 6 */
#define HP_RT_PGD 56
#define HP_HYP_STACK 64   /* HYP VA: CPU 1's half of hyp_stack_page */
#define HP_HYP_VECTORS 72
#define HP_SIZE 80
#define HP_START_LOOPS 1000000
#define HP_WAIT_LOOPS 1000

	.section .text
	.global kvm_hotplug_start
kvm_hotplug_start:
	bl	fw_el2_to_el1
	adrp	x0, host_stack_end
	mov	sp, x0
	bl	fw_el1_mmu_on
	puts	msg_hello
	bl	host_main
#ifdef KVM_BUG_FREE_BOOT_PGD
	bl	free_boot_pgd
#endif
	bl	hotplug_cpu1
	puts	msg_bye
	psci	PSCI_SYSTEM_OFF
	b	.

#ifdef KVM_BUG_FREE_BOOT_PGD
/* The boot table's pool pages go back to the allocator; their next user clears them with
 * the caches on (Linux's clear_page is DC ZVA) and never cleans them to the PoC. */
free_boot_pgd:
	stp	x29, x30, [sp, #-16]!
	adrp	x0, boot_pool
	adrp	x1, boot_pt
	add	x1, x1, :lo12:boot_pt
	ldr	x1, [x1, #PT_NEXT]	/* one past the last page the table took */
1:	dc	zva, x0
	add	x0, x0, #64
	cmp	x0, x1
	b.lo	1b
	dsb	ish
	puts	msg_freed
	ldp	x29, x30, [sp], #16
	ret
#endif

/* CPU 0 at EL1: bring CPU 1 online and wait for it. */
hotplug_cpu1:
	stp	x29, x30, [sp, #-16]!
	adrp	x19, hotplug_data
	adrp	x0, host_stack1_end
	str	x0, [x19, #HP_STACK]
	mrs	x0, mair_el1
	str	x0, [x19, #HP_MAIR]
	mrs	x0, tcr_el1
	str	x0, [x19, #HP_TCR]
	mrs	x0, ttbr0_el1
	str	x0, [x19, #HP_TTBR0]
	mrs	x0, sctlr_el1
	str	x0, [x19, #HP_SCTLR]
	adrp	x0, kvm_bounce_page
	str	x0, [x19, #HP_INIT_VECTORS]
	adrp	x0, boot_pt
	add	x0, x0, :lo12:boot_pt
	ldr	x0, [x0, #PT_ROOT]
	str	x0, [x19, #HP_BOOT_PGD]
	adrp	x0, rt_pt
	add	x0, x0, :lo12:rt_pt
	ldr	x0, [x0, #PT_ROOT]
	str	x0, [x19, #HP_RT_PGD]
	adrp	x0, hyp_stack_page
	add	x0, x0, #(PAGE_SIZE / 2)
	sub	x0, x0, #HYP_VA_SKEW
	str	x0, [x19, #HP_HYP_STACK]
	adrp	x0, __kvm_hyp_vector
	sub	x0, x0, #HYP_VA_SKEW
	str	x0, [x19, #HP_HYP_VECTORS]
#ifndef KVM_BUG_NO_HOTPLUG_CLEAN
	/* CPU 1 reads it with its MMU off (Device accesses, at the PoC). */
	mov	x0, x19
	mov	x1, #HP_SIZE
	bl	fw_dcache_clean_poc
#endif
	mov	x1, #1
	mov	x2, #0
	psci	PSCI_AFFINITY_INFO_64
	mov	x20, x0
	say	msg_aff_before, x20
	puts	msg_cpu_on
	mov	x1, #1
	adr	x2, kvm_secondary_entry
	mov	x3, x19
	psci	PSCI_CPU_ON_64
	cbnz	x0, fail

	/* Wait until CPU 1 runs (AFFINITY_INFO: no longer ON_PENDING; QEMU starts it on a
	 * thread of its own, hypsim at its first turn), then for its hypercall answer (at most
	 * HP_WAIT_LOOPS rounds: it may hang), then for it to be off. */
	mov64	x20, HP_START_LOOPS
6:	wfe
	mov	x1, #1
	mov	x2, #0
	psci	PSCI_AFFINITY_INFO_64
	cmp	x0, #2			/* ON_PENDING */
	b.ne	7f
	subs	x20, x20, #1
	b.ne	6b
7:	adrp	x21, hotplug_answer
	mov	x20, #HP_WAIT_LOOPS
1:	wfe
	ldr	x22, [x21, :lo12:hotplug_answer]
	cbnz	x22, 2f
	subs	x20, x20, #1
	b.ne	1b
	puts	msg_cpu1_timeout
	b	4f
2:	mov	x20, #HP_WAIT_LOOPS
3:	wfe
	mov	x1, #1
	mov	x2, #0
	psci	PSCI_AFFINITY_INFO_64
	cmp	x0, #1			/* OFF */
	b.eq	5f
	subs	x20, x20, #1
	b.ne	3b
5:	mov	x20, x0
	say	msg_cpu1_answer, x22
	say	msg_aff_after, x20
4:	ldp	x29, x30, [sp], #16
	ret

/* CPU 1: EL2h, MMU off, x0 = PA of hotplug_data. */
	.balign 4
kvm_secondary_entry:
	mov	x19, x0
	bl	fw_el2_to_el1
	ldr	x0, [x19, #HP_STACK]
	mov	sp, x0
	/* The host kernel's EL1 MMU on this CPU, with CPU 0's tables. */
	ldr	x0, [x19, #HP_MAIR]
	msr	mair_el1, x0
	ldr	x0, [x19, #HP_TCR]
	msr	tcr_el1, x0
	ldr	x0, [x19, #HP_TTBR0]
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, [x19, #HP_SCTLR]
	msr	sctlr_el1, x0
	isb
	puts	msg_cpu1_up
	/* KVM's cpu_init_hyp_mode on this CPU: the init vectors through the stub, then the
	 * dual-step init through the boot table. */
	mov	x0, #HVC_SET_VECTORS
	ldr	x1, [x19, #HP_INIT_VECTORS]
	hvc	#0
	cbnz	x0, fail
	ldr	x0, [x19, #HP_BOOT_PGD]
	ldr	x1, [x19, #HP_RT_PGD]
	ldr	x2, [x19, #HP_HYP_STACK]
	ldr	x3, [x19, #HP_HYP_VECTORS]
	hvc	#0
	puts	msg_cpu1_hyp_up
	mov64	x0, HYP_FN_ANSWER
	mov	x1, #0x2b
	hvc	#0
	adrp	x1, hotplug_answer
	str	x0, [x1, :lo12:hotplug_answer]
	dsb	ish
	sev
	psci	PSCI_CPU_OFF
	b	.

	.section .rodata
msg_freed:	.asciz	"boot pgd freed and its pages reused\n"
msg_aff_before:	.asciz	"AFFINITY_INFO(CPU 1) = "
msg_cpu_on:	.asciz	"CPU 0: bringing CPU 1 online (PSCI CPU_ON)\n"
msg_cpu1_up:	.asciz	"CPU 1: host at EL1, MMU and caches on\n"
msg_cpu1_hyp_up: .asciz	"CPU 1: HYP initialised through the trampoline\n"
msg_cpu1_answer: .asciz	"CPU 1's hypercall returned "
msg_aff_after:	.asciz	"AFFINITY_INFO(CPU 1) after its CPU_OFF = "
msg_cpu1_timeout: .asciz "CPU 1: failed to come online\n"

	.section .data
	.balign 64
hotplug_data:
	.space	HP_SIZE
	.balign 64
hotplug_answer:
	.quad	0

	.section .bss
	.balign PAGE_SIZE
host_stack1:
	.space 4 * PAGE_SIZE
host_stack1_end:
