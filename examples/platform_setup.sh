#!/bin/sh
# Fixture of the sample tests (examples/CMakeLists.txt): a fresh emulated platform in a
# scratch state directory of the build tree, with its SGX side, and an empty work folder.
# Usage: platform_setup.sh COVE_BIN PLATFORM_DIR WORK_DIR
set -eu
cove=$1 dir=$2 work=$3
if [ -z "$dir" ] || [ -z "$work" ]; then
	echo "usage: $0 COVE_BIN PLATFORM_DIR WORK_DIR" >&2
	exit 2
fi
rm -rf "$dir" "$work"
mkdir -p "$work"
"$cove" platform init --state-dir "$dir" >/dev/null
# The SGX side is made on first use; make it here, once, so samples run in parallel only read it.
zero=0000000000000000000000000000000000000000000000000000000000000000
"$cove" sgx emulate --mrenclave "$zero" --mrsigner "$zero" --report-data 00 --out "$work/platform-check.quote" --state-dir "$dir" \
	>/dev/null
echo "examples platform ready in $dir"
