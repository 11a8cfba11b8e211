#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the VM (tests/vm/run.sh --bench): SA installation through skap.ko versus
# ip -batch, and ESP throughput with module-made versus hand-made SAs. The
# measuring code is the in-VM test program tests/kernel/bench.c, which also
# checks, as a test, that both ways build identical states.
exec /vm/tests/bench --bench
