/* gdal.c: see gdal.h. */
#include "io/gdal.h"

#include <pthread.h>
#include <stdio.h>

static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void gdal_register(void)
{
    GDALAllRegister();
}

void hh__gdal_init(void)
{
    pthread_once(&gdal_once, gdal_register);
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
    CPLPushErrorHandler(drop_message);
    CPLErrorReset();
}

void hh__gdal_quiet_end(void)
{
    CPLPopErrorHandler();
}

void hh__gdal_error(char *buf, size_t n, const char *fallback)
{
    if (!n)
        return;
    const char *m = CPLGetLastErrorType() != CE_None ? CPLGetLastErrorMsg() : "";
    snprintf(buf, n, "%s", *m ? m : fallback);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}
