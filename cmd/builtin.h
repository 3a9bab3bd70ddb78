/*
 * builtin.h: the porcelain verbs of lst that live in cmd/builtin/VERB.c (as
 * git's builtin/VERB.c), linked into the lst program only. cmd/lst.c holds
 * the table; each verb parses its options, calls lib/, and prints: human
 * text on a terminal, JSON (the plumbing form) with --json or when stdout
 * is not a terminal. Each returns 0 or -1 with the exit status set
 * (diag_error).
 */
#ifndef LST_BUILTIN_H
#define LST_BUILTIN_H

#include "lst.h"
#include "u256.h"

/* cmd/builtin/publish.c: publishing and the author's view */
int cmd_publish(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_price(int argc, char **argv);
int cmd_versions(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_sales(int argc, char **argv);

/* cmd/builtin/subscribe.c: subscriptions (lib/subs.h) */
int cmd_category(int argc, char **argv);
int cmd_categories(int argc, char **argv);
int cmd_subscribe(int argc, char **argv);
int cmd_unsubscribe(int argc, char **argv);
int cmd_enroll(int argc, char **argv);

/* cmd/builtin/read.c: the reader's side */
int cmd_read(int argc, char **argv);
int cmd_library(int argc, char **argv);

/* ---- shared by the verbs (cmd/builtin/publish.c) ---- */

/*
 * Ask question ("pay 2 LST for ...") on the terminal unless yes: 0 go on;
 * -1 declined (exit 4) or no terminal to ask on (exit 2, hint --yes).
 */
int builtin_confirm(bool yes, const char *question);
/* An AMOUNT operand (2, 2.5, '2 LST', 1000photon): 0 or -1 (reported, exit 6). */
int builtin_amount(u256 *out, const char *text);
/* photons for humans ("2.5 LST") in out, which it returns. */
const char *builtin_lst(char out[128], const u256 *photons);
/* BOOK: a 0x book id, or a title of the home key's. 0 or -1 (reported). */
int builtin_resolve_book(uint8_t book[32], const char *spec);

#endif
