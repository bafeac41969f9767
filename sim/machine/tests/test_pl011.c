/*
 * test_pl011.c - the PL011 console: the PrimeCell ID registers the amba bus matches on
 * (PL011 TRM DDI 0183 3.3.14-3.3.15; QEMU's pl011 values), the registers Linux's
 * amba-pl011 touches at probe and console write, and the TX interrupt.
 */
#include <check.h>
#include <string.h>

#include "pl011.h"

struct sink {
	char buf[64];
	int n;
};

static void sink_tx(void *ctx, uint8_t b)
{
	struct sink *s = ctx;

	if (s->n < (int)sizeof(s->buf) - 1)
		s->buf[s->n++] = (char)b;
}

static uint64_t rd(struct pl011 *u, uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeef;

	ck_assert(pl011_read(u, off, size, &v));
	return v;
}

START_TEST(primecell_ids)
{
	/* amba_device: periphid = PeriphID0..3 low bytes, cid = CellID0..3 low bytes. */
	static const uint8_t want[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	struct pl011 u;
	uint32_t pid = 0, cid = 0;

	pl011_init(&u, NULL, NULL);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(rd(&u, 0xfe0 + 4 * i, 4), want[i]);
	for (int i = 0; i < 4; i++) {
		pid |= (uint32_t)rd(&u, 0xfe0 + 4 * i, 4) << (8 * i);
		cid |= (uint32_t)rd(&u, 0xff0 + 4 * i, 4) << (8 * i);
	}
	/* AMBA_CID 0xb105f00d; part 0x011, designer 0x41 ('A'), revision 1. */
	ck_assert_uint_eq(cid, 0xb105f00d);
	ck_assert_uint_eq(pid & 0xfff, 0x011);
	ck_assert_uint_eq((pid >> 12) & 0xff, 0x41);
	ck_assert_uint_eq((pid >> 20) & 0xf, 1);
	/* Byte and halfword reads see the same low byte. */
	ck_assert_uint_eq(rd(&u, 0xff4, 1), 0xf0);
	ck_assert_uint_eq(rd(&u, 0xffc, 2), 0xb1);
	/* IDs are read-only. */
	ck_assert(pl011_write(&u, 0xfe0, 4, 0));
	ck_assert_uint_eq(rd(&u, 0xfe0, 4), 0x11);
}
END_TEST

START_TEST(reset_and_flags)
{
	struct pl011 u;

	pl011_init(&u, NULL, NULL);
	/* TRM reset values: CR 0x300 (TXE|RXE), IFLS 0x12; FR: TX FIFO empty, RX FIFO empty. */
	ck_assert_uint_eq(rd(&u, UART_CR, 4), 0x300);
	ck_assert_uint_eq(rd(&u, UART_IFLS, 4), 0x12);
	ck_assert_uint_eq(rd(&u, UART_FR, 4), UART_FR_TXFE | UART_FR_RXFE);
	ck_assert_uint_eq(rd(&u, UART_FR, 4) & (UART_FR_TXFF | UART_FR_BUSY | UART_FR_RXFF), 0);
	ck_assert_uint_eq(rd(&u, UART_RIS, 4), 0);
	ck_assert_uint_eq(rd(&u, UART_DR, 4), 0);
	/* FR is read-only. */
	pl011_write(&u, UART_FR, 4, 0);
	ck_assert_uint_eq(rd(&u, UART_FR, 2), UART_FR_TXFE | UART_FR_RXFE);
}
END_TEST

START_TEST(probe_sequence)
{
	/* pl011_hwinit / pl011_startup / set_termios: registers keep what is written. */
	struct pl011 u;

	pl011_init(&u, NULL, NULL);
	pl011_write(&u, UART_CR, 2, 0);      /* disable */
	pl011_write(&u, UART_ICR, 2, 0x7ff); /* clear all */
	pl011_write(&u, UART_IMSC, 2, 0);
	pl011_write(&u, UART_IBRD, 2, 13); /* 24 MHz / (16 * 115200) = 13.02 */
	pl011_write(&u, UART_FBRD, 2, 1);
	pl011_write(&u, UART_LCR_H, 2, 0x70); /* 8N1, FIFOs on */
	pl011_write(&u, UART_IFLS, 2, 0x12);
	pl011_write(&u, UART_DMACR, 2, 0);
	pl011_write(&u, UART_CR, 2, 0x301); /* UARTEN|TXE|RXE */
	pl011_write(&u, UART_RSR, 2, 0);    /* ECR */
	ck_assert_uint_eq(rd(&u, UART_IBRD, 2), 13);
	ck_assert_uint_eq(rd(&u, UART_FBRD, 2), 1);
	ck_assert_uint_eq(rd(&u, UART_LCR_H, 2), 0x70);
	ck_assert_uint_eq(rd(&u, UART_CR, 2), 0x301);
	ck_assert_uint_eq(rd(&u, UART_RSR, 2), 0);
	/* Field widths: IBRD 16 bits, FBRD 6 bits, IMSC 11 bits. */
	pl011_write(&u, UART_IBRD, 4, 0x12345);
	pl011_write(&u, UART_FBRD, 4, 0xff);
	pl011_write(&u, UART_IMSC, 4, 0xffff);
	ck_assert_uint_eq(rd(&u, UART_IBRD, 4), 0x2345);
	ck_assert_uint_eq(rd(&u, UART_FBRD, 4), 0x3f);
	ck_assert_uint_eq(rd(&u, UART_IMSC, 4), 0x7ff);
}
END_TEST

START_TEST(console_tx_and_irq)
{
	struct pl011 u;
	struct sink s;

	memset(&s, 0, sizeof(s));
	pl011_init(&u, sink_tx, &s);
	/* Console write: poll FR.TXFF, write DR, poll FR.BUSY. */
	for (const char *p = "ok\n"; *p; p++) {
		ck_assert_uint_eq(rd(&u, UART_FR, 2) & UART_FR_TXFF, 0);
		ck_assert(pl011_write(&u, UART_DR, 2, (uint8_t)*p));
		ck_assert_uint_eq(rd(&u, UART_FR, 2) & UART_FR_BUSY, 0);
	}
	ck_assert_str_eq(s.buf, "ok\n");
	/* The TX interrupt is raw-pending but masked until IMSC.TXIM. */
	ck_assert_uint_eq(rd(&u, UART_RIS, 4) & UART_INT_TX, UART_INT_TX);
	ck_assert_uint_eq(rd(&u, UART_MIS, 4), 0);
	ck_assert(!pl011_irq_level(&u));
	pl011_write(&u, UART_IMSC, 4, UART_INT_TX);
	ck_assert_uint_eq(rd(&u, UART_MIS, 4), UART_INT_TX);
	ck_assert(pl011_irq_level(&u));
	/* ICR clears it. */
	pl011_write(&u, UART_ICR, 4, UART_INT_TX);
	ck_assert_uint_eq(rd(&u, UART_RIS, 4), 0);
	ck_assert(!pl011_irq_level(&u));
	/* No callback: still no crash, the interrupt still rises. */
	u.tx = NULL;
	pl011_write(&u, UART_DR, 1, 'x');
	ck_assert(pl011_irq_level(&u));
}
END_TEST

START_TEST(widths_and_reserved)
{
	struct pl011 u;
	uint64_t v;

	pl011_init(&u, NULL, NULL);
	ck_assert(!pl011_read(&u, UART_FR, 8, &v));
	ck_assert(!pl011_write(&u, UART_DR, 8, 0));
	ck_assert(!pl011_read(&u, 0x1000, 4, &v));
	/* Reserved offsets in the page: RAZ/WI. */
	ck_assert(pl011_write(&u, 0x800, 4, 0xffffffff));
	ck_assert_uint_eq(rd(&u, 0x800, 4), 0);
	/* A byte read of FR's upper byte. */
	ck_assert_uint_eq(rd(&u, UART_FR + 1, 1), 0);
	ck_assert_uint_eq(rd(&u, UART_CR + 1, 1), 0x03);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pl011");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, primecell_ids);
	tcase_add_test(tc, reset_and_flags);
	tcase_add_test(tc, probe_sequence);
	tcase_add_test(tc, console_tx_and_irq);
	tcase_add_test(tc, widths_and_reserved);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
