/* error.c: hh_strerror from the one X-macro list in halfhour.h. */
#include "halfhour.h"

const char *hh_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define HH_ERR_CASE(name, c, msg) \
    case c:                       \
        return msg;
        HH_ERRNO_MAP(HH_ERR_CASE)
#undef HH_ERR_CASE
    default:
        return "unknown error";
    }
}
