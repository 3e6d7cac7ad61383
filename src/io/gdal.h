/* gdal.h: the library's use of GDAL, in one place.
 *
 * GDAL's drivers are registered once per process (hh__gdal_init, safe from
 * any thread).  Around its calls a thread pushes a handler that drops
 * GDAL's messages -- the library never prints -- and afterwards turns
 * GDAL's last error (kept per thread) into our one-line message.
 * Process-wide state: GDAL keeps its drivers, configuration and SRS caches
 * (and PROJ its database handles) for the life of the process.  They stay
 * reachable from those libraries' globals and thread-local slots, which
 * LeakSanitizer scans, so they are not reported as leaks (checked with the
 * sanitizer build of the unit tests, no suppressions).  GDALDestroy() is
 * deliberately not called, not even from atexit: GDAL no longer calls it
 * on its own outside Windows because of its ordering against C++ static
 * destructors, no GDAL call may follow it, and a library cannot know that
 * the program (which may use GDAL itself) is done with GDAL. */
#ifndef HH_IO_GDAL_H
#define HH_IO_GDAL_H

#include <stddef.h>

/* GDAL's C headers, for the files that use them: cpl_port.h tests
 * __clang_major__ without defining it, which -Wundef (an error with
 * WERROR=1) would stop on. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <gdalwarper.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

/* GDAL is loaded when first needed, not linked: libgdal brings in over a
 * hundred shared libraries, and resolving them cost every run of the
 * program about 45 ms (a `halfhour matrix` of 1000 x 1000 points takes
 * 0.25 s in all), although most runs never write a GeoPackage or read a
 * raster.  The library calls GDAL through this table of its functions,
 * filled by dlopen/dlsym from GDAL's soname (fixed at build time); the
 * names below stay GDAL's own, so the code reads as plain GDAL.  Every
 * function the library uses is listed here (the build fails on one that
 * is not: it would be an undefined symbol). */
#define HH_GDAL_FUNCTIONS(X) \
    X(CPLErrorReset) \
    X(CPLGetLastErrorMsg) \
    X(CPLGetLastErrorType) \
    X(CPLPopErrorHandler) \
    X(CPLPushErrorHandler) \
    X(CPLQuietErrorHandler) \
    X(GDALAllRegister) \
    X(GDALClose) \
    X(GDALCreate) \
    X(GDALDatasetCommitTransaction) \
    X(GDALDatasetCreateLayer) \
    X(GDALDatasetGetLayer) \
    X(GDALDatasetGetLayerCount) \
    X(GDALDatasetRasterIO) \
    X(GDALDatasetRollbackTransaction) \
    X(GDALDatasetStartTransaction) \
    X(GDALGetDescription) \
    X(GDALGetDriverByName) \
    X(GDALGetGeoTransform) \
    X(GDALGetRasterBand) \
    X(GDALGetRasterCount) \
    X(GDALGetRasterDataType) \
    X(GDALGetRasterNoDataValue) \
    X(GDALGetRasterXSize) \
    X(GDALGetRasterYSize) \
    X(GDALGetSpatialRef) \
    X(GDALOpenEx) \
    X(GDALRasterIO) \
    X(GDALSetDescription) \
    X(GDALSetGeoTransform) \
    X(GDALSetRasterNoDataValue) \
    X(GDALSetSpatialRef) \
    X(OCTDestroyCoordinateTransformation) \
    X(OCTNewCoordinateTransformation) \
    X(OCTTransform) \
    X(OCTTransformEx) \
    X(OGR_FD_GetFieldCount) \
    X(OGR_FD_GetFieldDefn) \
    X(OGR_F_Create) \
    X(OGR_F_Destroy) \
    X(OGR_F_GetDefnRef) \
    X(OGR_F_GetFieldAsDouble) \
    X(OGR_F_GetFieldAsString) \
    X(OGR_F_GetGeometryRef) \
    X(OGR_F_IsFieldSetAndNotNull) \
    X(OGR_F_SetFID) \
    X(OGR_F_SetFieldDouble) \
    X(OGR_F_SetFieldNull) \
    X(OGR_F_SetFieldString) \
    X(OGR_F_SetGeometryDirectly) \
    X(OGR_Fld_Create) \
    X(OGR_Fld_Destroy) \
    X(OGR_Fld_GetNameRef) \
    X(OGR_Fld_GetSubType) \
    X(OGR_Fld_GetType) \
    X(OGR_GT_Flatten) \
    X(OGR_G_AddGeometry) \
    X(OGR_G_AddGeometryDirectly) \
    X(OGR_G_AddPoint_2D) \
    X(OGR_G_Area) \
    X(OGR_G_Centroid) \
    X(OGR_G_Clone) \
    X(OGR_G_CreateGeometry) \
    X(OGR_G_DestroyGeometry) \
    X(OGR_G_ExportToWkb) \
    X(OGR_G_FlattenTo2D) \
    X(OGR_G_GetEnvelope) \
    X(OGR_G_GetGeometryCount) \
    X(OGR_G_GetGeometryRef) \
    X(OGR_G_GetGeometryType) \
    X(OGR_G_GetX) \
    X(OGR_G_GetY) \
    X(OGR_G_Intersects) \
    X(OGR_G_IsEmpty) \
    X(OGR_G_IsValid) \
    X(OGR_G_MakeValid) \
    X(OGR_G_PointOnSurface) \
    X(OGR_G_SetPoint_2D) \
    X(OGR_G_Transform) \
    X(OGR_G_WkbSize) \
    X(OGR_L_CreateFeature) \
    X(OGR_L_CreateField) \
    X(OGR_L_GetLayerDefn) \
    X(OGR_L_GetNextFeature) \
    X(OGR_L_GetSpatialRef) \
    X(OGR_L_ResetReading) \
    X(OSRClone) \
    X(OSRDestroySpatialReference) \
    X(OSRGetProjParm) \
    X(OSRImportFromEPSG) \
    X(OSRImportFromProj4) \
    X(OSRIsSame) \
    X(OSRNewSpatialReference) \
    X(OSRRelease) \
    X(OSRSetAxisMappingStrategy) \
    X(OSRSetProjCS) \
    X(VSIStatExL) \
    X(GDALAutoCreateWarpedVRT) \
    X(GDALCreateCopy) \
    X(GDALSetProjection) \
    X(GDALSetRasterColorInterpretation) \
    X(OSRExportToWkt) \
    X(VSIFree) \
    X(VSIGetMemFileBuffer) \
    X(VSIUnlink)

