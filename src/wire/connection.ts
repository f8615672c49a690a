/**
 * One client connection: cuts frames, runs requests one at a time in arrival order (as Kafka
 * does, so responses come back in order), and enforces the per-connection limits: frame size
 * (smaller before the first valid request), a deadline to finish a frame once it started, a
 * deadline for the first request, an idle timeout, a cap on requests read ahead, and a cap on
 * response bytes a client leaves unread. Breaking any of them closes the connection; nothing a
 * client sends can crash the broker or make it hold more than these bounds.
 */
import type { Socket } from 'node:net'
import { API_KEYS, type RequestContext } from './api.js'
import { FrameReader } from './frame-reader.js'
import { isProtocolError } from './protocol-error.js'
import { Reader } from './reader.js'
import { readRequestHeader, type RequestHeader } from './request-header.js'
import { unsupportedApiVersionsResponse } from './apis/api-versions.js'
import type { ListenerLimits } from './wire-options.js'
import type { WireServer } from './wire-server.js'
import type { Writer } from './writer.js'

/** How long a closing broker waits for a client to take its last response and hang up. */
const DRAIN_GRACE_MS = 1_000

export class Connection {
  private readonly frames: FrameReader
  private readonly queue: Buffer[] = []
  /** Bytes of the frames in `queue`: reading pauses past one max-size frame, so a flood of big frames holds at most about two. */
  private queuedBytes = 0
  private processing = false
  private sawValidRequest = false
  private readonly abort = new AbortController()
  private frameTimer: NodeJS.Timeout | null = null
  private firstRequestTimer: NodeJS.Timeout | null
  private closedReason: string | null = null
  /** Set by a bad frame size: the requests before it are answered, then the connection closes. */
  private closeWhenIdle: string | null = null
  /** A pump waiting for the client to read its responses (see pump). */
  private flushWaiter: (() => void) | null = null
  private readonly flushed = (): void => {
    this.wakePump()
    this.maybeResume()
  }
  readonly clientHost: string
  /** Resolves when the socket is gone. */
  readonly closed: Promise<void>

