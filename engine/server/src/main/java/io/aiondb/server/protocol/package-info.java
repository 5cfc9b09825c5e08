/**
 * The binary protocol (docs/protocol.md): length-prefixed frames with a request id over TCP, many requests in flight
 * per connection, answered in any order. {@link io.aiondb.server.protocol.Wire} and
 * {@link io.aiondb.server.protocol.ProtocolCodec} are pure byte layouts (tested against the document's hex
 * vectors); {@link io.aiondb.server.protocol.ProtocolServer} is the Vert.x adapter, and each connection reaches the engine only
 * through the service layer ({@link io.aiondb.server.service.KvService}). Invariant: a frame that cannot
 * be parsed gets an error frame and closes only its own connection; a request that parses but is invalid gets an
 * error frame and the connection keeps serving.
 */
package io.aiondb.server.protocol;
