package io.aiondb.operator.reconcile;

/** Why a valid spec cannot be honoured now. {@code reason} is a CamelCase condition reason. */
public record Blocker(String reason, String message) {}
