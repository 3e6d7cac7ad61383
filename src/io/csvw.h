/* csvw.h: writing one CSV field (RFC 4180), for the library's CSV writers
 * (access tables, the report's tables): a field holding a comma, quote or
 * line break is quoted, its quotes doubled. */
#ifndef HH_IO_CSVW_H
#define HH_IO_CSVW_H

#include <stdio.h>
#include <string.h>

static inline void hh__csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

#endif
