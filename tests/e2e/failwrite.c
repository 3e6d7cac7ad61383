/* failwrite.c: an LD_PRELOAD shim for tests/e2e/outputs.sh.  With
 * HH_FAIL_AFTER=N in the environment, every write that would take a regular
 * file past N bytes fails, as on a full disk: a write straddling the limit
 * is cut short, the next one fails.  It sets RLIMIT_FSIZE (with SIGXFSZ
 * ignored, so the failure is an error return, EFBIG, not a signal) before
 * main runs, which catches write(2) and stdio alike -- glibc's fwrite()
 * calls its internal write, which interposing write() would not see.
 * FIFOs, terminals and devices are not limited. */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

__attribute__((constructor)) static void failwrite_init(void)
{
    const char *s = getenv("HH_FAIL_AFTER");
    if (!s || !*s)
        return;
    struct rlimit r;
    if (getrlimit(RLIMIT_FSIZE, &r))
        return;
    r.rlim_cur = (rlim_t)strtoull(s, NULL, 10);
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &r);
}
