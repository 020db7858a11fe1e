#!/bin/sh
# cove-edger8r: help and usage errors, diagnostics as a compiler prints them and exit codes,
# search paths, -D, --dialect, -Werror/-Wno-, the bridges written where asked, and the
# corpus report over shared/edl-corpus with no unexpected outcome.
set -u
[ -n "${COVE_EDGER8R:-}" ] && [ -x "$COVE_EDGER8R" ] || { echo "SKIP: COVE_EDGER8R is not set"; exit 77; }
E=$COVE_EDGER8R
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() {
	echo "FAIL: $*"; fails=$((fails + 1))
}

# run CODE DESCRIPTION ARGS...: exit code check; output in $tmp/out, $tmp/err.
run() {
	code=$1 what=$2
	shift 2
	"$E" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		fail "$what: exit $rc, expected $code"; sed -n 1,20p "$tmp/err"; return 1
	fi
	echo "ok: $what"
}

# has FILE DESCRIPTION TEXT: the file contains TEXT literally.
has() {
	grep -qF -- "$3" "$1" || { fail "$2: output lacks '$3'"; sed -n 1,20p "$1"; }
}

lacks() {
	! grep -qF -- "$3" "$1" || fail "$2: output has '$3'"
}

run 0 "--help" --help && {
	for opt in --trusted --untrusted --search-path --trusted-dir --untrusted-dir --header-only -D --dialect \
		--corpus-report; do
		has "$tmp/out" "--help" "$opt"
	done
}
run 2 "no file" 
has "$tmp/err" "no file" "no EDL file given"
run 2 "two files" a.edl b.edl
run 2 "unknown option" --frobnicate x.edl
has "$tmp/err" "unknown option" "unknown option"
run 2 "option without value" x.edl --search-path
run 2 "bad dialect" --dialect vms x.edl
run 2 "-Wfoo" -Wfoo x.edl
run 2 "--compile without report" --compile x.edl
run 2 "missing input" "$tmp/missing.edl"
has "$tmp/err" "missing input" "missing.edl: error: cannot read EDL file"

# Errors: every one, file:line:col, exit 1.
cat >"$tmp/bad.edl" <<'EOF'
enclave {
    trusted {
        public void a([in] int x);
        public void b([out, string] char *s);
    };
    untrusted {
        void c([in, size=nope] void *p);
    };
};
EOF
run 1 "errors in the input" --check "$tmp/bad.edl"
has "$tmp/err" "errors" "bad.edl:3:24: error: function \`a', parameter \`x': \`in' is invalid for plain type"
has "$tmp/err" "errors" "bad.edl:4:29: error: function \`b', parameter \`s': string/wstring attribute should be used with an \`in'"
has "$tmp/err" "errors" "bad.edl:7:21: error: function \`c': \`size=nope' of \`p': there is no parameter named \`nope'"
[ "$(grep -c ': error: ' "$tmp/err")" -eq 3 ] || fail "errors: expected exactly 3 errors"

# Warnings: exit 0; -Werror makes it 1; -Wno- silences.
cat >"$tmp/warn.edl" <<'EOF'
enclave {
    trusted { public void f([in, count=n] int *p, int n); };
};
EOF
run 0 "warning only" --check "$tmp/warn.edl"
has "$tmp/err" "warning only" "warn.edl:2:34: warning: function \`f': the size or count parameter \`n' of \`p' should not be signed"
has "$tmp/err" "warning only" "[-Wsigned-size-or-count]"
run 1 "-Werror" --check -Werror "$tmp/warn.edl"
run 0 "-Wno-" --check -Wno-signed-size-or-count "$tmp/warn.edl"
[ -s "$tmp/err" ] && fail "-Wno-: still printed a warning"

# Imports through --search-path (colon-separated and repeated), -D, dialects.
mkdir -p "$tmp/lib1" "$tmp/lib2" "$tmp/src"
printf 'enclave { untrusted { void from_lib1(void); }; };\n' >"$tmp/lib1/one.edl"
printf 'enclave { untrusted { void from_lib2(void); }; };\n' >"$tmp/lib2/two.edl"
cat >"$tmp/src/main.edl" <<'EOF'
enclave {
    from "one.edl" import *;
    from "two.edl" import from_lib2;
#ifdef WITH_EXTRA
    trusted { public void extra(void); };
#endif
    trusted { public void base([in, string, readonly] const char *s); };
};
EOF
run 1 "import not found" --check "$tmp/src/main.edl"
has "$tmp/err" "import not found" "main.edl:2:10: error: cannot find imported file \`one.edl' (searched: $tmp/src"
run 0 "--search-path a:b" --dump --search-path "$tmp/lib1:$tmp/lib2" "$tmp/src/main.edl"
has "$tmp/out" "--search-path a:b" "void from_lib1(void);"
has "$tmp/out" "--search-path a:b" "void from_lib2(void);"
lacks "$tmp/out" "--search-path a:b" "extra"
run 0 "repeated --search-path, -D" --dump --search-path "$tmp/lib1" --search-path="$tmp/lib2" -D WITH_EXTRA \
	"$tmp/src/main.edl"
