/* main.c — the vkvlm program: dispatches to a subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "usage: vkvlm <command> [options]\n"
    "\n"
    "commands:\n"
    "  run -m DIR [--image FILE] -p TEXT [...]\n"
    "                       run a vision-language model on a prompt and an image, streaming the answer\n"
    "  devices [--json]     list every device each backend sees, with its capabilities\n"
    "  selftest [--backend B] [--device D]\n"
    "                       run every kernel on a device and compare it with the CPU reference\n"
    "  bench -m DIR [--reduce SPEC]... | --ops\n"
    "                       a model with and without reduction in one run, or kernel micro-benchmarks; JSON\n"
    "  report FILE.json... [-o DIR]\n"
    "                       merge bench --json files into Markdown tables and SVG charts\n"
    "\n"
    "run 'vkvlm <command> --help' for a command's options.\n"
    "environment: VKVLM_DEVICE (default --device), VKVLM_VALIDATE=1 (Vulkan validation layer on),\n"
    "             VKVLM_LIMITS (default --limits: mobile | webgpu | key=value,... on run, bench, devices)\n";

int cli_fail(const vkvlm_error *err) {
    fprintf(stderr, "vkvlm: error: %s\n", err->message[0] ? err->message : vkvlm_status_text(err->status));
    return err->status == VKVLM_ERR_USAGE ? 2 : 1;
}

int cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vkvlm: error: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return 2;
}

static void log_to_stderr(void *user, vkvlm_log_level level, const char *message) {
    (void)user;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "vkvlm: %s: %s\n", names[level], message);
}

vkvlm_logger cli_logger(void) { return (vkvlm_logger){.fn = log_to_stderr, .max_level = VKVLM_LOG_WARN}; }

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 || strcmp(command, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(command, "run") == 0) return cli_run(argc - 1, argv + 1);
    if (strcmp(command, "devices") == 0) return cli_devices(argc - 1, argv + 1);
    if (strcmp(command, "selftest") == 0) return cli_selftest(argc - 1, argv + 1);
    if (strcmp(command, "bench") == 0) return cli_bench(argc - 1, argv + 1);
    if (strcmp(command, "report") == 0) return cli_report(argc - 1, argv + 1);
    fprintf(stderr, "vkvlm: error: unknown command '%s'\n%s", command, usage);
    return 2;
}
