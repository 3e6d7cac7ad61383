/* test_io.c: why points do not snap (hh_snap_explain), and output files
 * (hh_out_*): FIFOs and symlinks written through or followed, a failed
 * write leaving the old file and nothing else.  Uses a small network built
 * here, so it needs no data. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hhtest.h"
#include "testnet.h"

/* A 0.005 x 0.005 degree square of residential streets at 51.2 W, 30.05 S
 * (about 481 x 556 m) with a cross street through the middle: built once. */
static const char *square_net(void)
{
    static char path[512];
    if (*path)
        return path;
    char osm[512];
    snprintf(osm, sizeof osm, "%s/square.osm", hh_test_tmpdir());
    FILE *f = fopen(osm, "w");
    if (!f)
        return NULL;
    fprintf(f, "<?xml version='1.0'?>\n<osm version='0.6'>\n"
               " <node id='1' lon='-51.2000' lat='-30.0500'/>\n"
               " <node id='2' lon='-51.1950' lat='-30.0500'/>\n"
               " <node id='3' lon='-51.1950' lat='-30.0450'/>\n"
               " <node id='4' lon='-51.2000' lat='-30.0450'/>\n"
               " <node id='5' lon='-51.2000' lat='-30.0475'/>\n"
               " <node id='6' lon='-51.1950' lat='-30.0475'/>\n"
               " <way id='1'><nd ref='1'/><nd ref='2'/><nd ref='6'/><nd ref='3'/><nd ref='4'/>"
               "<nd ref='5'/><nd ref='1'/><tag k='highway' v='residential'/></way>\n"
               " <way id='2'><nd ref='5'/><nd ref='6'/><tag k='highway' v='residential'/></way>\n"
               "</osm>\n");
    if (fclose(f))
        return NULL;
    snprintf(path, sizeof path, "%s/square.hh", hh_test_tmpdir());
    hh_profile p;
    hh_profile_default(&p);
    char err[256];
    if (hh_build(osm, &p, path, NULL, NULL, NULL, err, sizeof err)) {
        fprintf(stderr, "  build: %s\n", err);
        *path = 0;
        return NULL;
    }
    return path;
}

