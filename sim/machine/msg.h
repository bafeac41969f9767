/*
 * msg.h - text from input, made safe to echo into hypsim's one-line messages
 * ("sim: FILE: problem", DESIGN §5).
 *
 * File names, --inject specs, a scenario's description and expectations, the strings of a
 * trace and the symbol names of an ELF are all input: a newline in one of them would let
 * the input forge a line of its own ("sim: scenario X: expectation holds"), an escape
 * sequence would reach the terminal. msg_quote escapes them; text without such bytes is
 * echoed as it is.
 */
#ifndef HYPSIM_SIM_MSG_H
#define HYPSIM_SIM_MSG_H

#include <stddef.h>

/*
 * s itself when it holds no control character, or else its copy in buf (len bytes, at
 * least 8) where every C0 control, DEL, C1 control (U+0080..U+009F) and byte that is not
 * part of well-formed UTF-8 is written as \n, \r, \t or \xNN. A copy that does not fit
 * ends in "...". NULL is shown as "(null)".
 */
const char *msg_quote(const char *s, char *buf, size_t len);

#endif /* HYPSIM_SIM_MSG_H */
