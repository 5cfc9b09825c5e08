#!/usr/bin/env bash
# build.sh — produce a Kubernetes control plane (kube-apiserver,
# kube-controller-manager, etcd) on this machine, from published Go modules.
#
# Usage: e2e/control-plane/build.sh            # logs on stderr; last stdout line = binary dir
#        bin_dir="$(e2e/control-plane/build.sh | tail -n1)"
#
# What it does
#   1. Reads the Kubernetes version from gomod/go.mod (written by pin.sh: it
#      requires k8s.io/kubernetes vX.Y.Z and replaces every k8s.io staging
#      module with its published v0.Y.Z; gomod/go.sum pins every checksum).
#   2. Builds k8s.io/kubernetes/cmd/kube-apiserver and cmd/kube-controller-manager
#      with `go build -trimpath`, CGO_ENABLED=0 and the same -X version ldflags
#      as Kubernetes' own hack/lib/version.sh, so `--version` prints the real
#      version, into  ${XDG_CACHE_HOME:-~/.cache}/aion/k8s/<version>/.
#      A second run finds the binaries there (and a stamp of go.mod/go.sum and
#      the Go version) and only prints their --version: it takes about a second.
#   3. etcd: Debian's etcd-server (3.4.23, /usr/bin/etcd; installed with apt-get
#      if missing). The apiserver of the pinned version was tested against it
#      (see e2e/README.md). Debian's package registers a service, but there is
#      no init system here; the script makes sure it does not leave one running.
#      Override with AION_ETCD=/path/to/etcd.
#   4. Lays out symlinks for fabric8 kube-api-test (@EnableKubeAPIServer):
#      ${KUBE_API_TEST_DIR:-~/.kubeapitest}/k8s/<version>-linux-amd64/
#      {kube-apiserver,etcd,kubectl}  (kubectl = `command -v kubectl`).
#   5. Prints that directory as the last line of stdout. (The real binaries
#      live in the cache dir; the kube-api-test dir holds only symlinks.)
#
# Environment
#   GO               go binary (default: `go` on PATH, else /usr/local/go/bin/go)
#   GOTOOLCHAIN      passed through (e.g. go1.27.3 if a future pin needs a newer Go)
#   XDG_CACHE_HOME   cache root (default ~/.cache)
#   KUBE_API_TEST_DIR  kube-api-test root (default ~/.kubeapitest)
#   AION_ETCD        etcd binary to use instead of Debian's /usr/bin/etcd
#   AION_K8S_REBUILD=1  ignore the cache and rebuild
#   AION_BUILD_NICE  nice level for `go build` (default 10; the build takes
#                    ~2 cores for many minutes on a cold Go build cache)
#
# Needs: Go >= the `go` line of gomod/go.mod (or GOTOOLCHAIN), the Go module
# proxy, ~2.7 GB of Go build cache and ~0.5 GB of module cache for a cold build; apt-get for etcd.
# Never downloads a binary; never writes into the repository.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
gomod_dir="${here}/gomod"

