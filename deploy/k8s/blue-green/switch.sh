#!/bin/sh
# Flips the waymark Service to the given colour once that colour's Deployment is fully rolled out
# and Available (every pod passed /health/ready: maps copied, verified and self-tested).
#   deploy/k8s/blue-green/switch.sh green      # go live on green
#   deploy/k8s/blue-green/switch.sh blue       # roll back
set -eu
to="${1:?usage: switch.sh blue|green}"
case "$to" in blue|green) ;; *) echo "colour must be blue or green" >&2; exit 2 ;; esac
ns="${NAMESPACE:+--namespace $NAMESPACE}"
kubectl $ns rollout status "deployment/waymark-$to" --timeout=15m
kubectl $ns wait --for=condition=Available "deployment/waymark-$to" --timeout=15m
kubectl $ns patch service waymark --type merge \
  -p "{\"spec\":{\"selector\":{\"app.kubernetes.io/name\":\"waymark\",\"app.kubernetes.io/component\":\"serve\",\"waymark.dev/slot\":\"$to\"}}}"
echo "waymark now serves from waymark-$to"
