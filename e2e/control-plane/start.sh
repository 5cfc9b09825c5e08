#!/usr/bin/env bash
# start.sh — run a local Kubernetes control plane: etcd, kube-apiserver and
# kube-controller-manager, all on 127.0.0.1, in the foreground.
#
# Usage: e2e/control-plane/start.sh [STATE_DIR]
#
#   STATE_DIR  holds certificates, etcd data, logs and the admin kubeconfig.
#              Given: created if missing and kept afterwards (a second start on
#              the same directory reuses its certificates and etcd data).
#              Omitted: a temporary directory, deleted again on exit.
#
# When the API server's /readyz is ok and the controller-manager is healthy, the
# script prints the path of the admin kubeconfig as its only line on stdout
# (logs go to stderr and to STATE_DIR/logs/*.log), then keeps running:
#
#   kubeconfig="$(e2e/control-plane/start.sh /tmp/cp | head -n1)"   # (in the background)
#   KUBECONFIG=/tmp/cp/kubeconfig kubectl get ns
#
# SIGINT (Ctrl-C) or SIGTERM stops everything it started: controller-manager,
# then API server, then etcd (SIGTERM by PID, SIGKILL after 20 s), and it exits.
# If one of the three dies on its own, the others are stopped too and the
# script exits non-zero. It kills no process it did not start. Do not SIGKILL the
# script itself: its children would be left behind.
#
# What is there: RBAC and Node authorization, the default admission plugins,
# service-account tokens (keys in STATE_DIR/pki), the aggregation-layer
# (front-proxy) certificates, every controller of kube-controller-manager (the
# StatefulSet controller creates pods and PVCs; with no kubelet and no scheduler
# they stay Pending until something binds and runs them). Service cluster IPs
# come from 10.0.0.0/24; the `kubernetes` Service has no endpoints
# (--endpoint-reconciler-type=none: the API server's address is loopback, which
# Endpoints and EndpointSlices reject).
#
# Environment
#   AION_K8S_BIN_DIR      directory with kube-apiserver, kube-controller-manager
#                         and etcd (default: the last line of build.sh's output,
#                         building on first use)
#   AION_APISERVER_PORT   API server port (default: a free random port)
#   AION_START_TIMEOUT    seconds to wait for readiness (default 120)
#
# Needs: openssl, kubectl, ss (iproute2) or bash's /dev/tcp to find free ports.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "start.sh: $*" >&2 || true; }   # never fail (stderr may be a closed pipe)
die() { log "ERROR: $*"; exit 1; }

# --- state directory ---------------------------------------------------------------
if [[ $# -ge 1 ]]; then
  state_dir="$1"
  mkdir -p "${state_dir}"
  state_dir="$(cd "${state_dir}" && pwd)"
  remove_state=0
else
  state_dir="$(mktemp -d "${TMPDIR:-/tmp}/aion-control-plane.XXXXXX")"
  remove_state=1
fi
pki="${state_dir}/pki"
logs="${state_dir}/logs"
mkdir -p "${pki}" "${logs}"
kubeconfig="${state_dir}/kubeconfig"

# --- process bookkeeping and shutdown ----------------------------------------------------
pids=()        # in start order: etcd, kube-apiserver, kube-controller-manager
names=()
stopping=0

# shellcheck disable=SC2317  # invoked from the EXIT trap
stop_all() {
  (( stopping )) && return 0
  stopping=1
  local i pid deadline
  # Reverse start order: the controller-manager and API server need etcd to shut down cleanly.
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    pid="${pids[i]}"
    kill -0 "${pid}" 2>/dev/null || continue
    log "stopping ${names[i]} (pid ${pid})"
    kill -TERM "${pid}" 2>/dev/null || true
    deadline=$(( SECONDS + 20 ))
    while kill -0 "${pid}" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    if kill -0 "${pid}" 2>/dev/null; then
      log "${names[i]} (pid ${pid}) did not stop in 20 s: SIGKILL"
      kill -KILL "${pid}" 2>/dev/null || true
    fi
    wait "${pid}" 2>/dev/null || true
  done
  if (( remove_state )); then rm -rf "${state_dir}"; fi
}
trap 'stop_all' EXIT
# Once stopping, further signals are ignored: a second SIGTERM (e.g. the parent-death signal, which Linux sends
# again for each thread of a dying JVM parent) must not cut stop_all short and leave children running.
trap 'log "signal received"; trap "" INT TERM HUP; exit 130' INT TERM HUP
trap '' PIPE   # a reader of our output going away (e.g. `| tee` on Ctrl-C) must not kill us before cleanup

# start NAME LOGFILE CMD... : run CMD in the background, remember its PID.
start() {
  local name="$1" logfile="$2"; shift 2
  "$@" >"${logfile}" 2>&1 </dev/null &
  pids+=("$!")
  names+=("${name}")
  log "started ${name} (pid $!), log: ${logfile}"
}

alive() {  # alive INDEX
  kill -0 "${pids[$1]}" 2>/dev/null || die "${names[$1]} exited during start-up; last lines of its log:
$(tail -n 20 "${logs}/${names[$1]}.log" 2>/dev/null)"
}

# --- free ports -----------------------------------------------------------------------------
# free_port VAR: set VAR to a random port below the kernel's ephemeral range
# that nothing listens on and that this script has not handed out yet.
taken_ports=" "
free_port() {
  local -n out="$1"   # nameref: the caller's variable
  local port _
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 12000 ))
    [[ "${taken_ports}" == *" ${port} "* ]] && continue
    if command -v ss >/dev/null 2>&1; then
      ss -Hltn "sport = :${port}" 2>/dev/null | grep -q . && continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      continue
    fi
    taken_ports+="${port} "
    # shellcheck disable=SC2034  # assigns through the nameref
    out="${port}"
    return 0
  done
  die "no free port found"
}

