/*
 * disasm.c - hypsim's Capstone 4 wrapper: a direct-mapped decode cache, and the effective
 * address of a load/store/DC/IC for data aborts.
 */
#include "machine/disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#define DIS_CACHE 8192

struct disasm {
	csh cs;        /* text only */
	csh cs_detail; /* operands, for effective addresses */
	uint64_t decodes;
	struct dis_insn cache[DIS_CACHE];
};

struct disasm *disasm_new(void)
{
	struct disasm *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (cs_open(CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, &d->cs) != CS_ERR_OK) {
		free(d);
		return NULL;
	}
	if (cs_open(CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, &d->cs_detail) != CS_ERR_OK) {
		cs_close(&d->cs);
		free(d);
		return NULL;
	}
	cs_option(d->cs_detail, CS_OPT_DETAIL, CS_OPT_ON);
	return d;
}

void disasm_free(struct disasm *d)
{
	if (!d)
		return;
	cs_close(&d->cs);
	cs_close(&d->cs_detail);
	free(d);
}

static void json_quote(const char *in, char *out, size_t len)
{
	size_t o = 0;
	out[o++] = '"';
	for (; *in && o + 8 < len; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

const struct dis_insn *disasm_get(struct disasm *d, uint64_t va, uint32_t enc,
                                  void (*sym_fn)(void *arg, uint64_t va, char *buf, size_t len),
                                  void *arg)
{
	struct dis_insn *e = &d->cache[(va >> 2) % DIS_CACHE];
	if (e->valid && e->va == va && e->enc == enc)
		return e;
	d->decodes++;
	e->id = d->decodes;
	e->valid = true;
	e->va = va;
	e->enc = enc;
	uint8_t b[4] = {(uint8_t)enc, (uint8_t)(enc >> 8), (uint8_t)(enc >> 16),
	                (uint8_t)(enc >> 24)};
	cs_insn *ci = NULL;
	if (cs_disasm(d->cs, b, 4, va, 1, &ci) == 1) {
		if (ci->op_str[0])
			snprintf(e->text, sizeof(e->text), "%s %s", ci->mnemonic, ci->op_str);
		else
			snprintf(e->text, sizeof(e->text), "%s", ci->mnemonic);
		cs_free(ci, 1);
	} else {
		snprintf(e->text, sizeof(e->text), ".inst 0x%08x", enc);
	}
	json_quote(e->text, e->text_json, sizeof(e->text_json));
	e->sym[0] = '\0';
	if (sym_fn)
		sym_fn(arg, va, e->sym, sizeof(e->sym));
	return e;
}

uint64_t disasm_decodes(const struct disasm *d)
{
	return d->decodes;
}

const uint64_t *disasm_decodes_counter(const struct disasm *d)
{
	return &d->decodes;
}

/* Capstone register -> Unicorn register, and whether it is a W (32-bit) view. */
static int uc_reg_of(arm64_reg r, bool *w)
{
	*w = false;
	if (r >= ARM64_REG_X0 && r <= ARM64_REG_X28)
		return UC_ARM64_REG_X0 + (r - ARM64_REG_X0);
	if (r >= ARM64_REG_W0 && r <= ARM64_REG_W28) {
		*w = true;
		return UC_ARM64_REG_X0 + (r - ARM64_REG_W0);
	}
	switch (r) {
	case ARM64_REG_X29:
		return UC_ARM64_REG_X29;
	case ARM64_REG_X30:
		return UC_ARM64_REG_X30;
	case ARM64_REG_W29:
		*w = true;
		return UC_ARM64_REG_X29;
	case ARM64_REG_W30:
		*w = true;
		return UC_ARM64_REG_X30;
	case ARM64_REG_SP:
		return UC_ARM64_REG_SP;
	case ARM64_REG_WSP:
		*w = true;
		return UC_ARM64_REG_SP;
	default:
		return -1; /* XZR/WZR and anything else read as zero */
	}
}

static uint64_t reg_val(arm64_reg r, uint64_t (*reg)(void *, int), void *arg)
{
	bool w;
	int u = uc_reg_of(r, &w);
	if (u < 0)
		return 0;
	uint64_t v = reg(arg, u);
	return w ? (uint32_t)v : v;
}

bool disasm_access(struct disasm *d, uint64_t pc, uint32_t enc,
                   uint64_t (*reg)(void *arg, int uc_reg), void *arg, struct dis_access *out)
{
	uint8_t b[4] = {(uint8_t)enc, (uint8_t)(enc >> 8), (uint8_t)(enc >> 16),
	                (uint8_t)(enc >> 24)};
	cs_insn *ci = NULL;
	if (cs_disasm(d->cs_detail, b, 4, pc, 1, &ci) != 1)
		return false;
	const cs_arm64 *a = &ci->detail->arm64;
	bool ok = false;
	memset(out, 0, sizeof(*out));
	const char *m = ci->mnemonic;
	if (ci->id == ARM64_INS_DC || ci->id == ARM64_INS_IC) {
		/* DC/IC by VA: Xt holds the VA. A fault reports CM=1 and WnR=1, except DC ZVA
		 * which is a store (D17.2.37). DC IVAC and ZVA need write permission. */
		bool zva = !strncmp(ci->op_str, "zva", 3), ivac = !strncmp(ci->op_str, "ivac", 4);
		for (int i = 0; i < a->op_count; i++)
			if (a->operands[i].type == ARM64_OP_REG) {
				out->va = reg_val(a->operands[i].reg, reg, arg);
				out->write = true;
				out->perm_write = zva || ivac;
				out->cache_maint = !zva;
				ok = true;
			}
		goto done;
	}
	for (int i = 0; i < a->op_count; i++) {
		const cs_arm64_op *op = &a->operands[i];
		if (op->type != ARM64_OP_MEM)
			continue;
		uint64_t ea = reg_val(op->mem.base, reg, arg);
		bool post =
		    a->writeback && i + 1 < a->op_count && a->operands[i + 1].type == ARM64_OP_IMM;
		if (op->mem.index != ARM64_REG_INVALID) {
			uint64_t x = reg_val(op->mem.index, reg, arg);
			if (op->ext == ARM64_EXT_UXTW)
				x = (uint32_t)x;
			else if (op->ext == ARM64_EXT_SXTW)
				x = (uint64_t)(int64_t)(int32_t)x;
			if (op->shift.type == ARM64_SFT_LSL)
				x <<= op->shift.value;
			ea += x;
		} else if (!post) {
			ea += (uint64_t)(int64_t)op->mem.disp;
		}
		out->va = ea;
		ok = true;
		break;
	}
	if (!ok) {
		/* Literal loads: "ldr x0, #0x40100040" carries the address as an immediate. */
		for (int i = 0; i < a->op_count; i++)
			if (a->operands[i].type == ARM64_OP_IMM && m[0] == 'l' && m[1] == 'd') {
				out->va = (uint64_t)a->operands[i].imm;
				ok = true;
			}
	}
	/* Stores, exclusives/atomics that write: st*, swp*, cas*, ld<op> atomics. */
	out->write =
	    !strncmp(m, "st", 2) || !strncmp(m, "swp", 3) || !strncmp(m, "cas", 3) ||
	    (!strncmp(m, "ld", 2) && (!strncmp(m + 2, "add", 3) || !strncmp(m + 2, "clr", 3) ||
	                              !strncmp(m + 2, "eor", 3) || !strncmp(m + 2, "set", 3) ||
	                              !strncmp(m + 2, "smax", 4) || !strncmp(m + 2, "smin", 4) ||
	                              !strncmp(m + 2, "umax", 4) || !strncmp(m + 2, "umin", 4)));
	out->perm_write = out->write;
done:
	cs_free(ci, 1);
	return ok;
}
