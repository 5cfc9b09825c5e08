#!/usr/bin/env bash
# package.sh [OUT_DIR] — the kubectl plugin as krew distributes plugins: an archive with the executable
# kubectl-aion at its root (and lib/ with the jars it runs), and a krew manifest (aion.yaml) naming the archive
# with its sha256. Needs the module built first (./mvnw -pl kubectl-aion -am package).
#   OUT_DIR           default kubectl-aion/target/krew
#   AION_RELEASE_URL  where the archive will be downloaded from (default file://OUT_DIR, for
#                     `kubectl krew install --manifest=OUT_DIR/aion.yaml --archive=OUT_DIR/kubectl-aion-VERSION.tar.gz`)
# Prints the archive's path as its last line.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(mkdir -p "${1:-$HERE/target/krew}" && cd "${1:-$HERE/target/krew}" && pwd)
JAR="$HERE/target/aion-kubectl.jar"
[ -f "$JAR" ] && [ -d "$HERE/target/lib" ] || { echo "error: $JAR is missing: build it first (./mvnw -pl kubectl-aion -am package -DskipTests)" >&2; exit 1; }
VERSION=$(unzip -p "$JAR" kubectl-aion-version.properties | sed -n 's/^version=//p')
[ -n "$VERSION" ] || { echo "error: no version in $JAR" >&2; exit 1; }
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/lib"
install -m 0755 "$HERE/src/main/dist/kubectl-aion" "$STAGE/kubectl-aion"
cp "$JAR" "$HERE"/target/lib/*.jar "$STAGE/lib/"
ARCHIVE="$OUT/kubectl-aion-$VERSION.tar.gz"
# reproducible: fixed owner, order and times
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-01-01 00:00Z' -C "$STAGE" -czf "$ARCHIVE" .
SHA=$(sha256sum "$ARCHIVE" | cut -d' ' -f1)
URL="${AION_RELEASE_URL:-file://$OUT}/kubectl-aion-$VERSION.tar.gz"
cat > "$OUT/aion.yaml" <<YAML
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: aion
spec:
  version: v${VERSION%-SNAPSHOT}
  shortDescription: Operate Aion DB clusters (status, switchover, restart, backup, logs)
  description: |
    kubectl aion status shows an AionCluster's members, roles, replication lag, versions, rollout progress,
    TLS certificate expiry and last backup; switchover moves the leadership, restart restarts members safely,
    backup takes a backup now and logs prints every member's log. Needs a Java 21+ runtime.
  caveats: |
    Needs a Java 21+ runtime (JAVA_HOME, java on PATH, or KUBECTL_AION_JAVA).
    The members' API is reached through the API server's pods/proxy: your user needs get on pods/proxy.
  platforms:
  - selector:
      matchExpressions:
      - {key: os, operator: In, values: [linux, darwin]}
    uri: $URL
    sha256: $SHA
    files:
    - {from: "*", to: "."}
    bin: kubectl-aion
YAML
echo "$ARCHIVE"
