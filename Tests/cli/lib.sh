# What the shell tests share. Source it after setting `work` (a directory for logs):
# `check NAME COMMAND…` runs the command, counts it, and shows its output when it fails.
passed=0 failed=0
check() {  # name, command…
  local name="$1"; shift
  if "$@" >"$work/check.log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAILED: $name" >&2; cat "$work/check.log" >&2
  fi
}