# --- binaries ------------------------------------------------------------------------------
if [[ -n "${AION_K8S_BIN_DIR:-}" ]]; then
  bin_dir="${AION_K8S_BIN_DIR}"
else
  bin_dir="$("${here}/build.sh" | tail -n1)"
fi
for b in etcd kube-apiserver kube-controller-manager; do
  [[ -x "${bin_dir}/${b}" ]] || die "${bin_dir}/${b} is missing (run e2e/control-plane/build.sh)"
done
command -v openssl >/dev/null || die "openssl not found"
command -v kubectl >/dev/null || die "kubectl not found"

# --- certificates and keys (created once per state directory) ------------------------------
# sign NAME SUBJECT EXTENSIONS CA: key + certificate signed by CA (ca or front-proxy-ca).
sign() {
  local name="$1" subj="$2" ext="$3" ca="$4"
  openssl req -new -newkey rsa:2048 -nodes -keyout "${pki}/${name}.key" \
    -out "${pki}/${name}.csr" -subj "${subj}" 2>/dev/null
  printf '%s\n' "${ext}" > "${pki}/${name}.ext"
  openssl x509 -req -in "${pki}/${name}.csr" -CA "${pki}/${ca}.crt" -CAkey "${pki}/${ca}.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "${pki}/${name}.ext" -out "${pki}/${name}.crt" 2>/dev/null
  rm -f "${pki}/${name}.csr" "${pki}/${name}.ext"
}
if [[ ! -f "${pki}/.complete" ]]; then
  log "creating certificates in ${pki}"
  rm -f "${pki}"/*
  for ca in ca front-proxy-ca; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 -subj "/CN=aion-local-${ca}" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -keyout "${pki}/${ca}.key" -out "${pki}/${ca}.crt" 2>/dev/null
  done
  client_ext=$'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth'
  sign apiserver "/CN=kube-apiserver" \
    $'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local' ca
  sign admin "/O=system:masters/CN=kubernetes-admin" "${client_ext}" ca
  sign controller-manager "/CN=system:kube-controller-manager" "${client_ext}" ca
  sign front-proxy-client "/CN=front-proxy-client" "${client_ext}" front-proxy-ca
  openssl genrsa -out "${pki}/sa.key" 2048 2>/dev/null
  openssl rsa -in "${pki}/sa.key" -pubout -out "${pki}/sa.pub" 2>/dev/null
  chmod 600 "${pki}"/*.key
  touch "${pki}/.complete"
fi

# etcd records its peer URL in its data directory: a restart on an existing
# STATE_DIR reuses the recorded peer port when nothing listens on it.
etcd_peer_port=""
if [[ -f "${state_dir}/etcd-peer-port" && -d "${state_dir}/etcd" ]]; then
  p="$(cat "${state_dir}/etcd-peer-port")"
  if [[ "${p}" =~ ^[0-9]+$ ]] && ! ss -Hltn "sport = :${p}" 2>/dev/null | grep -q .; then
    etcd_peer_port="${p}"
    taken_ports+="${p} "
  fi
fi
[[ -n "${etcd_peer_port}" ]] || free_port etcd_peer_port
echo "${etcd_peer_port}" > "${state_dir}/etcd-peer-port"
etcd_client_port="" kcm_port="" apiserver_port=""
free_port etcd_client_port
free_port kcm_port
if [[ -n "${AION_APISERVER_PORT:-}" ]]; then apiserver_port="${AION_APISERVER_PORT}"; else free_port apiserver_port; fi
timeout="${AION_START_TIMEOUT:-120}"

# write_kubeconfig FILE USER: a kubeconfig for the API server with USER's client certificate.
write_kubeconfig() {
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: aion-local
  cluster:
    server: https://127.0.0.1:${apiserver_port}
    certificate-authority: ${pki}/ca.crt
users:
- name: $2
  user:
    client-certificate: ${pki}/$2.crt
    client-key: ${pki}/$2.key
contexts:
- name: aion-local
  context:
    cluster: aion-local
    user: $2
current-context: aion-local
EOF
  chmod 600 "$1"
}
write_kubeconfig "${state_dir}/controller-manager.kubeconfig" controller-manager
write_kubeconfig "${kubeconfig}.tmp" admin   # renamed to kubeconfig once ready

# --- etcd ------------------------------------------------------------------------------------
# Single member on loopback.
start etcd "${logs}/etcd.log" "${bin_dir}/etcd" \
  --name aion-local \
  --data-dir "${state_dir}/etcd" \
  --listen-client-urls "http://127.0.0.1:${etcd_client_port}" \
  --advertise-client-urls "http://127.0.0.1:${etcd_client_port}" \
  --listen-peer-urls "http://127.0.0.1:${etcd_peer_port}" \
  --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer_port}" \
  --initial-cluster "aion-local=http://127.0.0.1:${etcd_peer_port}" \
  --logger zap --log-outputs stderr

deadline=$(( SECONDS + timeout ))
until curl -fsS "http://127.0.0.1:${etcd_client_port}/health" 2>/dev/null | grep -q '"health":"true"'; do
  alive 0
  (( SECONDS < deadline )) || die "etcd not healthy after ${timeout} s (see ${logs}/etcd.log)"
  sleep 0.2
done
log "etcd healthy on 127.0.0.1:${etcd_client_port}"

# --- kube-apiserver ---------------------------------------------------------------------------
# --kubelet-preferred-address-types InternalIP: pods/log (kubectl logs) reaches the process kubelet's log endpoint
# on the node's InternalIP 127.0.0.1; its Hostname address resolves nowhere.
start kube-apiserver "${logs}/kube-apiserver.log" "${bin_dir}/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:${etcd_client_port}" \
  --bind-address 127.0.0.1 \
  --advertise-address 127.0.0.1 \
  --secure-port "${apiserver_port}" \
  --tls-cert-file "${pki}/apiserver.crt" \
  --tls-private-key-file "${pki}/apiserver.key" \
  --client-ca-file "${pki}/ca.crt" \
  --authorization-mode Node,RBAC \
  --kubelet-preferred-address-types InternalIP \
  --allow-privileged=true \
  --service-cluster-ip-range 10.0.0.0/24 \
  --endpoint-reconciler-type none \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "${pki}/sa.pub" \
  --service-account-signing-key-file "${pki}/sa.key" \
  --requestheader-client-ca-file "${pki}/front-proxy-ca.crt" \
  --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User \
  --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "${pki}/front-proxy-client.crt" \
  --proxy-client-key-file "${pki}/front-proxy-client.key"

until kubectl --kubeconfig "${kubeconfig}.tmp" get --raw /readyz >/dev/null 2>&1; do
  alive 1
  (( SECONDS < deadline )) || die "kube-apiserver not ready after ${timeout} s (see ${logs}/kube-apiserver.log)"
  sleep 0.5
done
log "kube-apiserver ready on https://127.0.0.1:${apiserver_port}"

# --- kube-controller-manager --------------------------------------------------------------------
start kube-controller-manager "${logs}/kube-controller-manager.log" "${bin_dir}/kube-controller-manager" \
  --kubeconfig "${state_dir}/controller-manager.kubeconfig" \
  --authentication-kubeconfig "${state_dir}/controller-manager.kubeconfig" \
  --authorization-kubeconfig "${state_dir}/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 \
  --secure-port "${kcm_port}" \
  --leader-elect=false \
  --controllers '*' \
  --use-service-account-credentials=true \
  --service-account-private-key-file "${pki}/sa.key" \
  --root-ca-file "${pki}/ca.crt" \
  --cluster-signing-cert-file "${pki}/ca.crt" \
  --cluster-signing-key-file "${pki}/ca.key"

until curl -fsSk "https://127.0.0.1:${kcm_port}/healthz" 2>/dev/null | grep -qx ok; do
  alive 2
  (( SECONDS < deadline )) || die "kube-controller-manager not healthy after ${timeout} s (see ${logs}/kube-controller-manager.log)"
  sleep 0.5
done
log "kube-controller-manager healthy"

mv "${kubeconfig}.tmp" "${kubeconfig}"
log "control plane ready after ${SECONDS} s; stop with Ctrl-C or SIGTERM to pid $$"
echo "${kubeconfig}"

# --- run until a signal arrives or one of the processes exits -------------------------------------
set +e
wait -n "${pids[@]}"
rc=$?
set -e
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[i]}" 2>/dev/null; then
    log "${names[i]} (pid ${pids[i]}) exited (status ${rc}); stopping the rest. Last lines of its log:"
    tail -n 20 "${logs}/${names[i]}.log" >&2 || true
  fi
done
exit 1
