# Sourced by the scripts in bin/: find a JDK 21+ and export JAVA_HOME, or stop with a clear message.
# Order: $AION_JAVA_HOME, $JAVA_HOME, `java` on PATH, then every JDK under /usr/lib/jvm and /opt (newest first).
aion_java_major() { # $1 = a java executable; prints its feature version (17, 21, 25, ...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1 | cut -d. -f1
}
aion_find_jdk() {
  local candidates=() c
  [ -n "${AION_JAVA_HOME:-}" ] && candidates+=("$AION_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/*/ /opt/*jdk*/ /opt/java/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ]; then
      local v; v=$(aion_java_major "$c/bin/java")
      if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then echo "$c"; return 0; fi
    fi
  done
  return 1
}
if ! AION_JDK=$(aion_find_jdk); then
  echo "error: Aion DB needs a JDK 21 or newer and none was found." >&2
  echo "       Looked at \$AION_JAVA_HOME, \$JAVA_HOME, java on PATH, /usr/lib/jvm/* and /opt." >&2
  echo "       Install one (e.g. apt-get install openjdk-21-jdk-headless) or set AION_JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME="$AION_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
