#!/usr/bin/env bash
# Runs an image tarball built here without a container runtime: unpacks its layers into a directory and starts its
# entry point with chroot (needs root). Checks that the image is complete (JRE, shared libraries, application).
#   images/smoke-test-image.sh engine   images/target/aion-server-image.tar   -> GET /health answers
#   images/smoke-test-image.sh operator operator/target/jib-image.tar        -> the operator starts
set -euo pipefail
KIND=$1
TAR=$(realpath "$2")
WORK=$(mktemp -d)
ROOT="$WORK/rootfs"
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  umount "$ROOT/proc" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$ROOT"
tar -xf "$TAR" -C "$WORK"
for layer in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))[0]['Layers']))" "$WORK/manifest.json"); do
  tar --warning=no-unknown-keyword -xzf "$WORK/$layer" -C "$ROOT"
done
CONFIG=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0]['Config'])" "$WORK/manifest.json")
ENTRY=$(python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['config']; print(' '.join((c.get('Entrypoint') or []) + (c.get('Cmd') or [])))" "$WORK/$CONFIG")
USER_SPEC=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['config'].get('User') or '0:0')" "$WORK/$CONFIG")
mkdir -p "$ROOT/dev" "$ROOT/proc" "$ROOT/tmp" "$ROOT/etc"
cp /etc/resolv.conf /etc/hosts "$ROOT/etc/" 2>/dev/null || true
mount -t proc proc "$ROOT/proc" # as a container runtime would; the JRE finds its libraries through /proc/self/exe
echo "entry point: $ENTRY (user $USER_SPEC)"
# The image has no shell or env: the host's env sets the variables, chroot starts the JRE of the image.
ENTRY="/opt/java/bin/java ${ENTRY#java }"
RUN=(env -i PATH=/opt/java/bin:/usr/sbin:/usr/bin:/sbin:/bin JAVA_HOME=/opt/java)
case "$KIND" in
  engine)
    PORT=17970
    mkdir -p "$ROOT/etc/aion" "$ROOT/var/lib/aion"
    printf 'http.host=127.0.0.1\nhttp.port=%s\ndata.dir=/var/lib/aion/data\n' "$PORT" > "$ROOT/etc/aion/aion.properties"
    chown -R "$USER_SPEC" "$ROOT/var/lib/aion"
    "${RUN[@]}" chroot --userspec="$USER_SPEC" "$ROOT" $ENTRY > "$WORK/out.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 60); do
      if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then echo "engine image OK: /health answers"; exit 0; fi
      sleep 1
    done
    ;;
  operator)
    "${RUN[@]}" QUARKUS_HTTP_PORT=18980 QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=http://127.0.0.1:1 \
      chroot --userspec="$USER_SPEC" "$ROOT" $ENTRY > "$WORK/out.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 60); do
      if grep -q "Starting operator" "$WORK/out.log"; then echo "operator image OK: the operator starts"; exit 0; fi
      sleep 1
    done
    ;;
  *) echo "usage: $0 engine|operator IMAGE.tar" >&2; exit 2 ;;
esac
echo "image did not come up; its output:" >&2
cat "$WORK/out.log" >&2
exit 1