typedef struct hh__gdal_api {
#define HH_GDAL_MEMBER(f) __typeof__(&f) f;
    HH_GDAL_FUNCTIONS(HH_GDAL_MEMBER)
#undef HH_GDAL_MEMBER
} hh__gdal_api_t;

/* The table, loaded once per process (thread-safe); its members are NULL
 * when GDAL could not be loaded, which hh__gdal_init reports. */
const hh__gdal_api_t *hh__gdal_api(void);

/* GDAL's names, through the table (gdal.c itself defines
 * HH_GDAL_NO_MACROS to fill it). */
#ifndef HH_GDAL_NO_MACROS
#define CPLErrorReset (*hh__gdal_api()->CPLErrorReset)
#define GDALAutoCreateWarpedVRT (*hh__gdal_api()->GDALAutoCreateWarpedVRT)
#define GDALCreateCopy (*hh__gdal_api()->GDALCreateCopy)
#define GDALSetProjection (*hh__gdal_api()->GDALSetProjection)
#define GDALSetRasterColorInterpretation (*hh__gdal_api()->GDALSetRasterColorInterpretation)
#define OSRExportToWkt (*hh__gdal_api()->OSRExportToWkt)
#define VSIFree (*hh__gdal_api()->VSIFree)
#define VSIGetMemFileBuffer (*hh__gdal_api()->VSIGetMemFileBuffer)
#define VSIUnlink (*hh__gdal_api()->VSIUnlink)
#define CPLGetLastErrorMsg (*hh__gdal_api()->CPLGetLastErrorMsg)
#define CPLGetLastErrorType (*hh__gdal_api()->CPLGetLastErrorType)
#define CPLPopErrorHandler (*hh__gdal_api()->CPLPopErrorHandler)
#define CPLPushErrorHandler (*hh__gdal_api()->CPLPushErrorHandler)
#define CPLQuietErrorHandler (*hh__gdal_api()->CPLQuietErrorHandler)
#define GDALAllRegister (*hh__gdal_api()->GDALAllRegister)
#define GDALClose (*hh__gdal_api()->GDALClose)
#define GDALCreate (*hh__gdal_api()->GDALCreate)
#define GDALDatasetCommitTransaction (*hh__gdal_api()->GDALDatasetCommitTransaction)
#define GDALDatasetCreateLayer (*hh__gdal_api()->GDALDatasetCreateLayer)
#define GDALDatasetGetLayer (*hh__gdal_api()->GDALDatasetGetLayer)
#define GDALDatasetGetLayerCount (*hh__gdal_api()->GDALDatasetGetLayerCount)
#define GDALDatasetRasterIO (*hh__gdal_api()->GDALDatasetRasterIO)
#define GDALDatasetRollbackTransaction (*hh__gdal_api()->GDALDatasetRollbackTransaction)
#define GDALDatasetStartTransaction (*hh__gdal_api()->GDALDatasetStartTransaction)
#define GDALGetDescription (*hh__gdal_api()->GDALGetDescription)
#define GDALGetDriverByName (*hh__gdal_api()->GDALGetDriverByName)
#define GDALGetGeoTransform (*hh__gdal_api()->GDALGetGeoTransform)
#define GDALGetRasterBand (*hh__gdal_api()->GDALGetRasterBand)
#define GDALGetRasterCount (*hh__gdal_api()->GDALGetRasterCount)
#define GDALGetRasterDataType (*hh__gdal_api()->GDALGetRasterDataType)
#define GDALGetRasterNoDataValue (*hh__gdal_api()->GDALGetRasterNoDataValue)
#define GDALGetRasterXSize (*hh__gdal_api()->GDALGetRasterXSize)
#define GDALGetRasterYSize (*hh__gdal_api()->GDALGetRasterYSize)
#define GDALGetSpatialRef (*hh__gdal_api()->GDALGetSpatialRef)
#define GDALOpenEx (*hh__gdal_api()->GDALOpenEx)
#define GDALRasterIO (*hh__gdal_api()->GDALRasterIO)
#define GDALSetDescription (*hh__gdal_api()->GDALSetDescription)
#define GDALSetGeoTransform (*hh__gdal_api()->GDALSetGeoTransform)
#define GDALSetRasterNoDataValue (*hh__gdal_api()->GDALSetRasterNoDataValue)
#define GDALSetSpatialRef (*hh__gdal_api()->GDALSetSpatialRef)
#define OCTDestroyCoordinateTransformation (*hh__gdal_api()->OCTDestroyCoordinateTransformation)
#define OCTNewCoordinateTransformation (*hh__gdal_api()->OCTNewCoordinateTransformation)
#define OCTTransform (*hh__gdal_api()->OCTTransform)
#define OCTTransformEx (*hh__gdal_api()->OCTTransformEx)
#define OGR_FD_GetFieldCount (*hh__gdal_api()->OGR_FD_GetFieldCount)
#define OGR_FD_GetFieldDefn (*hh__gdal_api()->OGR_FD_GetFieldDefn)
#define OGR_F_Create (*hh__gdal_api()->OGR_F_Create)
#define OGR_F_Destroy (*hh__gdal_api()->OGR_F_Destroy)
#define OGR_F_GetDefnRef (*hh__gdal_api()->OGR_F_GetDefnRef)
#define OGR_F_GetFieldAsDouble (*hh__gdal_api()->OGR_F_GetFieldAsDouble)
#define OGR_F_GetFieldAsString (*hh__gdal_api()->OGR_F_GetFieldAsString)
#define OGR_F_GetGeometryRef (*hh__gdal_api()->OGR_F_GetGeometryRef)
#define OGR_F_IsFieldSetAndNotNull (*hh__gdal_api()->OGR_F_IsFieldSetAndNotNull)
#define OGR_F_SetFID (*hh__gdal_api()->OGR_F_SetFID)
#define OGR_F_SetFieldDouble (*hh__gdal_api()->OGR_F_SetFieldDouble)
#define OGR_F_SetFieldNull (*hh__gdal_api()->OGR_F_SetFieldNull)
#define OGR_F_SetFieldString (*hh__gdal_api()->OGR_F_SetFieldString)
#define OGR_F_SetGeometryDirectly (*hh__gdal_api()->OGR_F_SetGeometryDirectly)
#define OGR_Fld_Create (*hh__gdal_api()->OGR_Fld_Create)
#define OGR_Fld_Destroy (*hh__gdal_api()->OGR_Fld_Destroy)
#define OGR_Fld_GetNameRef (*hh__gdal_api()->OGR_Fld_GetNameRef)
#define OGR_Fld_GetSubType (*hh__gdal_api()->OGR_Fld_GetSubType)
#define OGR_Fld_GetType (*hh__gdal_api()->OGR_Fld_GetType)
#define OGR_GT_Flatten (*hh__gdal_api()->OGR_GT_Flatten)
#define OGR_G_AddGeometry (*hh__gdal_api()->OGR_G_AddGeometry)
#define OGR_G_AddGeometryDirectly (*hh__gdal_api()->OGR_G_AddGeometryDirectly)
#define OGR_G_AddPoint_2D (*hh__gdal_api()->OGR_G_AddPoint_2D)
#define OGR_G_Area (*hh__gdal_api()->OGR_G_Area)
#define OGR_G_Centroid (*hh__gdal_api()->OGR_G_Centroid)
#define OGR_G_Clone (*hh__gdal_api()->OGR_G_Clone)
#define OGR_G_CreateGeometry (*hh__gdal_api()->OGR_G_CreateGeometry)
#define OGR_G_DestroyGeometry (*hh__gdal_api()->OGR_G_DestroyGeometry)
#define OGR_G_ExportToWkb (*hh__gdal_api()->OGR_G_ExportToWkb)
#define OGR_G_FlattenTo2D (*hh__gdal_api()->OGR_G_FlattenTo2D)
#define OGR_G_GetEnvelope (*hh__gdal_api()->OGR_G_GetEnvelope)
#define OGR_G_GetGeometryCount (*hh__gdal_api()->OGR_G_GetGeometryCount)
#define OGR_G_GetGeometryRef (*hh__gdal_api()->OGR_G_GetGeometryRef)
#define OGR_G_GetGeometryType (*hh__gdal_api()->OGR_G_GetGeometryType)
#define OGR_G_GetX (*hh__gdal_api()->OGR_G_GetX)
#define OGR_G_GetY (*hh__gdal_api()->OGR_G_GetY)
#define OGR_G_Intersects (*hh__gdal_api()->OGR_G_Intersects)
#define OGR_G_IsEmpty (*hh__gdal_api()->OGR_G_IsEmpty)
#define OGR_G_IsValid (*hh__gdal_api()->OGR_G_IsValid)
#define OGR_G_MakeValid (*hh__gdal_api()->OGR_G_MakeValid)
#define OGR_G_PointOnSurface (*hh__gdal_api()->OGR_G_PointOnSurface)
#define OGR_G_SetPoint_2D (*hh__gdal_api()->OGR_G_SetPoint_2D)
#define OGR_G_Transform (*hh__gdal_api()->OGR_G_Transform)
#define OGR_G_WkbSize (*hh__gdal_api()->OGR_G_WkbSize)
#define OGR_L_CreateFeature (*hh__gdal_api()->OGR_L_CreateFeature)
#define OGR_L_CreateField (*hh__gdal_api()->OGR_L_CreateField)
#define OGR_L_GetLayerDefn (*hh__gdal_api()->OGR_L_GetLayerDefn)
#define OGR_L_GetNextFeature (*hh__gdal_api()->OGR_L_GetNextFeature)
#define OGR_L_GetSpatialRef (*hh__gdal_api()->OGR_L_GetSpatialRef)
#define OGR_L_ResetReading (*hh__gdal_api()->OGR_L_ResetReading)
#define OSRClone (*hh__gdal_api()->OSRClone)
#define OSRDestroySpatialReference (*hh__gdal_api()->OSRDestroySpatialReference)
#define OSRGetProjParm (*hh__gdal_api()->OSRGetProjParm)
#define OSRImportFromEPSG (*hh__gdal_api()->OSRImportFromEPSG)
#define OSRImportFromProj4 (*hh__gdal_api()->OSRImportFromProj4)
#define OSRIsSame (*hh__gdal_api()->OSRIsSame)
#define OSRNewSpatialReference (*hh__gdal_api()->OSRNewSpatialReference)
#define OSRRelease (*hh__gdal_api()->OSRRelease)
#define OSRSetAxisMappingStrategy (*hh__gdal_api()->OSRSetAxisMappingStrategy)
#define OSRSetProjCS (*hh__gdal_api()->OSRSetProjCS)
#define VSIStatExL (*hh__gdal_api()->VSIStatExL)
#endif

/* Loads GDAL and registers its drivers, once; 0, or -1 with the reason in
 * err (GDAL's library missing or too old).  Call it before any GDAL
 * function. */
int hh__gdal_init(char *err, size_t errlen);
/* Silences this thread's GDAL messages and clears its last error; every
 * begin is paired with an end. */
void hh__gdal_quiet_begin(void);
void hh__gdal_quiet_end(void);
/* GDAL's last error on this thread as one line (newlines become spaces),
 * or `fallback` when GDAL recorded none. */
void hh__gdal_error(char *buf, size_t n, const char *fallback);

#endif
