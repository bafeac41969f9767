/*
 * hypsim-init: the smallest /init a Linux boot can end on (issue 17).
 *
 * Linux runs /init of the initramfs as PID 1 at EL0. This one writes one line to the console
 * and powers the machine off with reboot(LINUX_REBOOT_CMD_POWER_OFF), which the kernel turns
 * into PSCI SYSTEM_OFF (drivers/firmware/psci/psci.c, psci_sys_poweroff): so a boot under
 * hypsim or QEMU ends by itself, with a line that says userspace was reached.
 *
 * Static, no libc (-nostdlib): the Linux AArch64 syscall ABI directly (number in x8,
 * arguments in x0-x5, `svc #0`, result in x0; include/uapi/asm-generic/unistd.h).
 */

#define SYS_openat 56
#define SYS_write 64
#define SYS_reboot 142
#define SYS_exit 93

#define AT_FDCWD (-100)
#define O_WRONLY 01
#define O_NOCTTY 0400

/* include/uapi/linux/reboot.h */
#define LINUX_REBOOT_MAGIC1 0xfee1deadUL
#define LINUX_REBOOT_MAGIC2 672274793UL
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcUL

static long init_syscall4(long nr, long a0, long a1, long a2, long a3)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x3 __asm__("x3") = a3;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory", "cc");
	return x0;
}

static unsigned long init_strlen(const char *s)
{
	unsigned long n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

static void init_puts(long fd, const char *s)
{
	unsigned long len = init_strlen(s);

	while (len > 0) {
		long n = init_syscall4(SYS_write, fd, (long)s, (long)len, 0);

		if (n <= 0)
			return;
		s += n;
		len -= (unsigned long)n;
	}
}

void _start(void) __attribute__((noreturn));

void _start(void)
{
	/*
	 * The kernel opened /dev/console as fds 0-2 before running us when the initramfs has it
	 * (init/main.c, console_on_rootfs); open it again so the line is written even when those
	 * fds are closed, and fall back to fd 1 otherwise.
	 */
	long fd = init_syscall4(SYS_openat, AT_FDCWD, (long)"/dev/console", O_WRONLY | O_NOCTTY, 0);

	if (fd < 0)
		fd = 1;
	init_puts(fd, "hypsim-init: hello from userspace\n");
	init_syscall4(SYS_reboot, (long)LINUX_REBOOT_MAGIC1, (long)LINUX_REBOOT_MAGIC2,
		      (long)LINUX_REBOOT_CMD_POWER_OFF, 0);
	/* Only reached when reboot() failed (no CAP_SYS_BOOT, or no power-off method). */
	init_puts(fd, "hypsim-init: reboot(POWER_OFF) failed\n");
	for (;;)
		init_syscall4(SYS_exit, 1, 0, 0, 0);
}
