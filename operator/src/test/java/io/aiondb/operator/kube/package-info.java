/**
 * Test fixtures for running the operator against a real Kubernetes API server (fabric8 kube-api-test: etcd and
 * kube-apiserver as local processes). Invariants: the binaries are the version e2e/control-plane pins and are never
 * downloaded (missing ones fail the tests with what to run); the operator under test authenticates with a token of the
 * Helm chart's ServiceAccount, bound to exactly the chart's RBAC, never as an administrator; the tests' own client is
 * the administrator; every request of a ServiceAccount is in the API server's audit log. There is no controller-manager,
 * scheduler or kubelet.
 */
package io.aiondb.operator.kube;
