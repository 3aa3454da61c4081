#!/bin/sh
# Starts one Redis of the StatefulSet. It follows the master the Sentinels
# report; when none knows one (first install), redis-0 is the master and the
# others replicate it. Flags in "$@" (durability) come from the container args.
set -u
self="$(hostname).redis"
master=""
for i in 0 1 2; do
  master=$(timeout 3 redis-cli -h "redis-sentinel-$i.redis-sentinel" -p 26379 --raw sentinel get-master-addr-by-name podid 2>/dev/null | head -n 1)
  [ -n "$master" ] && break
done
[ -n "$master" ] || master="redis-0.redis"
if [ "$master" = "$self" ]; then
  exec redis-server "$@" --replica-announce-ip "$self"
fi
exec redis-server "$@" --replica-announce-ip "$self" --replicaof "$master" 6379
