# Sourced by ./herald and ./run-tests: finds a JDK 21+ and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME, `java` on PATH, then every JDK under /usr/lib/jvm (newest first).
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

herald_find_jdk() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(readlink -f "$(command -v java)")")
  for dir in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${dir%/}/bin/java"); done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || continue
    local major
    major=$(java_major "$candidate") || major="" # one that fails to run is passed over, not the end of the search
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      JAVA="$candidate"
      JAVA_HOME="$(dirname "$(dirname "$candidate")")"
      export JAVA JAVA_HOME
      return 0
    fi
  done
  echo "herald: no JDK 21 or newer found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm/*)." >&2
  echo "herald: install one (Debian 13, Ubuntu 24.04: 'apt-get install openjdk-21-jdk-headless'; Debian 12 packages only 17: a Temurin 21+ JDK from https://adoptium.net), or set JAVA_HOME." >&2
  return 1
}

herald_require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "herald: Maven is needed to build Herald: 'apt-get install maven'." >&2
    return 1
  fi
}
