/*
 * pl011.c - the PL011 UART as a transmit-only console (PL011 TRM, DDI 0183).
 */
#include "pl011.h"

#include <string.h>

/* PeriphID0-3 then CellID0-3, one byte in each word at 0xFE0-0xFFC (TRM 3.3.14-3.3.15). */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void pl011_init(struct pl011 *u, pl011_tx_fn tx, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->ctx = ctx;
	u->cr = 0x300;
	u->ifls = 0x12;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4;
}

bool pl011_read(struct pl011 *u, uint64_t off, unsigned size, uint64_t *val)
{
	uint32_t v = 0;
	uint64_t reg = off & ~3ull;

	if (!size_ok(size) || off >= PL011_SIZE)
		return false;
	switch (reg) {
	case UART_DR:
		v = 0;
		break; /* no receiver: nothing to read */
	case UART_RSR:
		v = 0;
		break; /* no receive errors */
	case UART_FR:
		v = UART_FR_TXFE | UART_FR_RXFE;
		break;
	case UART_ILPR:
		v = u->ilpr;
		break;
	case UART_IBRD:
		v = u->ibrd;
		break;
	case UART_FBRD:
		v = u->fbrd;
		break;
	case UART_LCR_H:
		v = u->lcr_h;
		break;
	case UART_CR:
		v = u->cr;
		break;
	case UART_IFLS:
		v = u->ifls;
		break;
	case UART_IMSC:
		v = u->imsc;
		break;
	case UART_RIS:
		v = u->ris;
		break;
	case UART_MIS:
		v = u->ris & u->imsc;
		break;
	case UART_ICR:
		v = 0;
		break; /* write-only */
	case UART_DMACR:
		v = u->dmacr;
		break;
	default:
		if (reg >= UART_PERIPHID0)
			v = pl011_id[(reg - UART_PERIPHID0) / 4];
		break;
	}
	v >>= 8 * (off & 3);
	if (size < 4)
		v &= (1u << (8 * size)) - 1;
	*val = v;
	return true;
}

bool pl011_write(struct pl011 *u, uint64_t off, unsigned size, uint64_t val)
{
	uint32_t v = (uint32_t)val;

	if (!size_ok(size) || off >= PL011_SIZE)
		return false;
	/* A narrow write lands in the low bits of its register; sub-word offsets are ignored. */
	if (off & 3)
		return true;
	switch (off) {
	case UART_DR:
		if (u->tx)
			u->tx(u->ctx, (uint8_t)v);
		/* The byte left at once: the FIFO went below its trigger level (TRM 2.8.4). */
		u->ris |= UART_INT_TX;
		break;
	case UART_RSR:
		break; /* ECR: clears the (always clear) error flags */
	case UART_ILPR:
		u->ilpr = v & 0xff;
		break;
	case UART_IBRD:
		u->ibrd = v & 0xffff;
		break;
	case UART_FBRD:
		u->fbrd = v & 0x3f;
		break;
	case UART_LCR_H:
		u->lcr_h = v & 0xff;
		break;
	case UART_CR:
		u->cr = v & 0xff87;
		break;
	case UART_IFLS:
		u->ifls = v & 0x3f;
		break;
	case UART_IMSC:
		u->imsc = v & UART_INT_ALL;
		break;
	case UART_ICR:
		u->ris &= ~(v & UART_INT_ALL);
		break;
	case UART_DMACR:
		u->dmacr = v & 7;
		break;
	default:
		break; /* read-only (FR, RIS, MIS, IDs) or reserved */
	}
	return true;
}

bool pl011_irq_level(const struct pl011 *u)
{
	return (u->ris & u->imsc) != 0;
}
