/*
 * help.h - the texts of `sim --help`, `sim help [COMMAND]`, `sim run --help` and
 * `sim --version`. The other commands (campaign, replay, diff) keep their own --help texts
 * beside their option parsers; `sim help COMMAND` runs `sim COMMAND --help`. The manual
 * page docs/sim.1 says the same at length (tests/e2e-help.sh checks it names every option).
 */
#ifndef HYPSIM_HELP_H
#define HYPSIM_HELP_H

#include <stdio.h>

/* The overview: each command in one line, the exit statuses, where the manual is. */
extern const char help_overview[];

/* `sim run --help`: every option of `sim run`. */
extern const char help_run[];

/* `sim --version`: "sim (hypsim) VERSION" and the Unicorn and Capstone it was built with. */
void help_print_version(FILE *out);

#endif
