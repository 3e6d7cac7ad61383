/* fuzz.h: shared bits of the libFuzzer harnesses.  Each harness defines
 * LLVMFuzzerTestOneInput; `make fuzz` links them with libFuzzer (clang),
 * `make fuzz-regress` links them with driver.c, which replays the saved
 * inputs in tests/fuzz/regress/<name>/ under the normal compiler and the
 * sanitizers, so every crash once found stays fixed. */
#ifndef HH_FUZZ_H
#define HH_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data to a fresh temporary file with the given suffix. */
static inline int fuzz_tmpfile(const uint8_t *data, size_t size, const char *suffix, char *path, size_t cap)
{
    const char *t = getenv("TMPDIR");
    snprintf(path, cap, "%s/hh-fuzz-XXXXXX%s", t && *t ? t : "/tmp", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t k = write(fd, data + off, size - off);
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    close(fd);
    return 0;
}
#endif
