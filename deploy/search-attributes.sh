#!/bin/sh
# Registers the project's search attributes once (idempotent: "already exists" is fine).
set -u
for name in SessionId UserId Intent Realm IntentStatus; do
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" \
    --namespace "$TEMPORAL_NAMESPACE" --name "$name" --type Keyword 2>&1 | grep -v "already" || true
done
temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE"
