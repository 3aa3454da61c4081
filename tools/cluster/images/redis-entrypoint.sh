#!/bin/sh
# As the official image: flags alone (or a .conf first) run redis-server.
case "$1" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
exec "$@"