  constructor(
    private readonly socket: Socket,
    private readonly server: WireServer,
    private readonly limits: ListenerLimits,
  ) {
    this.clientHost = `/${socket.remoteAddress ?? 'unknown'}`
    this.frames = new FrameReader(limits.maxFirstFrameBytes)
    socket.setNoDelay(true)
    socket.setTimeout(limits.connectionIdleTimeoutMs, () => this.close('idle timeout'))
    this.firstRequestTimer = setTimeout(() => this.close('no request within the first-request deadline'), limits.firstRequestTimeoutMs)
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.maybeResume())
    socket.on('error', () => this.close('socket error'))
    socket.once('close', () => this.cleanUp())
  }

  /** Why the connection was closed by the broker (null if the client closed it or it is open). */
  get closeReason(): string | null {
    return this.closedReason
  }

  close(reason: string): void {
    if (this.closedReason === null) this.closedReason = reason
    this.socket.destroy()
    this.cleanUp()
  }

  /** Stops reading; the request being processed finishes and its response is sent, then the socket ends. */
  async drain(): Promise<void> {
    this.socket.pause()
    this.queue.length = 0
    this.queuedBytes = 0
    this.wakePump() // a pump waiting for a client that does not read stops (its queue is now empty)
    this.abort.abort() // long polls return what they have now
    while (this.processing) await new Promise((resolve) => setImmediate(resolve))
    // end() lets the last response go out before the FIN; a client that does not close its side
    // (or read) in time is cut off.
    this.socket.end()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.closed, new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_GRACE_MS)))])
    clearTimeout(timer)
    this.close('broker closing')
  }

  private cleanUp(): void {
    this.abort.abort()
    if (this.frameTimer) clearTimeout(this.frameTimer)
    if (this.firstRequestTimer) clearTimeout(this.firstRequestTimer)
    this.frameTimer = null
    this.firstRequestTimer = null
    this.queue.length = 0
    this.queuedBytes = 0
    this.flushed()
  }

  private onData(chunk: Buffer): void {
    if (this.socket.destroyed) return
    let frames: Buffer[]
    try {
      frames = this.frames.push(chunk)
    } catch (error) {
      this.closeAfterQueued(isProtocolError(error) ? error.message : 'unreadable frame')
      return
    }
    for (const frame of frames) {
      this.queue.push(frame)
      this.queuedBytes += frame.length
    }
    if (this.frames.failure) this.closeAfterQueued(this.frames.failure.message)
    if (this.queueFull()) this.socket.pause()
    this.armFrameDeadline(frames.length > 0)
    void this.pump()
  }

  /**
   * A bad frame size ends the stream. The complete requests before it are answered first, as
   * Kafka does (it reads one request at a time), so the outcome does not depend on how TCP split
   * the bytes; nothing more is read.
   */
  private closeAfterQueued(reason: string): void {
    this.closeWhenIdle ??= reason
    this.socket.pause()
    if (!this.processing && this.queue.length === 0) this.close(reason)
  }

  /**
   * A frame that started must finish within the deadline (a slow client cannot hold a partial
   * frame forever). The clock starts again with each frame (`restart`: frames completed, so what
   * is held began after them), and does not run while the broker itself has stopped reading.
   */
  private armFrameDeadline(restart: boolean): void {
    const running = this.frames.hasPartialFrame && !this.socket.isPaused()
    if (this.frameTimer && (restart || !running)) {
      clearTimeout(this.frameTimer)
      this.frameTimer = null
    }
    if (!this.frameTimer && running) {
      this.frameTimer = setTimeout(() => this.close('frame not completed within the deadline'), this.limits.frameCompleteTimeoutMs)
    }
  }

  private async pump(): Promise<void> {
    if (this.processing) return
    this.processing = true
    try {
      while (this.queue.length > 0 && !this.socket.destroyed) {
        // Kafka mutes a connection until its response is sent: past the outbound cap, nothing
        // more is processed (and so nothing more buffered) until the client reads.
        if (this.socket.writableLength > this.limits.maxOutboundBytesPerConnection) {
          await new Promise<void>((resolve) => (this.flushWaiter = resolve))
          continue
        }
        const frame = this.queue.shift()!
        this.queuedBytes -= frame.length
        await this.process(frame)
        this.maybeResume()
      }
    } finally {
      this.processing = false
      if (this.closeWhenIdle !== null) this.close(this.closeWhenIdle)
    }
  }

  private wakePump(): void {
    const waiter = this.flushWaiter
    this.flushWaiter = null
    waiter?.()
  }

  private maybeResume(): void {
    if (this.socket.destroyed || !this.socket.isPaused() || this.closeWhenIdle !== null) return
    if (this.queueFull()) return
    if (this.socket.writableLength > this.limits.maxOutboundBytesPerConnection) return
    this.socket.resume()
    this.armFrameDeadline(false)
  }

  private queueFull(): boolean {
    return this.queue.length >= this.limits.maxQueuedRequestsPerConnection || this.queuedBytes >= this.limits.maxFrameBytes
  }

  private async process(frame: Buffer): Promise<void> {
    const reader = new Reader(frame)
    let header: RequestHeader
    try {
      header = readRequestHeader(reader)
    } catch (error) {
      this.close(isProtocolError(error) ? `bad request header: ${error.message}` : 'bad request header')
      return
    }
    const handler = this.server.handlers.get(header.apiKey)
    if (!handler || header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      // Kafka answers an unknown ApiVersions version with a v0 body (KIP-511); anything else unknown closes.
      if (header.apiKey === API_KEYS.ApiVersions) this.accept(header, unsupportedApiVersionsResponse(this.server))
      else this.close(`unsupported API key ${header.apiKey} version ${header.apiVersion}`)
      return
    }
    const context: RequestContext = {
      server: this.server,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      clientHost: this.clientHost,
      signal: this.abort.signal,
    }
    this.server.emit('request', { api: handler.name, apiVersion: header.apiVersion, clientId: header.clientId })
    let body: Writer | null
    try {
      body = await handler.handle(reader, context)
    } catch (error) {
      this.close(isProtocolError(error) ? `bad ${handler.name} v${header.apiVersion} request: ${error.message}` : `${handler.name} failed: ${(error as Error)?.message}`)
      if (!isProtocolError(error)) this.server.emit('handler.error', { api: handler.name, error })
      return
    }
    this.accept(header, body)
  }

  /** The request was valid: lift the first-frame limits and send the response, if any. */
  private accept(header: RequestHeader, body: Writer | null): void {
    if (!this.sawValidRequest) {
      this.sawValidRequest = true
      this.frames.setMaxFrameBytes(this.limits.maxFrameBytes)
      if (this.firstRequestTimer) clearTimeout(this.firstRequestTimer)
      this.firstRequestTimer = null
    }
    if (body === null || this.socket.destroyed) return
    this.send(header.correlationId, body)
  }

  private send(correlationId: number, body: Writer): void {
    const chunks = body.toChunks()
    const prefix = Buffer.allocUnsafe(8)
    prefix.writeInt32BE(4 + body.byteLength, 0)
    prefix.writeInt32BE(correlationId, 4)
    this.socket.cork()
    this.socket.write(prefix, chunks.length === 0 ? this.flushed : undefined)
    // The callback runs once this response has left the process: the pump and reading may go on.
    chunks.forEach((chunk, i) => this.socket.write(chunk, i === chunks.length - 1 ? this.flushed : undefined))
    this.socket.uncork()
    this.server.countBytesOut(8 + body.byteLength)
    if (this.socket.writableLength > this.limits.maxOutboundBytesPerConnection) {
      this.socket.pause()
      this.armFrameDeadline(false)
    }
  }
}
