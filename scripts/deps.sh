#!/usr/bin/env bash
# Installs what the real servers need, from Debian, only when missing:
#   clickhouse -> clickhouse-server clickhouse-client (ClickHouse 18.16 on bookworm)
#   kafka      -> openjdk-17-jre-headless maven (the broker jars come from Maven Central)
#   qa         -> asterisk-core-sounds-en-wav (real speech for the audio analysis accuracy test)
#   web        -> chromium, fonts-wqy-microhei, nodejs, npm (the web workspace's browser tests and
#                 asset build; `make run` needs none of them: the built assets are checked in)
# Usage: scripts/deps.sh [clickhouse|kafka|qa|web|all]   (default all)
#
# Pitfalls:
# - Debian puts clickhouse-server in /usr/sbin, which is not on a non-root PATH: check the path too.
# - The package's postinst starts the system service on ports 9000/8123 where systemd runs; we
#   never use it (our server uses its own config and ports 19000/18123), so it is harmless.
# - `apt-get update` runs once, and only when something is missing: it is the slow part.
set -euo pipefail

want=${1:-all}
missing=()

have_clickhouse() {
	command -v clickhouse-server >/dev/null 2>&1 || [[ -x /usr/sbin/clickhouse-server ]] ||
		command -v clickhouse >/dev/null 2>&1
}

if [[ $want == all || $want == clickhouse ]]; then
	have_clickhouse || missing+=(clickhouse-server)
	command -v clickhouse-client >/dev/null 2>&1 || [[ -x /usr/bin/clickhouse-client ]] ||
		command -v clickhouse >/dev/null 2>&1 || missing+=(clickhouse-client)
fi
if [[ $want == all || $want == kafka ]]; then
	# Kafka 4.x needs Java 17 for the broker.
	if ! command -v java >/dev/null 2>&1 || ! java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
		missing+=(openjdk-17-jre-headless)
	fi
	command -v mvn >/dev/null 2>&1 || missing+=(maven)
fi
if [[ $want == all || $want == qa ]]; then
	# qa's analysis accuracy test reads real recorded speech: 8 kHz mono 16-bit PCM prompts.
	[[ -f /usr/share/asterisk/sounds/en_US_f_Allison/transfer.wav ]] || missing+=(asterisk-core-sounds-en-wav)
fi

if [[ $want == all || $want == web ]]; then
	command -v chromium >/dev/null 2>&1 || missing+=(chromium)
	# A CJK font, so Chinese renders in the headless browser's screenshots (not boxes).
	[[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]] || missing+=(fonts-wqy-microhei)
	# Node 18 or newer (bookworm has 18) for esbuild, TypeScript and playwright-core.
	if ! command -v node >/dev/null 2>&1 || ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)'; then
		missing+=(nodejs)
	fi
	command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if ((${#missing[@]} == 0)); then
	exit 0
fi

# sudo drops the environment: pass DEBIAN_FRONTEND through env so debconf never prompts.
sudo=()
if [[ $(id -u) != 0 ]]; then
	sudo=(sudo)
fi
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
echo "deps: installing ${missing[*]}" >&2
"${apt[@]}" update
"${apt[@]}" install --no-install-recommends "${missing[@]}"
