/*
 * pl011.h - the Arm PrimeCell UART (PL011) as hypsim's console: enough of the registers for
 * Linux's amba-pl011 driver to probe it (AMBA PrimeCell ID registers at 0xFE0-0xFFC, as the
 * amba bus reads them to match the driver: PeriphID 0x11 0x10 0x14 0x00 = part 0x011, Arm,
 * revision r1p5; CellID 0x0d 0xf0 0x05 0xb1, the values of QEMU's pl011) and to write its
 * console (DR, RSR/ECR, FR, ILPR, IBRD, FBRD, LCR_H, CR, IFLS, IMSC, RIS, MIS, ICR, DMACR).
 *
 * Models: transmission is instantaneous (each DR write goes to the tx callback, the FIFO is
 * always empty: FR.TXFE = 1, TXFF = BUSY = 0) and happens whatever CR.UARTEN / TXE say, as in
 * QEMU, so no early console output is lost; a transmitted byte raises the TX interrupt
 * (RIS.TXRIS), as the FIFO draining to below its trigger level does on hardware; the
 * interrupt line is RIS & IMSC != 0 (SPI 1, INTID 33). There is no receiver: FR.RXFE = 1,
 * DR reads 0. Does not model: baud timing, DMA (DMACR is stored only), break, modem lines.
 * Offsets 0x000-0xFFF; any access width 1, 2 or 4 (the driver uses 16-bit accessors unless
 * the DTB asks for 32-bit ones). Unknown offsets in the page read as zero, writes ignored.
 */
#ifndef HYPSIM_MACHINE_PL011_H
#define HYPSIM_MACHINE_PL011_H

#include <stdbool.h>
#include <stdint.h>

#define PL011_BASE  0x09000000ull
#define PL011_SIZE  0x1000ull
#define PL011_INTID 33 /* SPI 1 */

/* Register offsets (PL011 TRM, DDI 0183, 3.2) */
#define UART_DR        0x000
#define UART_RSR       0x004 /* read: RSR; write: ECR */
#define UART_FR        0x018
#define UART_ILPR      0x020
#define UART_IBRD      0x024
#define UART_FBRD      0x028
#define UART_LCR_H     0x02c
#define UART_CR        0x030
#define UART_IFLS      0x034
#define UART_IMSC      0x038
#define UART_RIS       0x03c
#define UART_MIS       0x040
#define UART_ICR       0x044
#define UART_DMACR     0x048
#define UART_PERIPHID0 0xfe0
#define UART_CELLID0   0xff0

#define UART_FR_BUSY (1u << 3)
#define UART_FR_RXFE (1u << 4)
#define UART_FR_TXFF (1u << 5)
#define UART_FR_RXFF (1u << 6)
#define UART_FR_TXFE (1u << 7)

#define UART_INT_RX  (1u << 4)
#define UART_INT_TX  (1u << 5)
#define UART_INT_ALL 0x7ffu

typedef void (*pl011_tx_fn)(void *ctx, uint8_t byte);

struct pl011 {
	pl011_tx_fn tx;
	void *ctx;
	uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
};

/* Reset values of the TRM: CR = 0x300 (TXE, RXE), IFLS = 0x12, the rest 0. */
void pl011_init(struct pl011 *u, pl011_tx_fn tx, void *ctx);

/* off is the offset in the UART's page; returns false for a size other than 1, 2, 4. */
bool pl011_read(struct pl011 *u, uint64_t off, unsigned size, uint64_t *val);
bool pl011_write(struct pl011 *u, uint64_t off, unsigned size, uint64_t val);

/* The UART's interrupt output (UARTINTR): RIS & IMSC != 0. */
bool pl011_irq_level(const struct pl011 *u);

#endif /* HYPSIM_MACHINE_PL011_H */
