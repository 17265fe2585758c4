"""The display geometry on small coverages made here."""

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, box

from geo_coverage.boundaries.display import simplify_coverage
from geo_coverage.boundaries.gaps import find_holes


def test_small_islands_are_dropped_but_small_enclaves_kept():
    enclave = box(0.5, 0.5, 0.501, 0.501)  # about 0.012 km², inside A
    islet = box(3, 3, 3.001, 3.001)  # as small, out at sea
    a = box(0, 0, 1, 1).difference(enclave)
    b = MultiPolygon([box(1, 0, 2, 1), enclave, islet])
    coverage = shapely.coverage_clean(np.array([a, b], dtype=object))
    geoms, dropped = simplify_coverage(coverage)
    assert dropped == 1
    assert not geoms[1].intersects(islet.centroid)
    assert geoms[1].intersects(enclave.centroid)
    assert find_holes(geoms) == []
