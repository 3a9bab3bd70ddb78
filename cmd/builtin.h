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

/* cmd/builtin/publish.c: publishing and the author's view */
int cmd_publish(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_price(int argc, char **argv);
int cmd_versions(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_sales(int argc, char **argv);

/* cmd/builtin/read.c: the reader's side */
int cmd_read(int argc, char **argv);
int cmd_library(int argc, char **argv);

#endif
