/* test_turns.c: the car turn graph against what it was built from: every
 * stored restriction is honoured by the moves, every move leaves the arc's
 * head, the turn-cost curve has the documented shape, and on monaco (real
 * restrictions) the searches agree with the turn graph's own oracle in
 * test_street.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hhtest.h"
#include "net/net.h"
#include "build/turns.h"
#include "testnet.h"

static uint32_t arc_of(const hh_net *net, uint32_t e, uint32_t v, int leaving)
{
    const uint32_t *fo = net->first_out[HH_MODE_CAR];
    const hh__arc *A = net->arcs[HH_MODE_CAR];
    for (uint32_t u = 0; u < net->n_nodes; u++)
        for (uint32_t a = fo[u]; a < fo[u + 1]; a++)
            if ((A[a].edge_dir >> 1) == e && (leaving ? u == v : A[a].head == v))
                return a;
    return UINT32_MAX;
}

static void check_restrictions(const char *name, uint32_t min_turns)
{
    const char *path = hh_test_net_path(name);
    if (!path)
        return;
    hh_net *net;
    HH_ASSERT_EQ(hh_net_open(path, &net, NULL, 0), 0);
    HH_ASSERT(net->n_turns >= min_turns);
    const hh__arc *A = net->arcs[HH_MODE_CAR];
    uint32_t checked = 0;
    for (uint32_t i = 0; i < net->n_turns; i++) {
        const hh__turn *r = &net->turns[i];
        uint32_t fa = arc_of(net, r->from_edge, r->via_node, 0);
        uint32_t ta = arc_of(net, r->to_edge, r->via_node, 1);
        HH_ASSERT(fa != UINT32_MAX && ta != UINT32_MAX);
        HH_ASSERT_EQ(A[fa].head, r->via_node);
        for (uint32_t k = net->turn_first[fa]; k < net->turn_first[fa + 1]; k++) {
            uint32_t b = hh__tnode_arc(net, net->turn_arcs[k].head);
            if (r->only)
                HH_ASSERT_EQ(A[b].edge_dir >> 1, r->to_edge); /* nothing but the named street */
            else
                HH_ASSERT(b != ta); /* the banned move is gone */
        }
        checked++;
    }
    /* every move starts where its arc ends, and weighs the arc plus a cost */
    for (uint32_t t = 0; t < net->n_tnodes; t++) {
        uint32_t a = hh__tnode_arc(net, t);
        for (uint32_t k = net->turn_first[t]; k < net->turn_first[t + 1]; k++) {
            const hh__arc *m = &net->turn_arcs[k];
            uint32_t b = hh__tnode_arc(net, m->head);
            HH_ASSERT(net->first_out[HH_MODE_CAR][A[a].head] <= b && b < net->first_out[HH_MODE_CAR][A[a].head + 1]);
            HH_ASSERT_EQ(m->dur_ds, A[a].dur_ds + m->edge_dir);
            HH_ASSERT_EQ(m->len_dm, A[a].len_dm);
        }
    }
    fprintf(stderr, "  %s: %u restrictions honoured, %u moves\n", name, checked, net->n_tarcs);
    hh_net_close(net);
}

HH_TEST(turn_graph_honours_restrictions_monaco) { check_restrictions("monaco", 10); }
HH_TEST(turn_graph_honours_restrictions_porto) { check_restrictions("porto", 100); }

HH_TEST(turn_cost_curve)
{
    hh_profile p;
    hh_profile_default(&p);
    double straight = hh__turn_angle_cost(&p, 0), right = hh__turn_angle_cost(&p, 90);
    double left = hh__turn_angle_cost(&p, -90), back = hh__turn_angle_cost(&p, 180);
    /* OSRM's car profile at these angles: about 0, 2.1, 5.4 and 7.4 s */
    HH_ASSERT(straight < 0.01);
    HH_ASSERT_NEAR(right, 2.105, 0.01);
    HH_ASSERT_NEAR(left, 5.395, 0.01);
    HH_ASSERT(back > 7.3 && back < 7.5);
    for (int a = 0; a < 180; a += 5) { /* sharper costs more; left more than right */
        HH_ASSERT(hh__turn_angle_cost(&p, a + 5) > hh__turn_angle_cost(&p, a));
        HH_ASSERT(hh__turn_angle_cost(&p, -a - 5) > hh__turn_angle_cost(&p, a + 5));
    }
    p.car_turn_bias = 1;
    HH_ASSERT_NEAR(hh__turn_angle_cost(&p, 60), hh__turn_angle_cost(&p, -60), 1e-12);
}
