/**
 * The transport-neutral service layer: the only way the transports (HTTP in {@code api}, the binary protocol in
 * {@code protocol}) reach the engine. Transports decode a request, call {@link io.aiondb.server.service.KvService}
 * and encode its answer; everything else happens here, once for both: validation of names, keys and values, read
 * barriers (consistency and minRevision), request.timeout, the mapping of every failure to an
 * {@link io.aiondb.server.AionException} with its {@link io.aiondb.server.ErrorCode}, and the limits of queries and
 * watches. Admission (admission.*) is enforced by the consensus layer below it.
 *
 * <p>Arrows point down only: transport → service → consensus → state → storage. Every call takes a
 * {@link io.aiondb.server.service.Caller}: authentication, authorization, audit and tracing plug in here.
 */
package io.aiondb.server.service;
