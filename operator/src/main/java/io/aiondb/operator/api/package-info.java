/**
 * The AionCluster custom resource (group aiondb.io, version v1alpha1). These classes are the source of the CRD the
 * build generates (target/kubernetes, committed to crds/): every spec field carries its OpenAPI validation and, where
 * a rule spans values or versions, a CEL rule with a message a person can act on. Keep every CEL rule's cost bounded
 * (bounded strings and lists), or the API server refuses the CRD.
 */
package io.aiondb.operator.api;
