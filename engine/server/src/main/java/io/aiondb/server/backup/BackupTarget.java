package io.aiondb.server.backup;

/**
 * The object store backups go to ({@code backup.s3.*} settings). No credentials here: the S3 client takes them from
 * the AWS SDK's default chain, so they never sit in a configuration object that might be printed.
 *
 * @param endpoint  S3 endpoint URL (empty: AWS's endpoint for the region)
 * @param bucket    the bucket; must exist
 * @param prefix    key prefix under which this cluster's objects and manifests live, without slashes at the ends
 * @param region    signing region
 * @param pathStyle path-style URLs (MinIO, Ceph, s3proxy) instead of virtual-hosted buckets
 */
public record BackupTarget(String endpoint, String bucket, String prefix, String region, boolean pathStyle) {}