HH_TEST(snap_explain_names_each_reason)
{
    const char *path = square_net();
    HH_ASSERT(path);
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    double x0, y0, x1, y1;
    hh_net_bbox(net, &x0, &y0, &x1, &y1);
    hh_net_info in;
    hh_net_get_info(net, &in);
    /* nodes 3 and 4 are shape points, not vertices: info's bbox stops short
     * of them, the area does not */
    HH_ASSERT(x0 <= in.min_lon && y0 <= in.min_lat && x1 >= in.max_lon && y1 >= in.max_lat);
    HH_ASSERT_NEAR(in.max_lat, -30.0475, 1e-6);
    HH_ASSERT_NEAR(x0, -51.2, 1e-6);
    HH_ASSERT_NEAR(x1, -51.195, 1e-6);
    HH_ASSERT_NEAR(y0, -30.05, 1e-6);
    HH_ASSERT_NEAR(y1, -30.045, 1e-6);
    HH_ASSERT_STR(in.source, "square.osm");
    hh_snap_why w;
    /* on a street */
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_WALK, -51.1975, -30.0500, 100, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_OK);
    HH_ASSERT(w.nearest_m < 0.1);
    /* far away */
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_CAR, -40.0, -20.0, 500, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_OUTSIDE);
    HH_ASSERT(isinf(w.nearest_m));
    /* lat, lon given as lon, lat */
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_CAR, -30.0470, -51.1990, 500, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_SWAPPED);
    /* inside a block: 125 m (0.001125 degrees of latitude) from the nearest street */
    double lat = -30.0475 + 0.001125, lon = -51.1975;
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_BIKE, lon, lat, 100, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_TOO_FAR);
    HH_ASSERT_NEAR(w.nearest_m, 0.001125 * 6371008.8 * M_PI / 180, 0.5);
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_BIKE, lon, lat, 200, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_OK);
    /* north of info's bbox, inside the area, 125 m from the top street */
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_WALK, -51.1975, -30.045 - 0.001125, 100, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_TOO_FAR);
    /* just outside the bbox but within max_m of a street: it snaps */
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_WALK, -51.1975, -30.0505, 100, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_OK);
    /* just outside, farther than max_m: outside, not "too far" */
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_WALK, -51.1975, -30.0520, 100, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_OUTSIDE);
    /* bad coordinates and arguments */
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_WALK, NAN, -30.05, 100, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_INVALID);
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_WALK, 200, 0, 100, &w), 0);
    HH_ASSERT_EQ(w.reason, HH_SNAP_INVALID);
    HH_ASSERT_EQ(hh_snap_explain(net, (hh_mode)7, -51.1975, -30.05, 100, &w), HH_EINVAL);
    HH_ASSERT_EQ(hh_snap_explain(net, HH_MODE_WALK, -51.1975, -30.05, -1, &w), HH_EINVAL);
    /* OK exactly when hh_snap_point snaps; too far means farther than max_m */
    uint64_t rng = 7;
    for (int i = 0; i < 2000; i++) {
        double plon = hh_test_uniform(&rng, -51.21, -51.185), plat = hh_test_uniform(&rng, -30.06, -30.035);
        double max_m = hh_test_uniform(&rng, 0, 300);
        hh_mode m = (hh_mode)(i % HH_N_MODES);
        hh_snap s;
        int rc = hh_snap_point(net, m, plon, plat, max_m, &s);
        HH_ASSERT_EQ(hh_snap_explain(net, m, plon, plat, max_m, &w), 0);
        HH_ASSERT_EQ(rc == 0, w.reason == HH_SNAP_OK);
        if (rc == 0)
            HH_ASSERT_NEAR(w.nearest_m, s.off_m, 1e-9);
        if (w.reason == HH_SNAP_TOO_FAR) {
            HH_ASSERT(w.nearest_m > max_m && w.nearest_m < 1000);
            HH_ASSERT_EQ(hh_snap_point(net, m, plon, plat, w.nearest_m + 0.01, &s), 0);
        }
        HH_ASSERT(w.reason != HH_SNAP_SWAPPED && w.reason != HH_SNAP_INVALID);
    }
    hh_net_close(net);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int n_entries(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

HH_TEST(out_follows_symlinks_and_writes_through_fifos)
{
    char dir[512], real[600], link[600], fifo[600], got[600];
    snprintf(dir, sizeof dir, "%s/out", hh_test_tmpdir());
    HH_ASSERT_EQ(mkdir(dir, 0700), 0);
    snprintf(real, sizeof real, "%s/real.csv", dir);
    snprintf(link, sizeof link, "%s/link.csv", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    snprintf(got, sizeof got, "%s/got.csv", dir);
    spit(real, "old\n");
    HH_ASSERT_EQ(chmod(real, 0640), 0);
    HH_ASSERT_EQ(symlink("real.csv", link), 0);
    char err[256];
    hh_out o;
    HH_ASSERT_EQ(hh_out_open(&o, link, err, sizeof err), 0);
    fputs("new\n", o.fp);
    HH_ASSERT_EQ(hh_out_commit(&o, err, sizeof err), 0);
    struct stat st;
    HH_ASSERT(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    HH_ASSERT(stat(real, &st) == 0 && (st.st_mode & 0777) == 0640);
    HH_ASSERT_STR(slurp(real), "new\n");
    HH_ASSERT_EQ(n_entries(dir), 2);

    /* a FIFO: a child reads it into got.csv */
    HH_ASSERT_EQ(mkfifo(fifo, 0600), 0);
    fflush(NULL);
    pid_t pid = fork();
    HH_ASSERT(pid >= 0);
    if (pid == 0) {
        int in = open(fifo, O_RDONLY), out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char b[4096];
        ssize_t k;
        while (in >= 0 && out >= 0 && (k = read(in, b, sizeof b)) > 0)
            if (write(out, b, (size_t)k) != k)
                _exit(1);
        _exit(in >= 0 && out >= 0 ? 0 : 1);
    }
    HH_ASSERT_EQ(hh_out_open(&o, fifo, err, sizeof err), 0);
    for (int i = 0; i < 5000; i++)
        fprintf(o.fp, "%d\n", i);
    HH_ASSERT_EQ(hh_out_commit(&o, err, sizeof err), 0);
    int status;
    HH_ASSERT_EQ(waitpid(pid, &status, 0), pid);
    HH_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    HH_ASSERT(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    char *g = slurp(got);
    HH_ASSERT(g && !strncmp(g, "0\n1\n2\n", 6) && strstr(g, "\n4999\n"));

    /* a directory is an error, and leaves nothing */
    HH_ASSERT_EQ(hh_out_open(&o, dir, err, sizeof err), HH_EIO);
    HH_ASSERT(strstr(err, "directory"));
    HH_ASSERT_EQ(n_entries(dir), 4);
}

HH_TEST(out_failed_write_keeps_the_old_file)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/full", hh_test_tmpdir());
    HH_ASSERT_EQ(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/m.csv", dir);
    spit(path, "old\n");
    char err[256];
    hh_out o;
    HH_ASSERT_EQ(hh_out_open(&o, path, err, sizeof err), 0);
    /* a file size limit makes writes past 100 bytes fail, like a full disk */
    struct rlimit saved, r;
    HH_ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    r = saved;
    r.rlim_cur = 100;
    HH_ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &r), 0);
    for (int i = 0; i < 1000; i++)
        fprintf(o.fp, "row %d\n", i);
    int rc = hh_out_commit(&o, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_sig);
    HH_ASSERT_EQ(rc, HH_EIO);
    HH_ASSERT(strstr(err, "cannot write") && strstr(err, "m.csv"));
    HH_ASSERT_STR(slurp(path), "old\n");
    HH_ASSERT_EQ(n_entries(dir), 1);
    hh_out_abort(&o); /* after a failed commit: harmless */
    HH_ASSERT_EQ(n_entries(dir), 1);
}

HH_TEST(json_quote_escapes_what_json_needs)
{
    const char *in[] = {"", "plain", "a\"b", "back\\slash", "tab\tnew\nline\x01", "长沙 é"};
    const char *want[] = {"\"\"", "\"plain\"", "\"a\\\"b\"", "\"back\\\\slash\"", "\"tab\\u0009new\\u000aline\\u0001\"",
                          "\"长沙 é\""};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char *q = hh_json_quote(in[i]);
        HH_ASSERT(q != NULL);
        HH_ASSERT_STR(q, want[i]);
        hh_buffer_free(q);
    }
}
