"""The GIL is released while the library searches: another Python thread
runs while a matrix is being computed, and matrices computed from two
threads at once equal the ones computed one after the other."""
import sys
import threading

import numpy as np


def test_python_runs_during_a_search(porto_net, porto_points):
    df = porto_points[1]
    state = {"in_c": False, "seen_in_c": 0}
    old = sys.getswitchinterval()
    # with a huge switch interval the worker keeps the GIL unless the C call
    # releases it: the main thread then runs only while the worker is inside
    # hh_matrix_run (or after it has finished, when in_c is False again)
    sys.setswitchinterval(100)
    try:
        def work():
            state["in_c"] = True
            porto_net.travel_time_matrix_arrays(df, mode="car", threads=1)
            state["in_c"] = False

        t = threading.Thread(target=work)
        t.start()
        while t.is_alive():
            if state["in_c"]:
                state["seen_in_c"] += 1
                sum(range(1000))  # Python work while the worker is in C
            t.join(0.001)
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert state["seen_in_c"] > 0


def test_concurrent_matrices_equal_serial(porto_net, porto_points):
    df = porto_points[1]
    a, b = df.head(150), df.tail(150)
    serial = [porto_net.travel_time_matrix_arrays(x, mode="car", threads=1)["time_s"] for x in (a, b)]
    out = [None, None]

    def run(k, x):
        out[k] = porto_net.travel_time_matrix_arrays(x, mode="car", threads=1)["time_s"]

    ts = [threading.Thread(target=run, args=(k, x)) for k, x in enumerate((a, b))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for s, o in zip(serial, out):
        assert np.array_equal(s, o, equal_nan=True)
