/**
 * Cuts a TCP byte stream into Kafka request frames (int32 size + body). The size is checked
 * against the limit as soon as its 4 bytes arrive, before anything is allocated for the body;
 * partial input is held as the chunks that arrived, so memory follows bytes received, never the
 * size a client claims.
 */
import { ProtocolError } from './protocol-error.js'

export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0
  /** Size of the frame being assembled, once its prefix is known. */
  private expected = -1
  private failed: ProtocolError | null = null

  constructor(private maxFrameBytes: number) {}

  /** Later frames may be larger than the first (the limit before the first valid request is lower). */
  setMaxFrameBytes(bytes: number): void {
    this.maxFrameBytes = bytes
  }

  /** True while part of a frame is held (the frame deadline runs). */
  get hasPartialFrame(): boolean {
    return this.buffered > 0
  }

  get bufferedBytes(): number {
    return this.buffered
  }

  /**
   * The bad size prefix that ends this stream, once seen. The frames before it are still
   * returned (however the bytes were split into chunks, the same frames come out before the
   * error); every later push throws it.
   */
  get failure(): ProtocolError | null {
    return this.failed
  }

  /**
   * Adds received bytes; returns the bodies of every frame they complete. Throws ProtocolError on
   * a bad size, unless this push completed frames before it: then those are returned and
   * `failure` is set (the next push throws).
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed
    if (chunk.length > 0) {
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    const frames: Buffer[] = []
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) break
        const size = this.peekSize()
        if (size < 0 || size > this.maxFrameBytes) {
          this.failed = new ProtocolError(`frame size ${size} is outside 0..${this.maxFrameBytes}`)
          if (frames.length === 0) throw this.failed
          break
        }
        this.expected = size
      }
      if (this.buffered < 4 + this.expected) break
      const frame = this.take(4 + this.expected).subarray(4)
      this.expected = -1
      frames.push(frame)
    }
    return frames
  }

  private peekSize(): number {
    const first = this.chunks[0]!
    if (first.length >= 4) return first.readInt32BE(0)
    return this.take(4, true).readInt32BE(0)
  }

  /** Removes `bytes` from the front (or only reads them with `peek`). */
  private take(bytes: number, peek = false): Buffer {
    const first = this.chunks[0]!
    let out: Buffer
    if (first.length >= bytes) {
      out = first.subarray(0, bytes)
      if (!peek) {
        if (first.length === bytes) this.chunks.shift()
        else this.chunks[0] = first.subarray(bytes)
      }
    } else {
      const all = Buffer.concat(this.chunks)
      out = all.subarray(0, bytes)
      this.chunks = all.length > bytes ? [all.subarray(bytes)] : []
      if (peek) this.chunks = [all]
    }
    if (!peek) this.buffered -= bytes
    return out
  }
}
