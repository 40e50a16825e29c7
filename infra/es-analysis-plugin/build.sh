#!/usr/bin/env bash
# Builds the nashra-analysis stable plugin directory for one Elasticsearch distribution.
# Usage: build.sh ES_HOME OUT_DIR
# OUT_DIR receives the jar, stable-plugin-descriptor.properties and named_components.json, i.e.
# exactly what ES_HOME/plugins/<name>/ must contain. Only the JDK (javac, jar) is needed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 ES_HOME OUT_DIR" >&2
  exit 2
fi
es_home=$(cd "$1" && pwd)
out_dir=$2
here=$(cd "$(dirname "$0")" && pwd)
src_dir="$here/src/main/java"

for tool in javac jar; do
  command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install openjdk-17-jdk-headless" >&2; exit 3; }
done

# The descriptor must name the exact server version, so read it off the server jar rather than
# hard-coding it here.
server_jar=$(find "$es_home/lib" -maxdepth 1 -name 'elasticsearch-[0-9]*.jar' | head -n 1)
[[ -n "$server_jar" ]] || { echo "no elasticsearch-<version>.jar in $es_home/lib" >&2; exit 3; }
es_version=$(basename "$server_jar" .jar)
es_version=${es_version#elasticsearch-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -t sources < <(find "$src_dir" -name '*.java' | sort)
javac --release 17 -nowarn -encoding UTF-8 -cp "$es_home/lib/*" -d "$work/classes" "${sources[@]}"

mkdir -p "$work/plugin"
jar --create --file "$work/plugin/nashra-analysis.jar" -C "$work/classes" .

cat > "$work/plugin/stable-plugin-descriptor.properties" <<PROPS
name=nashra-analysis
description=Arabic, French and English analysis components under analysis-common's names, for the minimal test distribution
version=$es_version
java.version=17
elasticsearch.version=$es_version
PROPS

# Elasticsearch reads named_components.json instead of scanning the jar, so it is derived from the
# sources (one public component class per file) to keep the two from drifting apart.
awk '
  FNR == 1 { pkg = ""; comp = ""; iface = "" }
  /^package / { pkg = $2; sub(/;$/, "", pkg) }
  /@NamedComponent\("/ { comp = $0; sub(/.*@NamedComponent\("/, "", comp); sub(/".*/, "", comp) }
  /^public class .* implements (AnalyzerFactory|TokenFilterFactory|TokenizerFactory|CharFilterFactory)/ {
    cls = $3
    for (i = 1; i <= NF; i++) if ($i == "implements") { iface = $(i + 1); sub(/[ {,].*/, "", iface) }
    if (comp == "") { print "missing @NamedComponent in " FILENAME > "/dev/stderr"; exit 1 }
    entries[iface] = entries[iface] (entries[iface] == "" ? "" : ",\n") "    \"" comp "\": \"" pkg "." cls "\""
  }
  END {
    n = 0
    printf "{\n"
    for (k in entries) {
      printf "%s  \"org.elasticsearch.plugin.analysis.%s\": {\n%s\n  }", (n++ ? ",\n" : ""), k, entries[k]
    }
    printf "\n}\n"
  }
' "${sources[@]}" > "$work/plugin/named_components.json"

rm -rf "$out_dir"
mkdir -p "$(dirname "$out_dir")"
cp -r "$work/plugin" "$out_dir"
chmod -R a+rX "$out_dir"
echo "built nashra-analysis for Elasticsearch $es_version in $out_dir"
