// etcdctl's TLS flags and endpoint inside a hosted etcd pod (the paths of upstream's statefulset),
// without imports, so that scripts run by plain Node (scripts/dr-crash-matrix.ts) share them too.
export const ETCD_TLS = [
  '--cacert',
  '/etc/etcd/tls/etcd-ca/ca.crt',
  '--cert',
  '/etc/etcd/tls/client/etcd-client.crt',
  '--key',
  '/etc/etcd/tls/client/etcd-client.key',
  '--endpoints',
  'https://localhost:2379',
];
