import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * A pack written once, hashed (SHA-256) as it is written, with backpressure: memory stays at one
 * buffer. The bytes go to any writable — a file, or a pack store's sink (database chunks, an S3
 * multipart upload), whose `final` completes the copy.
 */
export class HashingFile {
  private readonly hash = createHash('sha256');
  private readonly stream: Writable;
  bytes = 0;

  constructor(target: string | Writable) {
    this.stream = typeof target === 'string' ? createWriteStream(target, { mode: 0o640 }) : target;
  }

  /** Queues bytes; call `drained()` now and then so the queue stays short. */
  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.hash.update(bytes);
    this.bytes += bytes.length;
    this.stream.write(bytes);
  }

  /**
   * Writes bytes and resolves once the target has taken them, so the caller may reuse the buffer
   * (a writer that fills one buffer again and again leaves no garbage for the GC to catch up with).
   */
  async write(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    await new Promise<void>((resolve, reject) => this.stream.write(chunk, (err) => (err ? reject(err) : resolve())));
  }

  async drained(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<{ sha256: string; bytes: number }> {
    this.stream.end();
    await finished(this.stream);
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }

  destroy(): void {
    this.stream.destroy();
  }
}
