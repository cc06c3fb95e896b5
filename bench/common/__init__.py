"""What both benchmarks share: server selection, thread pools, timing, floors, printing and the
baseline's checkout."""
