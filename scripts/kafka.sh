#!/usr/bin/env bash
# Real Apache Kafka for tests and CI: scripts/kafka.sh start|stop|status|reset
#
# A single KRaft node (broker + controller) running the version pinned in deploy/kafka/pom.xml,
# jars fetched once from Maven Central into var/kafka/libs. Everything lives under var/kafka:
# libs/, data/ (log.dirs), logs/ (server.log, controller.log, stdout.log), server.properties,
# kafka.pid.
#
# The broker's data (topics, messages, consumer group offsets) survives stop and start, as a
# broker's should: wiping it behind a consumer's back makes offsets restart at 0 under the same
# topic names. `reset` stops the broker and deletes its data, and is the only command that does;
# `make test` resets before it starts, so CI always begins with an empty broker.
#
# Environment:
#   KAFKA_PORT             client listener on 127.0.0.1 (default 19092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener (default 19093)
#   KAFKA_DIR              state directory (default var/kafka, relative to the repo root)
#   KAFKA_HEAP             JVM max heap (default 768m)
#   KAFKA_START_TIMEOUT    seconds start waits for the broker (default 120)
#
# Pitfalls found with Kafka 4.1:
# - The Maven artifacts do not include a logging binding: without log4j-slf4j-impl (added in the
#   pom) Kafka prints "SLF4J: ... NOP logger" and logs nothing at all. Logging is configured by
#   deploy/kafka/log4j2.xml (XML, so that no YAML module is needed).
# - Storage must be formatted once before the first start (kafka.tools.StorageTool, Scala class in
#   kafka_2.13). With the static controller.quorum.voters used here, neither --standalone nor
#   --initial-controllers is needed (those are for dynamic quorums, controller.quorum.bootstrap.servers).
# - The cluster id must be a base64url-encoded 16-byte UUID (22 chars). StorageTool accepts
#   other strings without complaint, but the broker may later reject them; ours is fixed.
# - Defaults assume 3 brokers for internal topics (offsets, transactions, share groups): each
#   replication factor / min ISR is set to 1, or the first consumer group never coordinates.
# - __consumer_offsets defaults to 50 partitions; 4 make the first group join much faster.
# - A plain port check is not enough: the port opens before the broker has finished joining the
#   controller; we also wait for "Kafka Server started" in the log written by this start.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

