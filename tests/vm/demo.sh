#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's main job, for now: boot the matching Debian kernel, load
# skap.ko and show that it is registered, narrated on the terminal.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
echo "skap demo: booting the Debian kernel that matches the installed headers under qemu"
exec "$src/tests/vm/run.sh" --demo
