#!/usr/bin/env bash
# Builds images/target/base-image.tar: a jlink'ed JRE (from the JDK 21+ bin/jdk.sh finds; JDK 24+ links without
# jmods) plus the shared libraries it and RocksDB need, on scratch. For machines that cannot pull a base image:
#   images/build-base-image.sh
#   ./mvnw -B -ntp -pl operator -Pimage package -DskipTests -Daion.jib.from=tar://$PWD/images/target/base-image.tar
#   ./mvnw -B -ntp -f images/pom.xml -Pengine-image package -Daion.jib.from=tar://$PWD/images/target/base-image.tar
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../bin/jdk.sh"
ROOTFS="$HERE/target/base-rootfs"
rm -rf "$ROOTFS"
mkdir -p "$ROOTFS/opt" "$ROOTFS/tmp" "$ROOTFS/etc" "$ROOTFS/var/lib/aion" "$ROOTFS/lib64"

# Modules used by the engine (Vert.x, RocksDB, Ratis) and the operator (Quarkus, fabric8), with some room.
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs,jdk.crypto.cryptoki
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --output "$ROOTFS/opt/java"

# Shared libraries (headless: not the X11/sound ones): whatever the JRE's binaries and libraries link, plus the C++ runtime RocksDB's JNI library needs.
copy_lib() { # copies a library to the same path in the rootfs, following symlinks
  local src=$1
  mkdir -p "$ROOTFS$(dirname "$src")"
  cp -L "$src" "$ROOTFS$src"
}
libs=$( { find "$ROOTFS/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
  ! -name 'libawt_xawt.so' ! -name 'libsplashscreen.so' ! -name 'libjsound.so' -exec ldd {} \; 2>/dev/null || true; } \
  | awk '/=> \// {print $3} /^\t\/lib64/ {print $1}' | grep -Ev '/lib(X[A-Za-z0-9]*|xcb|asound|bsd|md)\.so' | sort -u)
for lib in $libs $(ldconfig -p | awk '/libstdc\+\+\.so\.6 |libgcc_s\.so\.1 / && /x86-64/ {print $NF}' | sort -u); do
  copy_lib "$lib"
done
for loader in /lib64/ld-linux-x86-64.so.2; do
  [ -e "$loader" ] && cp -L "$loader" "$ROOTFS$loader"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\naion:x:1000:1000:aion:/var/lib/aion:/sbin/nologin\n' > "$ROOTFS/etc/passwd"
printf 'root:x:0:\naion:x:1000:\n' > "$ROOTFS/etc/group"
printf 'hosts: files dns\n' > "$ROOTFS/etc/nsswitch.conf"

cd "$HERE/.."
./mvnw -B -ntp -f images/pom.xml -Pbase-image package
echo "Base image: $HERE/target/base-image.tar (use -Daion.jib.from=tar://$HERE/target/base-image.tar)"
