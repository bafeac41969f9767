/*
 * replay.c - fuzz target: `sim replay` (replay.c, tracefile.c, session.c and the model)
 * on any trace. An input that starts with its own header line is replayed as it is (its
 * firmware must match it, which a mutated header rarely does: the header's checks are
 * what it tests); any other input is the event lines after the header of a real trace of
 * $HYPSIM_FUZZ_ELF, so that the events reach the model. Its RAM is 16 MiB, not 256: replay
 * maps and fills it at every `reset`, which is most of an input's time.
 */
#include <getopt.h>
#include <string.h>

#include "fuzz.h"
#include "machine/image.h"
#include "check/replay.h"

static char *header; /* the header line of a trace of $HYPSIM_FUZZ_ELF, '\n' included */
static size_t header_len;
static const char *elf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	elf = fuzz_elf();
	struct image img;
	char err[IMG_ERR_LEN];
	if (img_load(elf, &img, MACH_RAM_DEFAULT, err)) {
		fprintf(stderr, "%s: %s\n", elf, err);
		exit(1);
	}
	header_len = (size_t)asprintf(
	    &header,
	    "{\"type\":\"header\",\"schema\":2,\"tool\":\"hypsim\",\"firmware\":{\"path\":\"%s\","
	    "\"sha256\":\"%s\",\"build_id\":\"\",\"entry\":\"0x%llx\"},\"options\":{\"ram_base\":"
	    "\"0x40000000\",\"ram\":\"0x1000000\",\"max_insns\":0,\"uart\":null,\"tlb\":"
	    "\"speculative\",\"check_unicorn\":false},\"model\":{\"ncpus\":2,\"tlb_policy\":"
	    "\"speculative\",\"ctr_idc\":false,\"ctr_dic\":false,\"feat_ets\":false,"
	    "\"writeback\":\"any\"}}\n",
	    elf, img.sha256, (unsigned long long)img.entry);
	img_free(&img);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char own[] = "{\"type\":\"header\"";
	uint8_t *buf = malloc(header_len + size + 1);
	if (!buf)
		return 0;
	size_t n = 0;
	if (size < sizeof(own) - 1 || memcmp(data, own, sizeof(own) - 1)) {
		memcpy(buf, header, header_len);
		n = header_len;
	}
	if (size)
		memcpy(buf + n, data, size);
	n += size;
	char *argv[] = {"replay", (char *)fuzz_file(buf, n), "--firmware", (char *)elf, NULL};
	free(buf);
	replay_main(4, argv);
	return 0;
}
