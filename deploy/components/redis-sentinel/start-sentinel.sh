#!/bin/sh
# Starts one Sentinel. Sentinel rewrites its config file, so it is written
# into the pod's writable volume. It monitors the master another Sentinel
# reports, or redis-0 on first install.
set -u
self="$(hostname).redis-sentinel"
master=""
for i in 0 1 2; do
  [ "redis-sentinel-$i.redis-sentinel" = "$self" ] && continue
  master=$(timeout 3 redis-cli -h "redis-sentinel-$i.redis-sentinel" -p 26379 --raw sentinel get-master-addr-by-name podid 2>/dev/null | head -n 1)
  [ -n "$master" ] && break
done
[ -n "$master" ] || master="redis-0.redis"
cat > /sentinel/sentinel.conf <<CONF
port 26379
dir /sentinel
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $self
sentinel monitor podid $master 6379 2
sentinel down-after-milliseconds podid 5000
sentinel failover-timeout podid 60000
sentinel parallel-syncs podid 1
CONF
exec redis-server /sentinel/sentinel.conf --sentinel
