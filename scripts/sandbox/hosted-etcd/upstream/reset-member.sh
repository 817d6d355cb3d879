#!/bin/bash

set -eu

# This script checks whether the data directory of this etcd member is empty.
# If it is, and there is a functional etcd cluster, then it ensures that a member
# corresponding to this pod does not exist in the cluster so it can be added
# as a new member.

# Setup the etcdctl environment
export ETCDCTL_API=3
export ETCDCTL_CACERT=/etc/etcd/tls/etcd-ca/ca.crt
export ETCDCTL_CERT=/etc/etcd/tls/server/server.crt
export ETCDCTL_KEY=/etc/etcd/tls/server/server.key
export ETCDCTL_ENDPOINTS=https://etcd-client:2379

echo "new" > /etc/etcd/clusterstate/state

if [[ ! -f /var/lib/data/member/snap/db ]]; then
  echo "No existing etcd data found"
  echo "Checking if cluster is functional"
  if etcdctl member list; then
    echo "Cluster is functional"
    MEMBER_ID=$(etcdctl member list -w simple | grep "${HOSTNAME}" | awk -F, '{ print $1 }')
    if [[ -n "${MEMBER_ID}" ]]; then
      echo "A member with this name (${HOSTNAME}) already exists, removing"
      etcdctl member remove "${MEMBER_ID}"
      echo "Adding new member"
      etcdctl member add ${HOSTNAME} --peer-urls https://${HOSTNAME}.etcd-discovery.${NAMESPACE}.svc:2380
      echo "existing" > /etc/etcd/clusterstate/state
    else
      echo "A member does not exist with name (${HOSTNAME}), nothing to do"
    fi
  else
    echo "Cannot list members in cluster, so likely not up yet"
  fi
else
  echo "Snapshot db exists, member has data"
fi
