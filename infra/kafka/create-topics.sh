#!/bin/sh
# One-shot topic creation for infra/docker-compose.yml (and a reference for an existing cluster).
# Every input topic gets the SAME partition count: the engine co-partitions them by userId (one user,
# one lane, DESIGN.md decision 1) and refuses to start when counts differ.
set -eu
BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
PREFIX="${TOPIC_PREFIX:-}"
PARTITIONS="${PARTITIONS:-6}"
REPLICATION="${REPLICATION:-1}"
KT=/opt/kafka/bin/kafka-topics.sh

create() {
  "$KT" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$PREFIX$1" \
    --partitions "$2" --replication-factor "$REPLICATION" ${3:+--config "$3"}
}

for t in events.web events.mobile events.email events.paid profiles consent; do create "$t" "$PARTITIONS"; done
for t in activations.web activations.mobile activations.email activations.paid decisions events.dlq; do
  create "$t" "$PARTITIONS"
done
# Trigger definitions: compacted, keyed by trigger id; one partition keeps deploys in order.
create trigger-definitions 1 cleanup.policy=compact
"$KT" --bootstrap-server "$BOOTSTRAP" --list
