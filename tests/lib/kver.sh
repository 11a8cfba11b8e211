#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prints the release of the kernel the module is built for: the one of the
# header tree given as $1, or else of the newest installed Debian headers.
# The running kernel never enters into it.
set -eu
if [ $# -gt 0 ] && [ -n "$1" ]; then
	dir=$(realpath "$1")
	case "$dir" in
	/lib/modules/*/build | /usr/lib/modules/*/build)
		basename "$(dirname "$dir")" ;;
	*/linux-headers-*)
		basename "$dir" | sed 's/^linux-headers-//' ;;
	*)
		# A kernel tree of one's own: ask it.
		make -s -C "$dir" kernelrelease 2>/dev/null ;;
	esac
	exit 0
fi
for d in /lib/modules/*/build/Makefile; do
	[ -e "$d" ] || continue
	basename "$(dirname "$(dirname "$d")")"
done | sort -V | tail -n 1
