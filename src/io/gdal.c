/* gdal.c: see gdal.h. */
#define HH_GDAL_NO_MACROS
#include "io/gdal.h"

#include <pthread.h>
#include <stdio.h>

#include "util/dl.h"

#ifndef HH_GDAL_SONAME
#define HH_GDAL_SONAME "libgdal.so"
#endif

static hh__gdal_api_t api;
static char load_err[256];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void load(void)
{
    HH__DL_LOAD_TABLE(HH_GDAL_FUNCTIONS, &api, "GDAL", HH_GDAL_SONAME, load_err, sizeof load_err);
}

const hh__gdal_api_t *hh__gdal_api(void)
{
    pthread_once(&load_once, load);
    return &api;
}

static void gdal_register(void)
{
    if (api.GDALAllRegister)
        api.GDALAllRegister();
}

int hh__gdal_init(char *err, size_t errlen)
{
    hh__gdal_api();
    if (!api.GDALAllRegister) {
        if (err && errlen)
            snprintf(err, errlen, "%s", load_err);
        return -1;
    }
    pthread_once(&gdal_once, gdal_register);
    return 0;
}

/* Unlike CPLQuietErrorHandler, which still passes debug messages on to
 * stderr when CPL_DEBUG is set, this drops everything; GDAL records the
 * last error before calling the handler, so nothing is lost. */
static void CPL_STDCALL drop_message(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)cls, (void)num, (void)msg;
}

void hh__gdal_quiet_begin(void)
{
    hh__gdal_api()->CPLPushErrorHandler(drop_message);
    api.CPLErrorReset();
}

void hh__gdal_quiet_end(void)
{
    hh__gdal_api()->CPLPopErrorHandler();
}

void hh__gdal_error(char *buf, size_t n, const char *fallback)
{
    if (!n)
        return;
    const hh__gdal_api_t *g = hh__gdal_api();
    const char *m = g->CPLGetLastErrorType && g->CPLGetLastErrorType() != CE_None ? g->CPLGetLastErrorMsg() : "";
    snprintf(buf, n, "%s", *m ? m : fallback);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}
