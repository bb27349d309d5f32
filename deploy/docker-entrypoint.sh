#!/bin/sh
# Container entry point: runs a calcgrid command ("node" unless told otherwise) as PID 1, so that
# SIGTERM reaches the JVM and the node leaves the cluster cleanly (CoordinatedShutdown).
set -eu

# Remoting, HTTP and management bind to CALCGRID_HOST and other nodes dial it: inside a
# container the default 127.0.0.1 is unreachable, so default to the container's own address.
if [ -z "${CALCGRID_HOST:-}" ]; then
  CALCGRID_HOST=$(hostname -i | awk '{print $1}')
  export CALCGRID_HOST
fi

# Container defaults first; CALCGRID_JAVA_OPTS may override any of them (the last flag wins).
# Word splitting of CALCGRID_JAVA_OPTS is intended: it holds several flags.
# shellcheck disable=SC2086
exec java -XX:MaxRAMPercentage=70 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
  ${CALCGRID_JAVA_OPTS:-} \
  -cp 'calcgrid.jar:lib/*:plugins/*' com.calcgrid.Main "$@"
