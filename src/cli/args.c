/* args.c — see args.h. */
#include "cli/args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

bool cli_int(const char *option, const char *value, long min, long max, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!*value || *end || errno || v < min || v > max) {
        cli_usage_error("%s %s: expected an integer in %ld..%ld", option, value, min, max);
        return false;
    }
    *out = v;
    return true;
}

bool cli_float(const char *option, const char *value, double min, double max, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(value, &end);
    if (!*value || *end || errno || !isfinite(v) || v < min || v > max) {
        cli_usage_error("%s %s: expected a number in %g..%g", option, value, min, max);
        return false;
    }
    *out = v;
    return true;
}

bool cli_u64(const char *option, const char *value, unsigned long long *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 0);
    if (!*value || *end || errno || *value == '-') {
        cli_usage_error("%s %s: expected a non-negative integer", option, value);
        return false;
    }
    *out = v;
    return true;
}
