/* grid_cells.c: which grid cell holds a point (for weights per cell:
 * residents of a population layer summed over each access cell). */
#include <math.h>
#include <stdint.h>

#include "io/grid.h"

int hh_grid_cells_of(const hh_grid *g, const double *lon, const double *lat, size_t n, size_t *cell)
{
    hh__grid_proj *p;
    int rc = hh__grid_proj_open(g->proj, &p, NULL, 0);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        double x, y;
        cell[i] = SIZE_MAX;
        if (hh__grid_from_lonlat(p, lon[i], lat[i], &x, &y))
            continue;
        double c = floor((x - g->x0) / g->cell_m), r = floor((g->y1 - y) / g->cell_m);
        if (c >= 0 && r >= 0 && c < g->nx && r < g->ny)
            cell[i] = (size_t)r * g->nx + (size_t)c;
    }
    hh__grid_proj_close(p);
    return 0;
}

int hh_grid_cell_of(const hh_grid *g, double lon, double lat, size_t *cell)
{
    size_t c;
    int rc = hh_grid_cells_of(g, &lon, &lat, 1, &c);
    if (rc)
        return rc;
    if (c == SIZE_MAX)
        return HH_ERANGE;
    *cell = c;
    return 0;
}
