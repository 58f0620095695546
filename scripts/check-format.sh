#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when a C file differs from what clang-format makes of it (.clang-format at the top).
set -u
cd "$(dirname "$0")/.."
status=0
for f in $(git ls-files -co --exclude-standard -- '*.c' '*.h'); do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not clang-formatted: $f (run: clang-format -i $f)"
		status=1
	fi
done
exit $status
