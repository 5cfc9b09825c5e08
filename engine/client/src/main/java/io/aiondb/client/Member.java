package io.aiondb.client;

/** A cluster member as the client sees it: role LEADER, FOLLOWER, LEARNER or UNKNOWN; its protocol address. */
public record Member(String id, String role, String address, int httpPort) {}
