#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when C sources use calls the house bans (STYLE.md, after curl's checksrc): unbounded or
# error-blind string and number parsing. Also refuses '#if 0' blocks and files without an SPDX line.
set -u
cd "$(dirname "$0")/.."
status=0
files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null || find src include tests bench -name '*.[ch]')
banned=$(grep -nE '\b(sscanf|strtok|atoi|atol|atoll|strcpy|strcat|sprintf|vsprintf|gets)[[:space:]]*\(' $files |
	grep -vE '^[^:]*:[0-9]+:[[:space:]]*(//|\*|/\*)' || true)
if [ -n "$banned" ]; then
	echo "banned calls (use bounded, cursor-style code):"
	echo "$banned"
	status=1
fi
if0=$(grep -nE '^[[:space:]]*#[[:space:]]*if[[:space:]]+0\b' $files || true)
if [ -n "$if0" ]; then
	echo "'#if 0' blocks:"
	echo "$if0"
	status=1
fi
for f in $files; do
	head -n 2 "$f" | grep -q 'SPDX-License-Identifier: MIT' || { echo "no SPDX line: $f"; status=1; }
done
exit $status
