/* cli.h — the subcommands of the vkvlm program (CLI.md is the contract). Each returns the process exit
 * status: 0 success, 1 runtime or input error, 2 usage error. Only cli/ prints or chooses exit codes. */
#ifndef VKVLM_CLI_H
#define VKVLM_CLI_H

#include "vkvlm.h"

int cli_devices(int argc, char **argv);
int cli_selftest(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_run(int argc, char **argv);

/* "vkvlm: error: <message>" on stderr; returns the exit code for the status (2 for usage, else 1). */
int cli_fail(const vkvlm_error *err);
/* Usage error with a formatted message; returns 2. */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* The logger the CLI hands to the library: warnings and errors to stderr as "vkvlm: <level>: ...". */
vkvlm_logger cli_logger(void);

/* One device's effective capabilities as `vkvlm devices --json` writes them (also the device block of
 * `vkvlm bench --json`). Needs <cjson/cJSON.h> and gpu/gpu.h. */
struct cJSON;
struct gpu_device_info;
struct cJSON *cli_device_json(const struct gpu_device_info *info, const char *limits);

#endif