has "$tmp/out" "-D" "public void extra(void);"
run 0 "-DNAME" --dump --search-path "$tmp/lib1:$tmp/lib2" -DWITH_EXTRA "$tmp/src/main.edl"
has "$tmp/out" "-DNAME" "public void extra(void);"
run 1 "--dialect oe refuses readonly" --check --dialect oe --search-path "$tmp/lib1:$tmp/lib2" "$tmp/src/main.edl"
has "$tmp/err" "--dialect oe" "main.edl:7:45: error: unknown attribute \`readonly'"
run 0 "--dialect intel accepts readonly" --check --dialect intel --search-path "$tmp/lib1:$tmp/lib2" "$tmp/src/main.edl"

# cove's own system EDLs are found without a search path; --no-system-edl turns them off.
printf 'enclave {\n    from "sgx_tstdc.edl" import sgx_oc_cpuidex;\n    trusted { public void e(void); };\n};\n' >"$tmp/sys.edl"
run 0 "system EDLs" --dump "$tmp/sys.edl"
has "$tmp/out" "system EDLs" "[cdecl] void sgx_oc_cpuidex([out] int cpuinfo[4], int leaf, int subleaf);"
run 1 "--no-system-edl" --check --no-system-edl "$tmp/sys.edl"

# The bridges: both sides by default, one side with --trusted/--untrusted, headers only.
if [ -n "${COVE_SHARED_DIR:-}" ] && [ -d "$COVE_SHARED_DIR/edl-corpus" ]; then
	syntax=$COVE_SHARED_DIR/edl-corpus/linux-sgx/SampleCode/SampleEnclave/Enclave/Edger8rSyntax
	mkdir -p "$tmp/t" "$tmp/u" "$tmp/h"
	if run 0 "generate both sides" --trusted-dir "$tmp/t" --untrusted-dir "$tmp/u" "$syntax/Pointers.edl"; then
		for f in t/Pointers_t.h t/Pointers_t.c u/Pointers_u.h u/Pointers_u.c; do
			[ -s "$tmp/$f" ] || fail "generate both sides: $f missing"
		done
	fi
	if run 0 "--trusted --header-only" --trusted --header-only --trusted-dir "$tmp/h" "$syntax/Arrays.edl"; then
		[ -s "$tmp/h/Arrays_t.h" ] || fail "--header-only: Arrays_t.h missing"
		[ -e "$tmp/h/Arrays_t.c" ] && fail "--header-only: Arrays_t.c written"
		[ -e "$tmp/h/Arrays_u.h" ] && fail "--trusted: Arrays_u.h written"
	fi

	# The corpus report: every file as its MANIFEST says, printed as a Markdown table.
	if run 0 "--corpus-report --strict" --corpus-report "$COVE_SHARED_DIR/edl-corpus" --strict; then
		has "$tmp/out" "corpus report" "| folder | files | accepted |"
		has "$tmp/out" "corpus report" "| **total** | 258 |"
		has "$tmp/out" "corpus report" "Unexpected outcomes: none."
		has "$tmp/out" "corpus report" "| \`openenclave/tests/oeedger8r/string\` | 11 | 0 | 0 | 0 | 11 | 0 |"
	fi
	# ... and the generated C compiles (-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes) wherever it
	# needs no other SDK's header or type; --strict fails on any other compile error.
	if run 0 "--corpus-report --compile --strict" --corpus-report "$COVE_SHARED_DIR/edl-corpus" --compile --strict; then
		has "$tmp/out" "corpus report with --compile" "| \`openenclave/tests/syscall\` | 13 | 13 | 0 | 0 | 0 | 0 | 13 | 0 | 0 |"
	fi
else
	echo "note: shared/edl-corpus absent; generation and corpus report not checked"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all cove-edger8r CLI checks passed"
