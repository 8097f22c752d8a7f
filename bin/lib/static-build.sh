# The one way tsdeploy's release binary is built (bin/tsdeploy and bin/package share it):
# static Swift runtime, static libstdc++/libgcc, zlib from its static archive, hypot and
# hypotf bound to their GLIBC_2.2.5 versions, and the commit built from embedded.

static_scratch() { echo "$root/.build"; }
static_binary() { echo "$(static_scratch)/release/tsdeploy"; }

static_build() {
  local zdir="$root/.build/static-libs"
  mkdir -p "$zdir"
  # A directory holding only static archives, searched first: for the -lz and -lstdc++
  # that the Swift runtime and zlib users ask for, the linker takes these.
  for lib in libz.a libstdc++.a; do
    local found
    found="$(find /usr/lib/gcc /usr/lib /usr/lib64 /lib -name "$lib" 2>/dev/null | sort -V | tail -1)"
    [[ -n "$found" ]] || { echo "tsdeploy: $lib is missing; install it (Debian: zlib1g-dev, libstdc++-12-dev)" >&2; return 1; }
    ln -sf "$found" "$zdir/$lib"
  done
  local commit
  commit="$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then commit="$commit-dirty"; fi
  swift build -c release --product tsdeploy --scratch-path "$(static_scratch)" --static-swift-stdlib \
    -Xcc "-DTSDEPLOY_COMMIT=\"$commit\"" \
    -Xlinker -L"$zdir" \
    -Xswiftc -Xclang-linker -Xswiftc -static-libgcc \
    -Xlinker --wrap=hypot -Xlinker --wrap=hypotf -Xlinker --wrap=_dl_find_object -Xlinker --wrap=arc4random
}
