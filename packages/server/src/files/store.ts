import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { Config } from "../config.ts";

/**
 * Where uploaded files and their derived data live. Keys are chosen by the server
 * (`<orgId>/<sha256>…`), never taken from a user's file name, so a name cannot reach outside the
 * store. Implementations: a directory on local disk (the default) and S3-compatible object storage.
 */
export interface FileStore {
  readonly kind: "local" | "s3";
  /** Moves or copies a finished local file into the store under `key`. */
  put(key: string, sourcePath: string, contentType: string): Promise<void>;
  /** A path on local disk holding the object's bytes (the object itself, or a cached download). */
  localPath(key: string): Promise<string>;
  /** The object's bytes as a stream (no local copy is kept). */
  read(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
function checkKey(key: string): string {
  if (!KEY_RE.test(key) || key.includes("..")) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
  return key;
}

export class LocalFileStore implements FileStore {
  readonly kind = "local" as const;
  constructor(readonly root: string) {}

  private pathOf(key: string) {
    return path.join(this.root, "objects", checkKey(key));
  }

  async put(key: string, sourcePath: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    // Write under a temporary name and rename: a reader never sees half a file.
    const partial = `${target}.${process.pid}.${Date.now()}.partial`;
    try {
      await copyFile(sourcePath, partial);
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
  }

  async localPath(key: string): Promise<string> {
    const p = this.pathOf(key);
    await stat(p);
    return p;
  }

  async read(key: string): Promise<Readable> {
    const p = this.pathOf(key);
    await stat(p);
    return createReadStream(p);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }
}

export interface S3Options {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  prefix: string;
  /** Local directory for downloads that DuckDB reads (it needs a file, not a stream). */
  cacheDir: string;
}

export class S3FileStore implements FileStore {
  readonly kind = "s3" as const;
  readonly client: S3Client;
  constructor(readonly opts: S3Options) {
    this.client = new S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      forcePathStyle: opts.forcePathStyle,
      // Streaming checksums (aws-chunked trailers) are not understood by many S3-compatible
      // servers; ask for checksums only where the service requires them.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(opts.accessKeyId && opts.secretAccessKey
        ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } }
        : {}),
    });
  }

  private objectKey(key: string) {
    return `${this.opts.prefix ? `${this.opts.prefix.replace(/\/$/, "")}/` : ""}${checkKey(key)}`;
  }

  async put(key: string, sourcePath: string, contentType: string): Promise<void> {
    const { size } = await stat(sourcePath);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.opts.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(sourcePath),
        ContentLength: size,
        ContentType: contentType,
      }),
    );
  }

  async localPath(key: string): Promise<string> {
    const cached = path.join(this.opts.cacheDir, checkKey(key));
    if (
      await stat(cached).then(
        () => true,
        () => false,
      )
    )
      return cached;
    const res = await this.client.send(
      new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.objectKey(key) }),
    );
    await mkdir(path.dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.${Date.now()}.partial`;
    try {
      await pipeline(res.Body as NodeJS.ReadableStream, createWriteStream(partial));
      await rename(partial, cached);
    } finally {
      await rm(partial, { force: true });
    }
    return cached;
  }

  async read(key: string): Promise<Readable> {
    const res = await this.client.send(
      new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.objectKey(key) }),
    );
    return res.Body instanceof Readable ? res.Body : Readable.from(res.Body as AsyncIterable<Uint8Array>);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.objectKey(key) }));
    await rm(path.join(this.opts.cacheDir, checkKey(key)), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw err;
    }
  }
}

/** `${DATA_DIR}/files` on local disk, or S3 when S3_BUCKET is set. */
export function createFileStore(config: Config): FileStore {
  const root = path.resolve(config.DATA_DIR, "files");
  if (!config.S3_BUCKET) return new LocalFileStore(root);
  return new S3FileStore({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    ...(config.S3_ACCESS_KEY_ID ? { accessKeyId: config.S3_ACCESS_KEY_ID } : {}),
    ...(config.S3_SECRET_ACCESS_KEY ? { secretAccessKey: config.S3_SECRET_ACCESS_KEY } : {}),
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    prefix: config.S3_PREFIX,
    cacheDir: path.join(root, "cache"),
  });
}

/** Scratch space for uploads in progress; on the same disk as the local store so put is cheap. */
export function scratchDir(config: Config): string {
  return path.resolve(config.DATA_DIR, "files", "tmp");
}