log() { echo "build.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- Go -----------------------------------------------------------------------
GO="${GO:-$(command -v go || true)}"
[[ -n "${GO}" ]] || GO=/usr/local/go/bin/go
[[ -x "${GO}" ]] || die "no Go toolchain found (set GO=/path/to/go)"

# --- version --------------------------------------------------------------------
k8s_version="$(sed -n 's#^[[:space:]]*\(require[[:space:]]\{1,\}\)\{0,1\}k8s\.io/kubernetes[[:space:]]\{1,\}\(v[0-9.]*\).*#\2#p' "${gomod_dir}/go.mod")"
[[ "${k8s_version}" =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] \
  || die "cannot read the k8s.io/kubernetes requirement from ${gomod_dir}/go.mod"
k8s_major="${BASH_REMATCH[1]}"
k8s_minor="${BASH_REMATCH[2]}"
bare_version="${k8s_version#v}"          # kube-api-test dir names have no leading v

cache_root="${XDG_CACHE_HOME:-${HOME}/.cache}/aion/k8s"
bin_dir="${cache_root}/${k8s_version}"
stamp="${bin_dir}/.build-stamp"

# The stamp identifies exactly what was built: go.mod, go.sum and the toolchain.
expected_stamp="$(
  cd "${gomod_dir}"
  echo "k8s ${k8s_version}"
  echo "go $("${GO}" env GOVERSION)"
  sha256sum go.mod go.sum
)"

cached_ok() {
  [[ -x "${bin_dir}/kube-apiserver" && -x "${bin_dir}/kube-controller-manager" && -f "${stamp}" ]] || return 1
  [[ "$(cat "${stamp}")" == "${expected_stamp}" ]] || return 1
  [[ "$("${bin_dir}/kube-apiserver" --version 2>/dev/null)" == "Kubernetes ${k8s_version}" ]] || return 1
  [[ "$("${bin_dir}/kube-controller-manager" --version 2>/dev/null)" == "Kubernetes ${k8s_version}" ]] || return 1
}

# --- kube-apiserver, kube-controller-manager -------------------------------------
if [[ "${AION_K8S_REBUILD:-0}" != 1 ]] && cached_ok; then
  log "cached: ${bin_dir} (kube-apiserver and kube-controller-manager $("${bin_dir}/kube-apiserver" --version))"
else
  log "building kube-apiserver and kube-controller-manager ${k8s_version} with $("${GO}" env GOVERSION) into ${bin_dir}"
  mkdir -p "${cache_root}"
  # Release time of the module as the build date (reproducible, like SOURCE_DATE_EPOCH).
  info_file="$(cd "${gomod_dir}" && "${GO}" mod download -json "k8s.io/kubernetes@${k8s_version}" \
                | sed -n 's/^[[:space:]]*"Info": "\(.*\)",$/\1/p')"
  build_date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "${info_file}" 2>/dev/null || true)"
  [[ -n "${build_date}" ]] || build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

  ldflags=(-s -w)
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=(
      "-X '${pkg}.gitVersion=${k8s_version}'"
      "-X '${pkg}.gitMajor=${k8s_major}'"
      "-X '${pkg}.gitMinor=${k8s_minor}'"
      "-X '${pkg}.gitTreeState=archive'"
      "-X '${pkg}.buildDate=${build_date}'"
    )
  done

  tmp_dir="$(mktemp -d "${cache_root}/.build-${k8s_version}.XXXXXX")"
  trap 'rm -rf "${tmp_dir}"' EXIT
  start=${SECONDS}
  (
    cd "${gomod_dir}"
    CGO_ENABLED=0 nice -n "${AION_BUILD_NICE:-10}" "${GO}" build -mod=readonly -trimpath \
      -ldflags "${ldflags[*]}" -o "${tmp_dir}/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  ) || die "go build failed"
  log "go build took $((SECONDS - start)) s"
  for b in kube-apiserver kube-controller-manager; do
    v="$("${tmp_dir}/${b}" --version)"
    [[ "${v}" == "Kubernetes ${k8s_version}" ]] || die "${b} --version printed '${v}', expected 'Kubernetes ${k8s_version}'"
  done
  printf '%s\n' "${expected_stamp}" > "${tmp_dir}/.build-stamp"
  rm -rf "${bin_dir}"
  mv "${tmp_dir}" "${bin_dir}"
  trap - EXIT
  log "built: ${bin_dir}"
fi

# --- etcd ------------------------------------------------------------------------
etcd_bin="${AION_ETCD:-/usr/bin/etcd}"
if [[ -z "${AION_ETCD:-}" && ! -x "${etcd_bin}" ]]; then
  log "installing Debian's etcd-server (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # The package's postinst may try to start a service: forbid it for this install.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e "${policy}" ]]; then
    printf '#!/bin/sh\nexit 101\n' > "${policy}" && chmod +x "${policy}" && created_policy=1
  fi
  { apt-get update -qq && apt-get install -y -qq etcd-server; } >&2 || die "apt-get install etcd-server failed"
  if (( created_policy )); then rm -f "${policy}"; fi
  # There is no init system here and policy-rc.d forbids starting services, so
  # no etcd should be running now; say so loudly if one is (we kill nothing we
  # did not start).
  if pgrep -x etcd >/dev/null 2>&1; then
    log "WARNING: an etcd process is running (pids: $(pgrep -x etcd | tr '\n' ' ')); not started by this script"
  fi
fi
[[ -x "${etcd_bin}" ]] || die "etcd not found at ${etcd_bin}"
log "etcd: ${etcd_bin} ($("${etcd_bin}" --version 2>/dev/null | head -n1))"

# --- kube-api-test layout -----------------------------------------------------------
kubectl_bin="$(command -v kubectl || true)"
[[ -n "${kubectl_bin}" ]] || die "kubectl not found on PATH (kube-api-test needs it in its binary dir)"
kat_dir="${KUBE_API_TEST_DIR:-${HOME}/.kubeapitest}/k8s/${bare_version}-linux-amd64"
mkdir -p "${kat_dir}"
ln -sfn "${bin_dir}/kube-apiserver" "${kat_dir}/kube-apiserver"
ln -sfn "${bin_dir}/kube-controller-manager" "${kat_dir}/kube-controller-manager"
ln -sfn "${etcd_bin}" "${kat_dir}/etcd"
ln -sfn "${kubectl_bin}" "${kat_dir}/kubectl"
log "kube-api-test binaries: ${kat_dir}"

echo "${kat_dir}"
