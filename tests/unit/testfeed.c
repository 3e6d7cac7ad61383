/* testfeed.c: see testfeed.h. */
#include "testfeed.h"

#include <string.h>
#include <zip.h>

int hh_test_write_zip(const char *path, const hh_test_file *base, size_t n_base, const hh_test_file *over,
                      size_t n_over)
{
    hh_test_file all[64];
    size_t n = 0;
    if (n_base > 64)
        return -1;
    for (size_t i = 0; i < n_base; i++)
        all[n++] = base[i];
    for (size_t j = 0; j < n_over; j++) {
        size_t i = 0;
        while (i < n && strcmp(all[i].name, over[j].name))
            i++;
        if (i == n && n == 64)
            return -1;
        if (i == n)
            n++;
        all[i] = over[j];
    }
    int e;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    if (!z)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!all[i].text)
            continue;
        zip_source_t *s = zip_source_buffer(z, all[i].text, strlen(all[i].text), 0);
        if (!s || zip_file_add(z, all[i].name, s, ZIP_FL_OVERWRITE) < 0) {
            zip_source_free(s);
            zip_discard(z);
            return -1;
        }
    }
    return zip_close(z) ? -1 : 0;
}
