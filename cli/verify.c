/* verify.c: `halfhour verify NET.hh` */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_verify(int argc, char **argv)
{
    static const char *const fl[] = {"--help", "-h", NULL};
    cli_args a;
    cli_args_init(&a, argc, argv, NULL, fl);
    const char *path = NULL;
    int r;
    while ((r = cli_args_next(&a)) == 1) {
        if (!a.name) {
            if (path)
                return cli_usage("verify", "more than one network file");
            path = a.val;
        } else {
            printf("usage: halfhour verify NET.hh\n\n"
                   "Reads the whole network file and checks what opening it does not: the\n"
                   "CRC-32 of every section (a damaged one is named: its id, size and\n"
                   "offset) and the CRC-32 of the whole body, after the checks every open\n"
                   "makes (header checksum, version, size, section table, every stored index\n"
                   "in range). Opening a network larger than 64 MiB checks only the\n"
                   "structure, so that it takes milliseconds; run verify after copying one.\n"
                   "Prints one line, \"ok ...\", and exits 0 when the file is whole; a\n"
                   "damaged file is an error (exit 1).\n");
            return 0;
        }
    }
    if ((r = cli_args_done("verify", &a, r)))
        return r;
    if (!path)
        return cli_usage("verify", "missing the network file");
    hh_net_verify_info vi;
    char err[512];
    if (hh_net_verify(path, &vi, err, sizeof err))
        return cli_fail("%s", err);
    printf("ok %s: %u sections, %u with checksums, %llu bytes checked, %llu bytes in the file\n", path,
           vi.n_sections, vi.sections_checked, (unsigned long long)vi.bytes_checked,
           (unsigned long long)vi.file_bytes);
    return 0;
}