port=${KAFKA_PORT:-19092}
cport=${KAFKA_CONTROLLER_PORT:-19093}
dir=${KAFKA_DIR:-var/kafka}
[[ $dir = /* ]] || dir=$root/$dir
heap=${KAFKA_HEAP:-768m}
timeout=${KAFKA_START_TIMEOUT:-120}
pom=$root/deploy/kafka/pom.xml
log4j=$root/deploy/kafka/log4j2.xml
pidfile=$dir/kafka.pid
# base64url of the 16 bytes "HotlineTestClust": a valid, fixed KRaft cluster id.
cluster_id=SG90bGluZVRlc3RDbHVzdA

log() { echo "kafka: $*" >&2; }

# pid prints the broker's pid if the pid file names a live Kafka process.
pid() {
	local p
	[[ -f $pidfile ]] || return 1
	p=$(<"$pidfile")
	[[ $p =~ ^[0-9]+$ ]] || return 1
	kill -0 "$p" 2>/dev/null || return 1
	# After a reboot the number may belong to another process.
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
	grep -q '^State:.*zombie' "/proc/$p/status" 2>/dev/null && return 1
	echo "$p"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

fetch_libs() {
	local stamp want
	want=$(sha256sum "$pom" | cut -d' ' -f1)
	stamp=$dir/libs/.pom.sha256
	if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
		return 0
	fi
	log "fetching jars for $(grep -o '<kafka.version>[^<]*' "$pom" | cut -d'>' -f2) from Maven Central"
	rm -rf "$dir/libs.tmp"
	# Maven 3.8 prints stray colour resets even with -q -B: show its output only on failure.
	local out
	if ! out=$(mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dir/libs.tmp" 2>&1); then
		echo "$out" >&2
		log "mvn failed; Maven Central must be reachable (or the jars in ~/.m2)"
		return 1
	fi
	echo "$want" >"$dir/libs.tmp/.pom.sha256"
	rm -rf "$dir/libs"
	mv "$dir/libs.tmp" "$dir/libs"
}

write_properties() {
	cat >"$dir/server.properties.tmp" <<PROPS
# Written by scripts/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=4
num.network.threads=2
num.io.threads=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
PROPS
	mv "$dir/server.properties.tmp" "$dir/server.properties"
}

# JVM flags shared by StorageTool and the broker. -Xms small: this shares 2 cores and a few GB
# with ClickHouse and the tests.
jvm=(-Xms256m "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
	-Djava.awt.headless=true "-Dkafka.logs.dir=$dir/logs" "-Dlog4j2.configurationFile=$log4j"
	-cp "$dir/libs/*")

# wait_ready waits for the port and for the start line written after byte offset $2 of the log.
wait_ready() {
	local p=$1 offset=$2 deadline=$((SECONDS + timeout))
	while ((SECONDS < deadline)); do
		if ! kill -0 "$p" 2>/dev/null; then
			log "broker pid $p exited during startup; tail of $dir/logs:"
			tail -n 30 "$dir/logs/server.log" "$dir/logs/stdout.log" >&2 2>/dev/null || true
			return 1
		fi
		if port_open && tail -c +"$((offset + 1))" "$dir/logs/server.log" 2>/dev/null |
			grep -q -e 'Kafka Server started' -e 'started (kafka.server.BrokerServer)'; then
			return 0
		fi
		sleep 0.2
	done
	log "broker pid $p not ready after ${timeout}s; tail of $dir/logs/server.log:"
	tail -n 30 "$dir/logs/server.log" >&2 2>/dev/null || true
	return 1
}

start() {
	mkdir -p "$dir/logs" "$dir/data"
	# Serialise concurrent starts (parallel test binaries, make + go test).
	exec 9>"$dir/start.lock"
	flock 9
	local p
	if p=$(pid); then
		if port_open; then
			echo "kafka already running on 127.0.0.1:$port (pid $p)"
			return 0
		fi
		log "pid $p is starting, waiting for it"
		wait_ready "$p" 0
		echo "kafka ready on 127.0.0.1:$port (pid $p)"
		return 0
	fi
	if port_open; then
		log "127.0.0.1:$port is taken by a process that is not ours; using it"
		return 0
	fi
	"$root/scripts/deps.sh" kafka
	local t0=$SECONDS
	fetch_libs
	write_properties
	if [[ ! -f $dir/data/meta.properties ]]; then
		log "formatting storage in $dir/data (cluster id $cluster_id)"
		java "${jvm[@]}" kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" \
			-c "$dir/server.properties" >>"$dir/logs/stdout.log" 2>&1 ||
			{ tail -n 20 "$dir/logs/stdout.log" >&2; return 1; }
	fi
	local offset=0
	[[ -f $dir/logs/server.log ]] && offset=$(stat -c %s "$dir/logs/server.log")
	# setsid: own session, so Ctrl-C or the end of make/go test does not reach the broker.
	# Run in the background of a non-interactive shell, setsid execs without forking: $! is java.
	# 9>&-: the broker must not inherit the start lock, or every later start waits forever.
	setsid nohup java "${jvm[@]}" kafka.Kafka "$dir/server.properties" \
		</dev/null >>"$dir/logs/stdout.log" 2>&1 9>&- &
	p=$!
	echo "$p" >"$pidfile"
	if ! wait_ready "$p" "$offset"; then
		kill -TERM "$p" 2>/dev/null || true
		return 1
	fi
	echo "kafka ready on 127.0.0.1:$port (pid $p, $((SECONDS - t0))s)"
}

stop() {
	local p
	if ! p=$(pid); then
		rm -f "$pidfile"
		echo "kafka stopped"
		return 0
	fi
	kill -TERM "$p"
	# A controlled shutdown of a single node takes a few seconds.
	for _ in $(seq 1 600); do
		kill -0 "$p" 2>/dev/null || break
		grep -q '^State:.*zombie' "/proc/$p/status" 2>/dev/null && break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null && ! grep -q '^State:.*zombie' "/proc/$p/status" 2>/dev/null; then
		log "pid $p did not stop after SIGTERM in 60s, killing"
		kill -KILL "$p" 2>/dev/null || true
	fi
	rm -f "$pidfile"
	echo "kafka stopped"
}

# reset stops the broker and deletes its data (topics, messages, group offsets); the jars and
# logs stay. Tests leave their topics behind, and thousands of leftover partitions make a start
# take minutes: reset now and then, or let `make test` do it.
reset() {
	stop >/dev/null
	mkdir -p "$dir"
	exec 9>"$dir/start.lock"
	flock 9
	rm -rf "$dir/data"
	echo "kafka data deleted ($dir/data); the next start formats empty storage"
}

status() {
	local p
	if p=$(pid) && port_open; then
		echo "kafka ready on 127.0.0.1:$port (pid $p)"
		return 0
	fi
	if p=$(pid); then
		echo "kafka pid $p is running but 127.0.0.1:$port does not answer"
		return 1
	fi
	echo "kafka is not running on 127.0.0.1:$port"
	return 1
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
reset) reset ;;
*)
	echo "usage: $0 start|stop|status|reset   (env: KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_DIR, KAFKA_HEAP)" >&2
	exit 2
	;;
esac
