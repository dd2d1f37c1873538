/* args.h — option values for the subcommands: numbers with their ranges checked and a usage error naming
 * the option when a value is missing or wrong. */
#ifndef VKVLM_CLI_ARGS_H
#define VKVLM_CLI_ARGS_H

#include <stdbool.h>

/* Each returns true and stores the value, or prints "vkvlm: error: OPTION VALUE: expected ..." and returns
 * false (the caller then exits 2). */
bool cli_int(const char *option, const char *value, long min, long max, long *out);
bool cli_float(const char *option, const char *value, double min, double max, double *out);
bool cli_u64(const char *option, const char *value, unsigned long long *out);

#endif
